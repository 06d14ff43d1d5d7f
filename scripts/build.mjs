// Builds dist/ (after regenerating the wasm kernels' inline binaries,
// scripts/build_wasm.mjs): CommonJS (dist/cjs) and ES modules (dist/esm),
// each with its type declarations, with tsc, and the minified UMD bundle
// with esbuild. The source maps point into src/, which the package ships.
import {execFileSync} from 'node:child_process';
import {mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

function runTsc(...args) {
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.json'), ...args],
      {stdio: 'inherit'});
}

execFileSync(process.execPath, [join(root, 'scripts', 'build_wasm.mjs')],
    {stdio: 'inherit'});
rmSync(dist, {recursive: true, force: true});
// Type declarations sit next to each format's JavaScript, so TypeScript
// reads dist/esm's as ES modules and dist/cjs's as CommonJS (one shared copy
// was read as CommonJS under `import`: "Masquerading as CJS").
runTsc('--outDir', join(dist, 'cjs'));
runTsc('--outDir', join(dist, 'esm'), '--module', 'es2020');
// Each folder says how Node should read its .js files and carries the root
// `browser` field's entries for its own files, relative to it (which file
// browser bundles take for tfjs-node's kernels: none, 1.1 KB gzipped less).
// Vite and Rollup read the nearest package.json, this one, for a file of
// the folder; esbuild and webpack the root's.
for (const [folder, type] of [['cjs', 'commonjs'], ['esm', 'module']]) {
  const prefix = `./dist/${folder}/`;
  const browser = Object.fromEntries(Object.entries(pkg.browser)
      .filter(([from]) => from.startsWith(prefix))
      .map(([from, to]) => [from, to].map(path => `./${path.slice(prefix.length)}`)));
  writeFileSync(join(dist, folder, 'package.json'),
      `${JSON.stringify({type, browser}, null, 2)}\n`);
}

// UMD: loaded by a script tag after tfjs's tf.min.js it uses the global `tf`;
// under CommonJS or AMD it asks for @tensorflow/tfjs-core.
const umdName = 'tfSparseSoftmaxCrossEntropy';
const umdHeader = `/** ${pkg.name} ${pkg.version} (${pkg.license}) */
(function (global, factory) {
  typeof exports === 'object' && typeof module !== 'undefined' ?
      factory(exports, require('@tensorflow/tfjs-core')) :
  typeof define === 'function' && define.amd ?
      define(['exports', '@tensorflow/tfjs-core'], factory) :
      (global = typeof globalThis !== 'undefined' ? globalThis : global || self,
       factory(global.${umdName} = {}, global.tf));
})(this, function (exports, __tfjsCore) {`;
const umdFooter = `Object.assign(exports, ${umdName}); });`;
const tfjsCoreFromFactory = {
  name: 'tfjs-core-from-umd-factory',
  setup(build) {
    build.onResolve({filter: /^@tensorflow\/tfjs-core$/},
        () => ({path: 'tfjs-core', namespace: 'umd-factory'}));
    build.onLoad({filter: /.*/, namespace: 'umd-factory'},
        () => ({contents: 'module.exports = __tfjsCore;', loader: 'js'}));
  },
};
mkdirSync(dist, {recursive: true});
await esbuild.build({
  entryPoints: [join(root, 'src', 'index.ts')],
  outfile: join(dist, 'tf-sparse-softmax-cross-entropy.min.js'),
  bundle: true,
  minify: true,
  format: 'iife',
  globalName: umdName,
  target: 'es2019',
  platform: 'browser',
  plugins: [tfjsCoreFromFactory],
  banner: {js: umdHeader},
  footer: {js: umdFooter},
  logLevel: 'warning',
});
