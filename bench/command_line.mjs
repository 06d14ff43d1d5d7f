// The benches' command line: `--name value` options and `--dist NAME=DIR`
// builds to compare.
import {resolve} from 'node:path';

export const args = process.argv.slice(2);

/** The value after `--name`, or `fallback`. */
export function option(name, fallback) {
  const at = args.indexOf(`--${name}`);
  return at < 0 ? fallback : args[at + 1];
}

/**
 * `[name, absolute dir]` of each `--dist NAME=DIR` (or `--dist DIR`, named
 * by itself), in order; `[['current', currentDist]]` without any.
 */
export function distsToCompare(currentDist) {
  const dists = args.flatMap((arg, i) => arg === '--dist' ? [args[i + 1]] : [])
      .map(spec => spec.includes('=') ? spec.split('=') : [spec, spec])
      .map(([name, dir]) => [name, resolve(dir)]);
  return dists.length > 0 ? dists : [['current', currentDist]];
}
