/* global tf, packedLogits -- tf and packedLogits are page globals in page.evaluate callbacks */
// `node bench/webgl_loss_step.mjs [--dist NAME=DIR ...] [--rounds N]
// [--shapes 512x1000,4096x1024] [--layouts unpacked,packed]
// [--variants opStep,lossStep]` (after `npm run build`): on WebGL in
// headless Chromium (SwiftShader), per shape and logits layout (unpacked as
// uploaded, packed as a matMul writes), the two first-order training steps
// (the op's, `mean(op(x).loss)`, and the loss's,
// `tf.losses.sparseSoftmaxCrossEntropy`, MEAN) and the kernels under them
// (the forward, the loss-only forward, each gradient kernel), each read with
// a blocking one-element `dataSync`; the peak of live WebGL textures during
// each step; and the programs both steps compile at a new batch size.
//
// Each `--dist` build (its UMD bundle) gets its own page in one browser;
// every round times every variant once in each page, the pages in
// alternating order, so the shared machine's drift falls on all builds
// alike. Prints, per figure, the median and quartiles over rounds (ms), and
// each build's loss step / op step per round, summarised the same way.
// Figures only: no test. A build of another commit to compare with: see
// bench/row_passes.mjs's header.
import {createRequire} from 'node:module';
import {readFileSync} from 'node:fs';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';

import {launchChromium, pageServing} from './chromium.mjs';
import {distsToCompare, option} from './command_line.mjs';
import {packedLogitsScript} from './packed_logits.cjs';
import {formatQuartiles as format, quartiles} from './quartiles.cjs';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dists = distsToCompare(join(root, 'dist'));
const rounds = Number(option('rounds', 15));
const shapes = option('shapes', '512x1000,64x32000,8x250000,4096x1024')
    .split(',').map(s => s.split('x').map(Number));
const layouts = option('layouts', 'unpacked,packed').split(',');
// `--variants opStep,lossStep` times only those (rounds run faster, so the
// two steps run closer together).
const only = option('variants', null)?.split(',');
const log = message => process.stderr.write(`${message}\n`);

function site(dist) {
  const tfjs = readFileSync(require.resolve('@tensorflow/tfjs/dist/tf.min.js'));
  const ours = readFileSync(
      join(resolve(dist), 'tf-sparse-softmax-cross-entropy.min.js'));
  return {
    '/': ['text/html', `<!doctype html><meta charset="utf-8">
<script src="/tf.min.js"></script><script src="/ours.js"></script>
<script src="/packed_logits.js"></script>`],
    '/tf.min.js': ['text/javascript', tfjs],
    '/ours.js': ['text/javascript', ours],
    '/packed_logits.js': ['text/javascript', packedLogitsScript],
  };
}

/** In the page: the variants of every case, kept on `window.cases`. */
async function setUp({shapes, layouts, only}) {
  await tf.setBackend('webgl');
  if (tf.getBackend() !== 'webgl') throw new Error('no webgl');
  const sync = t => {
    if (t.rank === 0) {
      t.dataSync();
      return;
    }
    const last = tf.tidy(() => tf.slice(
        t, t.shape.map(size => size - 1), t.shape.map(() => 1)));
    last.dataSync();
    last.dispose();
  };
  // Programs compiled by both steps at [5, 1000], then at [7, 1000] (a new
  // batch size must compile none), before anything else has run.
  // This package's programs: by their uniforms or inputs (as measure.cjs).
  const isOurs = ({program}) =>
    (program.customUniforms ?? []).some(
        u => ['chunkSize', 'numClasses'].includes(u.name)) ||
    ['features,rowTerms', 'values,rowScales', 'rowValues']
        .includes(program.variableNames.join(','));
  const compiled = () => {
    const binaries = Object.values(tf.backend().binaryCache);
    return {all: binaries.length, ours: binaries.filter(isOurs).length};
  };
  const stepsAt = batch => {
    const x = tf.randomNormal([batch, 1000]);
    const labels = tf.randomUniformInt([batch], 0, 1000);
    for (const f of [
      x => tf.mean(tf.sparseSoftmaxCrossEntropyWithLogits(x, labels).loss),
      x => tf.losses.sparseSoftmaxCrossEntropy(labels, x)]) {
      const {value, grad} = tf.valueAndGrad(f)(x);
      sync(grad);
      tf.dispose([value, grad]);
    }
    tf.dispose([x, labels]);
    return compiled();
  };
  const before = compiled();
  const afterFirst = stepsAt(5);
  const afterSecond = stepsAt(7);
  const programs = Object.fromEntries(['all', 'ours'].map(k => [k, {
    firstBatch: afterFirst[k] - before[k],
    newBatchSize: afterSecond[k] - afterFirst[k]}]));
  // Peak MB of live WebGL textures above those before, during `run`: the
  // backend's count (numBytesInGPU) after each texture it acquires.
  const backend = tf.backend();
  const acquireTexture = backend.acquireTexture.bind(backend);
  let peakBytes = 0;
  backend.acquireTexture = (...args) => {
    const texture = acquireTexture(...args);
    peakBytes = Math.max(peakBytes, backend.numBytesInGPU);
    return texture;
  };
  const gpuPeakMB = run => {
    const before = backend.numBytesInGPU;
    peakBytes = before;
    run();
    return (peakBytes - before) / 2 ** 20;
  };
  const peaks = {};
  window.cases = {};
  for (const [batch, numClasses] of shapes) {
    for (const layout of layouts) {
      let logits = tf.randomNormal([batch, numClasses], 0, 3, 'float32', 1);
      if (layout === 'packed') logits = packedLogits(tf, logits);
      const labels = tf.randomUniformInt([batch], 0, numClasses, 2);
      const {backprop} =
          tf.sparseSoftmaxCrossEntropyWithLogits(logits, labels);
      const [, rowMax, logSumExp] = tf.engine().runKernel(
          'SparseSoftmaxCrossEntropyLoss', {features: logits, labels});
      const dLoss = tf.fill([batch], 1 / batch);
      const dLogSumExp = tf.zeros([batch, 1]);
      const opStep = tf.valueAndGrad(x => tf.mean(
          tf.sparseSoftmaxCrossEntropyWithLogits(x, labels).loss));
      const lossStep = tf.valueAndGrad(x => tf.losses.sparseSoftmaxCrossEntropy(
          labels, x, undefined, 0, tf.Reduction.MEAN));
      const run = body => () => {
        const out = [body()].flat();
        out.forEach(sync);
        tf.dispose(out);
      };
      const step = f => run(() => {
        const {value, grad} = f(logits);
        return [value, grad];
      });
      const variants = {
        opStep: step(opStep),
        lossStep: step(lossStep),
        forwardKernel: run(() => tf.engine().runKernel(
            'SparseSoftmaxCrossEntropyWithLogits', {features: logits, labels})),
        backpropGradKernel: run(() => tf.engine().runKernel(
            'SparseSoftmaxCrossEntropyWithLogitsGrad',
            {backprop, labels, dLoss})),
        lossKernel: run(() => tf.engine().runKernel(
            'SparseSoftmaxCrossEntropyLoss', {features: logits, labels})),
        lossGradKernel: run(() => tf.engine().runKernel(
            'SparseSoftmaxCrossEntropyLossGrad', {features: logits, labels,
              rowMax, logSumExp, dLoss, dLogSumExp})),
        onePass: run(() => tf.neg(logits)),
      };
      for (const name of Object.keys(variants)) {
        if (only != null && !only.includes(name)) delete variants[name];
      }
      // Two warm-up calls each (compiles, texture pools).
      for (const v of Object.values(variants)) {
        v();
        v();
      }
      const key = `${layout} ${batch}x${numClasses}`;
      window.cases[key] = variants;
      peaks[key] = {opStep: gpuPeakMB(step(opStep)),
        lossStep: gpuPeakMB(step(lossStep))};
    }
  }
  return {keys: Object.keys(window.cases), programs, peaks};
}

