/**
 * `npm ci` on a fresh clone prints no install-script warnings: npm 11 blocks
 * dependencies' install scripts unless package.json's `allowScripts` covers
 * them, and lists the uncovered ones after installing. Every dev dependency
 * with an install script is reviewed there (esbuild's only checks its
 * binary, core-js's prints a banner: both denied, neither needed).
 */
import {ROOT, run} from './packed';

it('allowScripts covers every installed package with an install script', () => {
  const npmMajor = Number(run('npm', ['--version'], ROOT).split('.')[0]);
  if (npmMajor < 11) {
    // npm before 11 runs install scripts and prints nothing about them.
    expect(npmMajor).toBeGreaterThanOrEqual(7);
    return;
  }
  expect(run('npm', ['install-scripts', 'ls'], ROOT))
      .toContain('No packages with unreviewed install scripts');
});
