/* global tf, benchMeasure -- tf and benchMeasure are page globals in page.evaluate callbacks */
// `npm run bench`: the op against the one-hot composite (and, on cpu, a plain
// JavaScript fused loop), side by side in one run, on `cpu` and `wasm` in
// Node and on WebGL and WebGPU in headless Chromium (SwiftShader). Prints a
// markdown table and the bars, and writes bench/results/latest.json and
// latest.svg; then the tfjs-node section (bench/tfjs_node.mjs) and the
// linear cross-entropy section (bench/linear.mjs).
// Figures only: no test.
import {createRequire} from 'node:module';
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

import * as esbuild from 'esbuild';
import {launchChromium, pageServing} from './chromium.mjs';

import {renderChart} from './chart.mjs';
import {benchLinear} from './linear.mjs';
import {benchTfjsNode} from './tfjs_node.mjs';
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

// wasm in Node (tfjs-backend-wasm's SIMD build, one thread): the same
// shapes, with this package's in-place kernels.
async function benchWasm() {
  const tf = require('@tensorflow/tfjs');
  require('@tensorflow/tfjs-backend-wasm');
  require(join(root, 'dist', 'cjs', 'index.js'));
  const {measureShape} = require('./measure.cjs');
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  await tf.setBackend('wasm');
  const results = [];
  for (const shape of SHAPES) {
    log(`wasm ${JSON.stringify(shape)}`);
    results.push(await measureShape(tf, shape));
  }
  await tf.setBackend('cpu');
  return {results};
}

/** A page with tfjs, `extraScripts` (a backend's bundle), ours and measure.js. */
function page(extraScripts) {
  return `<!doctype html><meta charset="utf-8"><body>
<script src="/tf.min.js"></script>
${extraScripts.map(src => `<script src="${src}"></script>`).join('\n')}
<script src="/tf-sparse-softmax-cross-entropy.min.js"></script>
<script src="/measure.js"></script></body>`;
}

async function siteFiles() {
  const measureBundle = (await esbuild.build({
    entryPoints: [join(root, 'bench', 'measure.cjs')], bundle: true,
    format: 'iife', globalName: 'benchMeasure', write: false,
    logLevel: 'error',
  })).outputFiles[0].text;
  return {
    '/webgl.html': ['text/html', page([])],
    '/webgpu.html': ['text/html', page(['/tf-backend-webgpu.min.js'])],
    '/tf.min.js': ['text/javascript', readFileSync(
        require.resolve('@tensorflow/tfjs/dist/tf.min.js'))],
    '/tf-backend-webgpu.min.js': ['text/javascript', readFileSync(
        require.resolve('@tensorflow/tfjs-backend-webgpu/dist/tf-backend-webgpu.min.js'))],
    '/tf-sparse-softmax-cross-entropy.min.js': ['text/javascript',
      readFileSync(join(root, 'dist', 'tf-sparse-softmax-cross-entropy.min.js'))],
    '/measure.js': ['text/javascript', measureBundle],
  };
}

/** The page's backend set up, and what it runs on. */
async function openBackendPage(browser, files, backend) {
  const page = await pageServing(browser, files);
  await page.goto(`http://localhost/${backend}.html`);
  const environment = await page.evaluate(async name => {
    await tf.setBackend(name);
    let renderer = null;
    if (name === 'webgl') {
      const gl = document.createElement('canvas').getContext('webgl2');
      const info = gl?.getExtension('WEBGL_debug_renderer_info');
      renderer = info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : null;
    } else {
      const {vendor, architecture, description} =
          tf.backend().adapterInfo ?? {};
      renderer = [vendor, architecture, description].filter(Boolean).join(' ');
    }
    return {backend: tf.getBackend(), renderer};
  }, backend);
  if (environment.backend !== backend) {
    throw new Error(`${backend} is unavailable (backend ${environment.backend})`);
  }
  return {page, renderer: environment.renderer};
}

/**
 * One GPU backend in its own page: every shape (on WebGL with unpacked and
 * with packed logits), the scale check and the recompilation check.
 */
async function benchBrowserBackend(browser, files, backend) {
  const {page, renderer} = await openBackendPage(browser, files, backend);
  // First, while nothing is compiled yet.
  const recompilation = await page.evaluate(
      () => benchMeasure.recompilationCheck(tf, 1000));
  const results = [];
  // Logits uploaded from the CPU are unpacked textures; a Dense layer's
  // matMul writes packed ones (tfjs's default WEBGL_PACK). Both are timed.
  // WebGPU has one buffer layout.
  for (const packedLogits of backend === 'webgl' ? [false, true] : [false]) {
    for (const shape of SHAPES) {
      log(`${backend} ${JSON.stringify(shape)}${packedLogits ? ' packed' : ''}`);
      results.push(await page.evaluate(
          ([s, packed]) => benchMeasure.measureShape(tf, s, {packed}),
          [shape, packedLogits]));
    }
  }
  log(`${backend} scale ${JSON.stringify(SCALE_SHAPE)}`);
  const scale = await page.evaluate(
      s => benchMeasure.scaleCheck(tf, s), SCALE_SHAPE);
  await page.close();
  return {results, scale, recompilation, renderer};
}

async function benchBrowser() {
  const files = await siteFiles();
  const browser = await launchChromium();
  try {
    const webgl = await benchBrowserBackend(browser, files, 'webgl');
    const webgpu = await benchBrowserBackend(browser, files, 'webgpu');
    return {webgl, webgpu, chromium: browser.version()};
  } finally {
    await browser.close();
  }
}

const cpu = await benchCpu();
const wasm = await benchWasm();
const {webgl, webgpu, chromium: chromiumVersion} = await benchBrowser();
const machine = {
  cpu: os.cpus()[0]?.model, cores: os.cpus().length,
  memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version,
  chromium: chromiumVersion, webglRenderer: webgl.renderer,
  webgpuAdapter: webgpu.renderer,
  tfjs: require('@tensorflow/tfjs/package.json').version,
  date: new Date().toISOString(),
};
const results =
    [...cpu.results, ...wasm.results, ...webgl.results, ...webgpu.results];
const report = {machine, results, bars: evaluateBars(results),
  scale: [cpu.scale, webgl.scale, webgpu.scale],
  recompilation: [webgl.recompilation, webgpu.recompilation]};

mkdirSync(join(root, 'bench', 'results'), {recursive: true});
writeFileSync(join(root, 'bench', 'results', 'latest.json'),
    JSON.stringify(report, null, 2) + '\n');
writeFileSync(join(root, 'bench', 'results', 'latest.svg'),
    renderChart(results, machine));
console.log(markdownTable(report));

// tfjs-node's 'tensorflow' backend: ours, the generic fallback and the
// composite (bench/tfjs_node.mjs; results in bench/results/tfjs_node.json).
console.log('\n### tfjs-node: a training step on the \'tensorflow\' backend\n');
console.log(await benchTfjsNode(SHAPES));

// The output layer fused with the loss (bench/linear.mjs; results in
// bench/results/linear.json).
const linear = await benchLinear();
console.log('\n### Linear cross-entropy: an output layer\'s training step\n');
console.log(linear.markdown);
