/**
 * The package as a user installs it: `npm pack` of this checkout, installed
 * with the tfjs packages a test names into a fresh project in the temporary
 * directory. Needs the build (`npm test` builds first).
 */
import {execFileSync} from 'node:child_process';
import {mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

export const ROOT = join(__dirname, '..', '..');

/** Runs a command; a failure's message carries its output. */
export function run(command: string, args: string[], cwd: string): string {
  try {
    return execFileSync(command, args, {cwd, encoding: 'utf8', stdio: 'pipe'});
  } catch (error) {
    const {stdout, stderr} = error as {stdout?: string, stderr?: string};
    throw new Error(`${command} ${args.join(' ')} failed:\n${stdout}\n${stderr}`);
  }
}

export interface PackedProject {
  /** The project's directory. */
  dir: string;
  /** The tarball's path. */
  tarball: string;
  /** The tarball's files, sorted. */
  files: string[];
}

/** Packs the package into a new project and installs it with `deps`. */
export function installPacked(prefix: string, deps: string[]): PackedProject {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination',
    dir], ROOT)) as Array<{filename: string, files: Array<{path: string}>}>;
  writeFileSync(join(dir, 'package.json'),
      '{"name": "consumer", "version": "1.0.0", "private": true}\n');
  const tarball = join(dir, packed[0].filename);
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline',
    '--loglevel=error', tarball, ...deps], dir);
  return {dir, tarball, files: packed[0].files.map(f => f.path).sort()};
}
