#!/usr/bin/env node
/**
 * Makes `@tensorflow/tfjs-node` work where its install script cannot: that
 * script downloads libtensorflow and a prebuilt addon from Google's CDN
 * (storage.googleapis.com), which firewalled machines cannot reach. Only the
 * npm registry and a Python package index are needed here:
 *
 *   1. tfjs-node itself comes from npm with its scripts not run (npm 11
 *      blocks dependency install scripts by default; older npm:
 *      `npm install --ignore-scripts @tensorflow/tfjs-node`).
 *   2. TensorFlow's C library and headers come from the `tensorflow-cpu`
 *      wheel that `pip download` fetches through the configured package index:
 *      its `libtensorflow_cc.so.2` holds the C and eager C APIs tfjs-node
 *      calls, beside `libtensorflow_framework.so.2`.
 *   3. They are laid out as tfjs-node's `deps/lib` and `deps/include`, and the
 *      addon is built from tfjs-node's own `binding/` sources with its
 *      node-pre-gyp, against this Node's headers (`--nodedir`).
 *
 * The wheel, the extracted files and the built addon are cached outside
 * node_modules (`$TFJS_NODE_CACHE`, default `~/.cache/tfjs-node-from-wheel`),
 * so after `npm ci` a second run only links files (a few seconds). The
 * libraries are hard-linked from the cache where they share a file system
 * (copied otherwise), so the cache may be deleted afterwards.
 *
 * Needs Linux x86-64, python3 with pip, make and a C++ compiler.
 *
 * Usage: node scripts/install_tfjs_node.mjs [project directory]
 *   (default: the current directory; tfjs-node must be installed there)
 * Environment: TFJS_NODE_CACHE (cache directory), TFJS_NODE_WHEEL (a
 * tensorflow-cpu wheel already on disk: pip is not run),
 * TFJS_NODE_NODEDIR (Node's headers, default the running Node's prefix).
 */
