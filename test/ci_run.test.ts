/**
 * `.ci/run`, the README's one test command, on machines that lack what the
 * suite needs. It runs with a PATH of stand-ins for apt-get, sudo, id, npm
 * and node that only record how they were called (apt-get "installs"
 * Chromium by creating the file), and for python3 (with pip), make and g++
 * that only succeed, so each branch runs in milliseconds and the real
 * system is never touched.
 */
import {spawnSync} from 'node:child_process';
import {chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

const SCRIPT = join(__dirname, '..', '.ci', 'run');

interface Machine {
  chromium?: boolean;
  root?: boolean;
  passwordlessSudo?: boolean;
  aptGet?: boolean;
  aptGetInstallsChromium?: boolean;
  npm?: boolean;
  /** python3 with pip, make and g++ (what builds tfjs-node's addon). */
  buildTools?: boolean;
}

interface Run {
  status: number|null;
  stderr: string;
  /** Each stand-in's command line, in order. */
  calls: string[];
}

let machineDir: string;

beforeEach(() => {
  machineDir = mkdtempSync(join(tmpdir(), 'ci-run-'));
});

afterEach(() => rmSync(machineDir, {recursive: true, force: true}));

function standIn(bin: string, name: string, body = ''): void {
  const file = join(bin, name);
  writeFileSync(file,
      `#!/bin/bash\necho "\${0##*/} $*" >> "$CALLS"\n${body}\n`);
  chmodSync(file, 0o755);
}

function runOn({chromium = false, root = true, passwordlessSudo = false,
  aptGet = true, aptGetInstallsChromium = true, npm = true,
  buildTools = true}: Machine): Run {
  const bin = join(machineDir, 'bin');
  const calls = join(machineDir, 'calls');
  const chromiumPath = join(machineDir, 'chromium');
  spawnSync('mkdir', [bin]);
  writeFileSync(calls, '');
  // The real tools the script needs besides the stand-ins.
  for (const tool of ['dirname', 'env', 'chmod']) {
    const real = ['/usr/bin', '/bin'].map(dir => join(dir, tool))
        .find(existsSync);
    symlinkSync(real!, join(bin, tool));
  }
  if (chromium) {
    writeFileSync(chromiumPath, '#!/bin/sh\n', {mode: 0o755});
  }
  const id = join(bin, 'id');
  writeFileSync(id, `#!/bin/bash\necho ${root ? 0 : 1000}\n`);
  chmodSync(id, 0o755);
  if (passwordlessSudo) {
    standIn(bin, 'sudo', '[ "$1" = -n ] && shift\n"$@"');
  }
  if (aptGet) {
    standIn(bin, 'apt-get', aptGetInstallsChromium ?
        `if [ "$1" = install ]; then
  printf '#!/bin/sh\\n' > "$CHROMIUM_PATH"; chmod +x "$CHROMIUM_PATH"
fi` : '');
  }
  if (npm) {
    standIn(bin, 'npm');
    standIn(bin, 'node');
  }
  if (buildTools) {
    for (const tool of ['python3', 'make', 'g++']) {
      writeFileSync(join(bin, tool), '#!/bin/sh\n', {mode: 0o755});
    }
  }
  const result = spawnSync('/bin/bash', [SCRIPT], {
    encoding: 'utf8',
    env: {PATH: bin, CALLS: calls, CHROMIUM_PATH: chromiumPath},
  });
  return {
    status: result.status,
    stderr: result.stderr,
    calls: readFileSync(calls, 'utf8').split('\n').filter(line => line !== ''),
  };
}

const SUITE = ['npm ci --no-audit --no-fund',
  'node scripts/install_tfjs_node.mjs', 'npm test'];
const INSTALL = ['apt-get update -qq', 'apt-get install -y -qq chromium'];

it('runs npm ci and npm test, and installs nothing, when Chromium is there',
    () => {
      const run = runOn({chromium: true, root: false});
      expect(run.calls).toEqual(SUITE);
      expect(run.status).toBe(0);
    });

it('installs Chromium with apt-get as root, then runs the suite', () => {
  const run = runOn({});
  expect(run.calls).toEqual([...INSTALL, ...SUITE]);
  expect(run.status).toBe(0);
});

it('installs Chromium through sudo when it asks for no password', () => {
  const run = runOn({root: false, passwordlessSudo: true});
  expect(run.calls).toEqual([
    'sudo -n true',
    'sudo apt-get update -qq', INSTALL[0],
    'sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium',
    INSTALL[1],
    ...SUITE,
  ]);
  expect(run.status).toBe(0);
});

it('stops with a clear message where it cannot install: no root, no sudo',
    () => {
      const run = runOn({root: false});
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('the tests need chromium (Debian ' +
          `packages; Chromium at ${join(machineDir, 'chromium')}), and this ` +
          'script cannot install them here (apt-get needs root');
      expect(run.stderr).toContain('`apt-get install chromium` as root');
      expect(run.calls).toEqual([]);
    });

it('stops with a clear message where it cannot install: no apt-get', () => {
  const run = runOn({aptGet: false});
  expect(run.status).toBe(1);
  expect(run.stderr).toContain('cannot install them here (no apt-get');
  expect(run.stderr).toContain('set CHROMIUM_PATH');
  expect(run.calls).toEqual([]);
});

it('stops when apt-get ran but Chromium is still missing', () => {
  const run = runOn({aptGetInstallsChromium: false});
  expect(run.status).toBe(1);
  expect(run.stderr).toContain('is still missing');
  expect(run.calls).toEqual(INSTALL);
});

it('stops with a clear message without npm', () => {
  const run = runOn({chromium: true, npm: false});
  expect(run.status).toBe(1);
  expect(run.stderr).toContain('needs Node.js 20 and npm');
  expect(run.calls).toEqual([]);
});

it('installs pip and a compiler for tfjs-node\'s addon when they are missing',
    () => {
      const run = runOn({chromium: true, buildTools: false});
      expect(run.calls).toEqual(['apt-get update -qq',
        'apt-get install -y -qq python3-pip build-essential', ...SUITE]);
      expect(run.status).toBe(0);
    });

it('installs Chromium, pip and a compiler in one apt-get install', () => {
  const run = runOn({buildTools: false});
  expect(run.calls).toEqual(['apt-get update -qq',
    'apt-get install -y -qq chromium python3-pip build-essential', ...SUITE]);
  expect(run.status).toBe(0);
});