/** In the page: each variant of `key` once, in ms. */
function timeRound(key) {
  const out = {};
  for (const [name, variant] of Object.entries(window.cases[key])) {
    const t0 = performance.now();
    variant();
    out[name] = performance.now() - t0;
  }
  return out;
}

const browser = await launchChromium({webgpu: false});
try {
  const pages = [];
  let keys;
  for (const [name, dir] of dists) {
    const files = site(dir);
    const page = await pageServing(browser, files);
    await page.goto('http://localhost/');
    log(`setting up ${name}`);
    const setup = await page.evaluate(setUp, {shapes, layouts, only});
    keys = setup.keys;
    pages.push({name, page, programs: setup.programs, peaks: setup.peaks});
  }
  // times[key][dist][variant] = one time per round.
  const times = Object.fromEntries(keys.map(key => [key,
    Object.fromEntries(dists.map(([name]) => [name, {}]))]));
  for (let r = 0; r < rounds; r++) {
    log(`round ${r + 1}/${rounds}`);
    const order = r % 2 === 0 ? pages : [...pages].reverse();
    for (const key of keys) {
      for (const {name, page} of order) {
        const round = await page.evaluate(timeRound, key);
        for (const [variant, ms] of Object.entries(round)) {
          (times[key][name][variant] ??= []).push(ms);
        }
      }
    }
  }
  console.log('Peak MB of live WebGL textures during one step (above ' +
      'those before): op step / loss step\n');
  console.log(`| case | ${pages.map(({name}) => name).join(' | ')} |`);
  console.log(`|---|${pages.map(() => '---:|').join('')}`);
  for (const key of keys) {
    console.log(`| ${key} | ${pages.map(({peaks}) =>
      `${peaks[key].opStep.toFixed(1)} / ${peaks[key].lossStep.toFixed(1)}`)
        .join(' | ')} |`);
  }
  console.log('');
  const variants = Object.keys(times[keys[0]][dists[0][0]]);
  console.log(`WebGL (SwiftShader), ${rounds} rounds, ms: median ` +
      '(quartiles); lossStep/opStep per round\n');
  for (const {name, programs} of pages) {
    const {all, ours} = programs;
    console.log(`${name}: both steps compiled ${all.firstBatch} WebGL ` +
        `programs (${ours.firstBatch} of this package) at [5, 1000], ` +
        `${all.newBatchSize} more (${ours.newBatchSize}) at [7, 1000]`);
  }
  console.log('');
  console.log(`| case | build | ${variants.join(' | ')} | loss/op |`);
  console.log(`|---|---|${variants.map(() => '---:|').join('')}---:|`);
  for (const key of keys) {
    for (const [name] of dists) {
      const t = times[key][name];
      const ratios = t.lossStep.map((ms, i) => ms / t.opStep[i]);
      console.log(`| ${key} | ${name} | ${variants.map(
          v => format(quartiles(t[v]))).join(' | ')} | ${
        format(quartiles(ratios), 2)} |`);
    }
  }
} finally {
  await browser.close();
}