import {spawnSync} from 'node:child_process';
import {copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import {homedir} from 'node:os';
import {dirname, join, resolve} from 'node:path';

/** The TensorFlow release whose C library tfjs-node is built against. */
const TENSORFLOW_VERSION = '2.21.0';
/** The wheel's tags: any Python's pip fetches the same manylinux wheel. */
const WHEEL_TAGS = ['--python-version', '3.11', '--implementation', 'cp',
  '--abi', 'cp311', '--platform', 'manylinux_2_27_x86_64'];
/** Where the wheel keeps the libraries and headers. */
const WHEEL_LIBRARIES = ['libtensorflow_cc.so.2', 'libtensorflow_framework.so.2'];
const WHEEL_PREFIX = 'tensorflow/';
const WHEEL_HEADERS = 'tensorflow/include/';
/**
 * The names tfjs-node's build and install script look for, each a link to
 * one of the wheel's libraries: `libtensorflow.so` for `-ltensorflow`, the
 * `2.9.1` names so that its install script (if ever run) finds the library
 * present and downloads nothing. At run time the addon asks for the wheel's
 * own names (their sonames), which are the real files.
 */
const LIBRARY_ALIASES = {
  'libtensorflow.so': 'libtensorflow_cc.so.2',
  'libtensorflow.so.2.9.1': 'libtensorflow_cc.so.2',
  'libtensorflow_framework.so': 'libtensorflow_framework.so.2',
  'libtensorflow_framework.so.2.9.1': 'libtensorflow_framework.so.2',
};

function fail(message) {
  console.error(`install_tfjs_node: ${message}`);
  process.exit(1);
}

function say(message) {
  console.error(`install_tfjs_node: ${message}`);
}

/**
 * Runs a command; fails with `why` if it fails. With `quiet`, its output is
 * kept and shown only then (a compiler's log is long).
 */
function run(command, args, options, why, quiet = false) {
  const result = spawnSync(command, args, {
    stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
    ...options,
  });
  if (result.error != null || result.status !== 0) {
    if (quiet) {
      process.stderr.write(`${result.stdout ?? ''}${result.stderr ?? ''}`);
    }
    fail(`${why} (\`${command} ${args.join(' ')}\` ` +
        `${result.error?.message ?? `exited with ${result.status}`}).`);
  }
}

function hasCommand(command, args = ['--version']) {
  const result = spawnSync(command, args, {stdio: 'ignore'});
  return result.error == null && result.status === 0;
}

/** tfjs-node's directory and version, as the project resolves it. */
function findTfjsNode(projectDir) {
  const require = createRequire(join(projectDir, 'package.json'));
  let packageJson;
  try {
    packageJson = require.resolve('@tensorflow/tfjs-node/package.json');
  } catch {
    fail(`@tensorflow/tfjs-node is not installed in ${projectDir}. Install ` +
        'it first without its install script: `npm install --ignore-scripts ' +
        '@tensorflow/tfjs-node` (npm 11 skips it without the flag).');
  }
  const {version, binary} = JSON.parse(readFileSync(packageJson, 'utf8'));
  return {dir: dirname(packageJson), version, binary};
}

/** Whether tfjs-node loads in a fresh Node process (its addon and libraries). */
function tfjsNodeLoads(projectDir) {
  const result = spawnSync(process.execPath,
      ['-e', 'require("@tensorflow/tfjs-node")'],
      {cwd: projectDir, stdio: 'ignore',
        env: {...process.env, TF_CPP_MIN_LOG_LEVEL: '2'}});
  return result.status === 0;
}

/** The cached wheel, downloaded with pip the first time. */
function wheelIn(cacheDir) {
  if (process.env.TFJS_NODE_WHEEL) {
    return resolve(process.env.TFJS_NODE_WHEEL);
  }
  const wheelDir = join(cacheDir, 'wheel');
  const cached = () => existsSync(wheelDir) ? readdirSync(wheelDir).find(
      name => name.startsWith(`tensorflow_cpu-${TENSORFLOW_VERSION}-`) &&
          name.endsWith('.whl')) : undefined;
  if (cached() === undefined) {
    if (!hasCommand('python3', ['-m', 'pip', '--version'])) {
      fail('needs python3 with pip to fetch the tensorflow-cpu wheel ' +
          '(Debian: `apt-get install python3-pip`), or TFJS_NODE_WHEEL set ' +
          'to a tensorflow-cpu wheel on disk.');
    }
    say(`fetching tensorflow-cpu==${TENSORFLOW_VERSION} with pip ` +
        '(about 274 MB, once)');
    run('python3', ['-m', 'pip', 'download', '--no-deps',
      '--only-binary=:all:', ...WHEEL_TAGS, '--dest', wheelDir,
      `tensorflow-cpu==${TENSORFLOW_VERSION}`], {},
    'pip could not fetch the tensorflow-cpu wheel');
  }
  const name = cached();
  if (name === undefined) {
    fail(`pip reported success, but no tensorflow-cpu wheel is in ${wheelDir}.`);
  }
  return join(wheelDir, name);
}

/**
 * The headers tfjs-node's binding includes, and what they include, read off
 * the sources: the include closure inside the wheel's `tensorflow/include`.
 */
function headerRoots(tfjsNodeDir) {
  const bindingDir = join(tfjsNodeDir, 'binding');
  const roots = new Set();
  for (const file of readdirSync(bindingDir)) {
    const text = readFileSync(join(bindingDir, file), 'utf8');
    for (const [, header] of text.matchAll(/#include\s+"([^"]+)"/g)) {
      if (!existsSync(join(bindingDir, header))) {
        roots.add(header);
      }
    }
  }
  return [...roots];
}

/**
 * Extracts the two libraries and the headers from the wheel into `target`
 * (`lib/`, `include/`), with Python's zipfile (pip needs Python anyway),
 * through a temporary directory renamed at the end: an interrupted run
 * leaves no half-extracted cache.
 */
function extract(wheel, tfjsNodeDir, target) {
  say(`extracting TensorFlow's C library and headers from ${wheel}`);
  const partial = `${target}.partial`;
  rmSync(partial, {recursive: true, force: true});
  const program = `
import json, os, re, shutil, sys, zipfile
wheel, target, libraries, prefix, headers, roots = sys.argv[1:7]
wheel = zipfile.ZipFile(wheel)
names = set(wheel.namelist())
def copy(member, path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with wheel.open(member) as source, open(path, 'wb') as out:
        shutil.copyfileobj(source, out, 1 << 20)
for library in json.loads(libraries):
    copy(prefix + library, os.path.join(target, 'lib', library))
pending, seen = list(json.loads(roots)), set()
while pending:
    header = pending.pop()
    member = headers + header
    if header in seen or member not in names:
        continue
    seen.add(header)
    copy(member, os.path.join(target, 'include', header))
    text = wheel.read(member).decode('utf-8', 'replace')
    pending.extend(re.findall(r'#include\\s+"([^"]+)"', text))
print(len(seen))
`;
  const result = spawnSync('python3', ['-c', program, wheel, partial,
    JSON.stringify(WHEEL_LIBRARIES), WHEEL_PREFIX, WHEEL_HEADERS,
    JSON.stringify(headerRoots(tfjsNodeDir))],
  {stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8'});
  if (result.status !== 0) {
    fail(`could not extract the libraries and headers from ${wheel}.`);
  }
  say(`extracted ${WHEEL_LIBRARIES.length} libraries and ` +
      `${result.stdout.trim()} headers`);
  renameSync(partial, target);
}

/** A hard link to `source` at `target` (a copy across file systems). */
function linkOrCopy(source, target) {
  rmSync(target, {force: true});
  try {
    linkSync(source, target);
  } catch {
    copyFileSync(source, target);
  }
}

/** tfjs-node's `deps/`, from the extracted files. */
function layOutDeps(extracted, tfjsNodeDir) {
  const depsDir = join(tfjsNodeDir, 'deps');
  rmSync(depsDir, {recursive: true, force: true});
  mkdirSync(join(depsDir, 'lib'), {recursive: true});
  for (const library of WHEEL_LIBRARIES) {
    linkOrCopy(join(extracted, 'lib', library), join(depsDir, 'lib', library));
  }
  for (const [alias, library] of Object.entries(LIBRARY_ALIASES)) {
    symlinkSync(library, join(depsDir, 'lib', alias));
  }
  copyTree(join(extracted, 'include'), join(depsDir, 'include'));
}

function copyTree(source, target) {
  mkdirSync(target, {recursive: true});
  for (const entry of readdirSync(source, {withFileTypes: true})) {
    const from = join(source, entry.name);
    const to = join(target, entry.name);
    if (entry.isDirectory()) {
      copyTree(from, to);
    } else {
      copyFileSync(from, to);
    }
  }
}

/** Node's headers for node-gyp: they ship with Node in `<prefix>/include/node`. */
function nodeHeadersDir() {
  const candidates = [process.env.TFJS_NODE_NODEDIR,
    process.env.npm_config_nodedir, resolve(dirname(process.execPath), '..')];
  const found = candidates.find(dir => dir != null &&
      existsSync(join(dir, 'include', 'node', 'node_api.h')));
  if (found === undefined) {
    fail('cannot find Node\'s headers (include/node/node_api.h) beside ' +
        `${process.execPath}; set TFJS_NODE_NODEDIR to the directory that ` +
        'holds include/node (Debian\'s nodejs: install libnode-dev).');
  }
  return found;
}

/** The addon's path in tfjs-node (`binary.module_path`, highest N-API). */
function addonPath(tfjsNodeDir, binary) {
  const napi = Math.max(...binary.napi_versions.filter(
      version => version <= Number(process.versions.napi)));
  return join(tfjsNodeDir,
      binary.module_path.replace('{napi_build_version}', String(napi)),
      `${binary.module_name}.node`);
}

/** Builds the addon with tfjs-node's node-pre-gyp, from its own sources. */
function buildAddon(tfjsNodeDir) {
  const missing = ['make', 'g++', 'python3'].filter(tool => !hasCommand(tool));
  if (missing.length > 0) {
    fail(`building tfjs-node's addon needs ${missing.join(', ')} ` +
        '(Debian: `apt-get install build-essential python3`).');
  }
  const require = createRequire(join(tfjsNodeDir, 'package.json'));
  const nodePreGyp = require.resolve('@mapbox/node-pre-gyp/bin/node-pre-gyp');
  const nodedir = nodeHeadersDir();
  say(`building tfjs-node's addon from its sources (Node headers: ${nodedir})`);
  const started = Date.now();
  run(process.execPath, [nodePreGyp, 'install', '--build-from-source',
    `--nodedir=${nodedir}`], {cwd: tfjsNodeDir},
  'node-pre-gyp could not build tfjs-node\'s addon', true);
  say(`built the addon in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

function main() {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    fail('the tensorflow-cpu wheel this uses is for Linux x86-64; on ' +
        `${process.platform}-${process.arch}, let tfjs-node's own install ` +
        'script run.');
  }
  const started = Date.now();
  const projectDir = resolve(process.argv[2] ?? '.');
  const tfjsNode = findTfjsNode(projectDir);
  if (tfjsNodeLoads(projectDir)) {
    say(`@tensorflow/tfjs-node ${tfjsNode.version} loads already: nothing to do.`);
    return;
  }
  const cacheDir = resolve(process.env.TFJS_NODE_CACHE ??
      join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'),
          'tfjs-node-from-wheel'));
  mkdirSync(cacheDir, {recursive: true});
  const extracted = join(cacheDir, `tensorflow-${TENSORFLOW_VERSION}`);
  if (!existsSync(extracted)) {
    extract(wheelIn(cacheDir), tfjsNode.dir, extracted);
  }
  layOutDeps(extracted, tfjsNode.dir);

  // The addon depends on tfjs-node's sources, TensorFlow's headers and the
  // N-API version: cached under all three.
  const addon = addonPath(tfjsNode.dir, tfjsNode.binary);
  const cachedAddon = join(cacheDir, 'addons',
      `tfjs-node-${tfjsNode.version}-tensorflow-${TENSORFLOW_VERSION}-` +
          `${dirname(addon).split('/').pop()}`, 'tfjs_binding.node');
  if (existsSync(cachedAddon)) {
    mkdirSync(dirname(addon), {recursive: true});
    copyFileSync(cachedAddon, addon);
  } else {
    buildAddon(tfjsNode.dir);
    if (!existsSync(addon)) {
      fail(`node-pre-gyp finished, but ${addon} is missing.`);
    }
    mkdirSync(dirname(cachedAddon), {recursive: true});
    copyFileSync(addon, `${cachedAddon}.partial`);
    renameSync(`${cachedAddon}.partial`, cachedAddon);
  }
  if (!tfjsNodeLoads(projectDir)) {
    fail('the addon and libraries are in place, but `require(' +
        '"@tensorflow/tfjs-node")` still fails; run it to see why.');
  }
  writeFileSync(join(tfjsNode.dir, 'deps', 'installed-from-wheel.txt'),
      `tensorflow-cpu ${TENSORFLOW_VERSION}, by scripts/install_tfjs_node.mjs\n`);
  say(`@tensorflow/tfjs-node ${tfjsNode.version} works, on TensorFlow ` +
      `${TENSORFLOW_VERSION} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
}

main();
