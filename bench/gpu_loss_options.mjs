/* global tf, packedLogits -- tf and packedLogits are page globals in page.evaluate callbacks */
// `node bench/gpu_loss_options.mjs [--rounds N] [--shapes 512x1000,...]
// [--backends webgl,webgpu]` (after `npm run build`): what `softcap` and
// `returnPredictions` cost on the GPU backends, in headless Chromium
// (SwiftShader). Per backend (WebGL with the logits as uploaded, unpacked,
// and as a matMul writes them, packed; WebGPU) and shape: a first-order
// training step of `tf.losses.sparseSoftmaxCrossEntropy` (MEAN) plain and
// with `softcap: 30`; its forward plain and with `returnPredictions`; and
// the loss-only kernel alone, plain, with `softcap` and with `predictions`,
// and its gradient kernel, plain and with `softcap` (the capped one reads
// the plain forward's row results: the same work).
// Each run ends with a read of one element of its last output
// (`await data()`).
//
// Every round times every variant of every case once, the variants in
// alternating order, the backends' pages one after another, so the shared
// machine's drift falls on all alike. Prints the median and quartiles over
// rounds (ms), and per round the ratios to the plain variant, summarised
// the same way. Figures only: no test.
import {createRequire} from 'node:module';
import {readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

import {launchChromium, pageServing} from './chromium.mjs';
import {option} from './command_line.mjs';
import {packedLogitsScript} from './packed_logits.cjs';
import {formatQuartiles as format, quartiles} from './quartiles.cjs';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const rounds = Number(option('rounds', 10));
const shapes = option('shapes', '512x1000,64x32000,4096x1024')
    .split(',').map(s => s.split('x').map(Number));
const backends = option('backends', 'webgl,webgpu').split(',');
const log = message => process.stderr.write(`${message}\n`);

function site() {
  const tfjs = '@tensorflow/tfjs/dist/tf.min.js';
  const webgpu = '@tensorflow/tfjs-backend-webgpu/dist/tf-backend-webgpu.min.js';
  const ours = join(root, 'dist', 'tf-sparse-softmax-cross-entropy.min.js');
  return {
    '/': ['text/html', `<!doctype html><meta charset="utf-8">
<script src="/tf.min.js"></script><script src="/webgpu.js"></script>
<script src="/ours.js"></script><script src="/packed_logits.js"></script>`],
    '/tf.min.js': ['text/javascript', readFileSync(require.resolve(tfjs))],
    '/webgpu.js': ['text/javascript', readFileSync(require.resolve(webgpu))],
    '/ours.js': ['text/javascript', readFileSync(ours)],
    '/packed_logits.js': ['text/javascript', packedLogitsScript],
  };
}

/** In the page: the variants of every case, kept on `window.cases`. */
async function setUp({backend, shapes}) {
  await tf.setBackend(backend);
  if (tf.getBackend() !== backend) throw new Error(`no ${backend}`);
  // One element of the last output read: the device runs programs in
  // order, so every variant waits for all it queued, at one read's cost.
  const read = async tensors => {
    const t = tensors[tensors.length - 1];
    const last = tf.tidy(() => tf.slice(t.reshape([-1]), [t.size - 1], [1]));
    await last.data();
    tf.dispose([last, ...tensors]);
  };
  const tensorsOf = result => result instanceof tf.Tensor ? [result] :
      Object.values(result).flat().filter(t => t instanceof tf.Tensor);
  const layouts = backend === 'webgl' ? ['unpacked', 'packed'] : ['buffer'];
  window.cases = {};
  for (const [batch, numClasses] of shapes) {
    for (const layout of layouts) {
      let logits = tf.randomNormal([batch, numClasses], 0, 3, 'float32', 1);
      if (layout === 'packed') logits = packedLogits(tf, logits);
      const labels = tf.randomUniformInt([batch], 0, numClasses, 2);
      const mean = tf.Reduction.MEAN;
      const loss = options => x =>
        tf.losses.sparseSoftmaxCrossEntropy(labels, x,
            {reduction: mean, ...options});
      const step = options => async () => {
        const {value, grad} = tf.valueAndGrad(loss(options))(logits);
        await read([value, grad]);
      };
      const forward = options => async () =>
        read(tensorsOf(loss(options)(logits)));
      const kernel = attrs => async () => read(tf.engine().runKernel(
          'SparseSoftmaxCrossEntropyLoss', {features: logits, labels}, attrs));
      const [, rowMax, logSumExp] = tf.engine().runKernel(
          'SparseSoftmaxCrossEntropyLoss', {features: logits, labels});
      const dLoss = tf.fill([batch], 1 / batch);
      const dLogSumExp = tf.zeros([batch, 1]);
      const gradKernel = attrs => async () => read([tf.engine().runKernel(
          'SparseSoftmaxCrossEntropyLossGrad', {features: logits, labels,
            rowMax, logSumExp, dLoss, dLogSumExp}, attrs)]);
      const variants = {
        step: step({}),
        stepSoftcap: step({softcap: 30}),
        forward: forward({}),
        forwardPredictions: forward({returnPredictions: true}),
        kernel: kernel({}),
        kernelSoftcap: kernel({softcap: 30}),
        kernelPredictions: kernel({predictions: true}),
        gradKernel: gradKernel({}),
        gradKernelSoftcap: gradKernel({softcap: 30}),
      };
      // Two warm-up runs each (compiles, texture and buffer pools).
      for (const v of Object.values(variants)) {
        await v();
        await v();
      }
      window.cases[`${backend} ${layout} ${batch}x${numClasses}`] = variants;
    }
  }
  return Object.keys(window.cases);
}

/** In the page: each variant of `key` once, in ms, in the given order. */
async function timeRound([key, reversed]) {
  const out = {};
  const entries = Object.entries(window.cases[key]);
  for (const [name, variant] of reversed ? entries.reverse() : entries) {
    const t0 = performance.now();
    await variant();
    out[name] = performance.now() - t0;
  }
  return out;
}

/** Each variant over the plain one it adds an option to. */
const RATIOS = [['stepSoftcap', 'step'], ['forwardPredictions', 'forward'],
  ['kernelSoftcap', 'kernel'], ['kernelPredictions', 'kernel'],
  ['gradKernelSoftcap', 'gradKernel']];

const browser = await launchChromium();
try {
  const files = site();
  const pages = [];
  for (const backend of backends) {
    const page = await pageServing(browser, files);
    await page.goto('http://localhost/');
    log(`setting up ${backend}`);
    pages.push({page, keys: await page.evaluate(setUp, {backend, shapes})});
  }
  const times = {};
  for (let r = 0; r < rounds; r++) {
    log(`round ${r + 1}/${rounds}`);
    for (const {page, keys} of pages) {
      for (const key of keys) {
        const round = await page.evaluate(timeRound, [key, r % 2 === 1]);
        for (const [variant, ms] of Object.entries(round)) {
          ((times[key] ??= {})[variant] ??= []).push(ms);
        }
      }
    }
  }
  const keys = Object.keys(times);
  const variants = Object.keys(times[keys[0]]);
  console.log(`SwiftShader, ${rounds} rounds, ms: median (quartiles)\n`);
  console.log(`| case | ${variants.join(' | ')} |`);
  console.log(`|---|${variants.map(() => '---:|').join('')}`);
  for (const key of keys) {
    console.log(`| ${key} | ${variants.map(
        v => format(quartiles(times[key][v]))).join(' | ')} |`);
  }
  console.log('\nPer round, each option over the plain run: median ' +
      '(quartiles)\n');
  console.log(`| case | ${RATIOS.map(([a, b]) => `${a}/${b}`).join(' | ')} |`);
  console.log(`|---|${RATIOS.map(() => '---:|').join('')}`);
  for (const key of keys) {
    const t = times[key];
    console.log(`| ${key} | ${RATIOS.map(([a, b]) => format(quartiles(
        t[a].map((ms, i) => ms / t[b][i])), 2)).join(' | ')} |`);
  }
} finally {
  await browser.close();
}
