// Builds the apps in test/bundlers/apps with each bundler for production,
// the way a user's project would: run from a project that has the packed
// package and tfjs installed (`node build_apps.mjs <project> [bundlers]`).
//
// Every build tree-shakes as in production (webpack's production mode,
// which reads package.json's sideEffects; Rollup's and Vite's tree-shaking;
// esbuild's bundling), and the weight apps (weight_*.mjs) are minified with
// each bundler's usual minifier. webpack's and Rollup's minifier (terser)
// takes 10 to 25 s a bundle here and decides nothing about which modules a
// bundle keeps, so the apps the browser checks run are left unminified by
// those two (esbuild and Vite minify everything in well under a second).
// Writes <project>/out/<bundler>/<app>.js and prints a JSON report: per
// bundler, each app's file, minified bytes, gzipped bytes and build time.
import {copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {basename, dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {gzipSync} from 'node:zlib';

import commonjs from '@rollup/plugin-commonjs';
import {nodeResolve} from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import * as esbuild from 'esbuild';
import {rollup} from 'rollup';
import {build as viteBuild} from 'vite';
import webpack from 'webpack';

const APPS = join(dirname(fileURLToPath(import.meta.url)), 'apps');
const project = process.argv[2];
const only = process.argv[3]?.split(',');
if (!project) {
  throw new Error('usage: node build_apps.mjs <project> [bundler,...]');
}

// The apps are copied into the project, so imports resolve there.
const appsDir = join(project, 'apps');
mkdirSync(appsDir, {recursive: true});
const apps = readdirSync(APPS).filter(f => /\.(mjs|cjs)$/.test(f)).sort();
for (const app of apps) {
  copyFileSync(join(APPS, app), join(appsDir, app));
}
const appName = app => basename(app).replace(/\.(mjs|cjs)$/, '');
const isWeightApp = entry => appName(entry).startsWith('weight_');

const bundlers = {
  async esbuild(entry, outDir) {
    await esbuild.build({
      entryPoints: [entry], outfile: join(outDir, `${appName(entry)}.js`),
      bundle: true, minify: true, format: 'esm', platform: 'browser',
      define: {'process.env.NODE_ENV': '"production"'}, logLevel: 'error',
    });
  },

  async vite(entry, outDir) {
    await viteBuild({
      root: project, configFile: false, logLevel: 'error',
      mode: 'production',
      build: {
        outDir, emptyOutDir: false, minify: true, modulePreload: false,
        copyPublicDir: false,
        rollupOptions: {
          input: entry,
          output: {entryFileNames: `${appName(entry)}.js`},
        },
      },
    });
  },

  async webpack(entry, outDir) {
    const stats = await new Promise((resolve, reject) => webpack({
      mode: 'production', context: project, entry, target: 'web',
      output: {path: outDir, filename: `${appName(entry)}.js`},
      performance: {hints: false},
      optimization: {minimize: isWeightApp(entry)},
    }, (error, result) => error ? reject(error) : resolve(result)));
    if (stats.hasErrors()) {
      throw new Error(stats.toString('errors-only'));
    }
  },

  async rollup(entry, outDir) {
    const bundle = await rollup({
      input: entry,
      plugins: [nodeResolve({browser: true}), commonjs(),
        ...(isWeightApp(entry) ? [terser()] : [])],
      onwarn(warning, warn) {
        // tfjs's own code: `this` at the top of its ES modules, and cycles.
        if (!['THIS_IS_UNDEFINED', 'CIRCULAR_DEPENDENCY'].includes(
            warning.code)) {
          warn(warning);
        }
      },
    });
    await bundle.write({file: join(outDir, `${appName(entry)}.js`),
      format: 'es', inlineDynamicImports: true});
    await bundle.close();
  },
};

const report = {};
for (const [name, bundle] of Object.entries(bundlers)) {
  if (only && !only.includes(name)) {
    continue;
  }
  const outDir = join(project, 'out', name);
  rmSync(outDir, {recursive: true, force: true});
  mkdirSync(outDir, {recursive: true});
  report[name] = {};
  for (const app of apps) {
    const start = Date.now();
    try {
      await bundle(join(appsDir, app), outDir);
    } catch (error) {
      // The test reports it as that app's failure.
      report[name][appName(app)] = {error: String(error?.stack ?? error)};
      continue;
    }
    const file = join(outDir, `${appName(app)}.js`);
    const code = readFileSync(file);
    report[name][appName(app)] = {file, bytes: code.length,
      gzipBytes: gzipSync(code, {level: 9}).length,
      milliseconds: Date.now() - start};
  }
}
writeFileSync(join(project, 'out', 'report.json'),
    `${JSON.stringify(report, null, 2)}\n`);
console.log(JSON.stringify(report));
