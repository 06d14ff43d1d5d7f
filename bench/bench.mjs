/* global tf, benchMeasure, URL -- tf and benchMeasure are page globals in page.evaluate callbacks */
// `npm run bench`: the op against the one-hot composite (and, on cpu, a plain
// JavaScript fused loop), side by side in one run, on `cpu` in Node and on
// WebGL in headless Chromium. Prints a markdown table and the bars, and
// writes bench/results/latest.json and latest.svg; then the linear
// cross-entropy section (bench/linear.mjs). Figures only: no test.
import {createRequire} from 'node:module';
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

import * as esbuild from 'esbuild';
import {chromium} from 'playwright-core';

import {renderChart} from './chart.mjs';
import {benchLinear} from './linear.mjs';
import {evaluateBars, markdownTable} from './report.mjs';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SHAPES = [[128, 10], [512, 1000], [64, 32000], [8, 250000], [4096, 1024]];
const SCALE_SHAPE = [1, 2000000];
const log = message => process.stderr.write(`${message}\n`);

async function benchCpu() {
  const tf = require('@tensorflow/tfjs');
  require(join(root, 'dist', 'cjs', 'index.js'));
  const {measureShape, scaleCheck} = require('./measure.cjs');
  await tf.setBackend('cpu');
  const results = [];
  for (const shape of SHAPES) {
    log(`cpu ${JSON.stringify(shape)}`);
    results.push(await measureShape(tf, shape));
  }
  log(`cpu scale ${JSON.stringify(SCALE_SHAPE)}`);
  return {results, scale: await scaleCheck(tf, SCALE_SHAPE)};
}

const PAGE = `<!doctype html><meta charset="utf-8"><body>
<script src="/tf.min.js"></script>
<script src="/tf-sparse-softmax-cross-entropy.min.js"></script>
<script src="/measure.js"></script></body>`;

async function benchWebgl() {
  const measureBundle = (await esbuild.build({
    entryPoints: [join(root, 'bench', 'measure.cjs')], bundle: true,
    format: 'iife', globalName: 'benchMeasure', write: false,
    logLevel: 'error',
  })).outputFiles[0].text;
  const files = {
    '/': ['text/html', PAGE],
    '/tf.min.js': ['text/javascript', readFileSync(
        require.resolve('@tensorflow/tfjs/dist/tf.min.js'))],
    '/tf-sparse-softmax-cross-entropy.min.js': ['text/javascript',
      readFileSync(join(root, 'dist', 'tf-sparse-softmax-cross-entropy.min.js'))],
    '/measure.js': ['text/javascript', measureBundle],
  };
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--use-angle=swiftshader', '--disable-quic', '--no-sandbox',
      '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run'],
  });
  try {
    const page = await browser.newPage();
    await page.route('**/*', route => {
      const file = files[new URL(route.request().url()).pathname];
      return file ? route.fulfill({contentType: file[0], body: file[1]}) :
                    route.abort();
    });
    await page.goto('http://localhost/');
    const environment = await page.evaluate(async () => {
      await tf.setBackend('webgl');
      const gl = document.createElement('canvas').getContext('webgl2');
      const info = gl?.getExtension('WEBGL_debug_renderer_info');
      return {backend: tf.getBackend(),
        renderer: info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : null};
    });
    if (environment.backend !== 'webgl') {
      throw new Error(`WebGL is unavailable (backend ${environment.backend})`);
    }
    const results = [];
    // Logits uploaded from the CPU are unpacked textures; a Dense layer's
    // matMul writes packed ones (tfjs's default WEBGL_PACK). Both are timed.
    for (const packedLogits of [false, true]) {
      for (const shape of SHAPES) {
        log(`webgl ${JSON.stringify(shape)}${packedLogits ? ' packed' : ''}`);
        results.push(await page.evaluate(
            ([s, packed]) => benchMeasure.measureShape(tf, s, {packed}),
            [shape, packedLogits]));
      }
    }
    log(`webgl scale ${JSON.stringify(SCALE_SHAPE)}`);
    const scale = await page.evaluate(
        s => benchMeasure.scaleCheck(tf, s), SCALE_SHAPE);
    const recompilation = await page.evaluate(
        () => benchMeasure.recompilationCheck(tf, 1000));
    return {results, scale, recompilation, renderer: environment.renderer,
      chromium: browser.version()};
  } finally {
    await browser.close();
  }
}

const cpu = await benchCpu();
const webgl = await benchWebgl();
const machine = {
  cpu: os.cpus()[0]?.model, cores: os.cpus().length,
  memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version,
  chromium: webgl.chromium, webglRenderer: webgl.renderer,
  tfjs: require('@tensorflow/tfjs/package.json').version,
  date: new Date().toISOString(),
};
const results = [...cpu.results, ...webgl.results];
const report = {machine, results, bars: evaluateBars(results),
  scale: [cpu.scale, webgl.scale], recompilation: webgl.recompilation};

mkdirSync(join(root, 'bench', 'results'), {recursive: true});
writeFileSync(join(root, 'bench', 'results', 'latest.json'),
    JSON.stringify(report, null, 2) + '\n');
writeFileSync(join(root, 'bench', 'results', 'latest.svg'),
    renderChart(results, machine));
console.log(markdownTable(report));

// The output layer fused with the loss (bench/linear.mjs; results in
// bench/results/linear.json).
const linear = await benchLinear();
console.log('\n### Linear cross-entropy: an output layer\'s training step\n');
console.log(linear.markdown);
