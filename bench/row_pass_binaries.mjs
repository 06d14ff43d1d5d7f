// `node bench/row_pass_binaries.mjs --dist NAME=DIR [--dist NAME=DIR ...]
// [--rounds N]` (each DIR a `dist/` built by `npm run build`, e.g. one of
// another commit as bench/row_passes.mjs's header says): each build's SIMD
// row passes, every build's binary instantiated on one WebAssembly.Memory
// in this one process, timed pass by pass on the same logits, alternating
// build by build within each round, beside tfjs-backend-wasm's `tf.softmax`
// on the same values. Where bench/row_passes.mjs times kernels through tfjs
// in child processes (so a change's effect on a step), this times only the
// binaries, without tfjs's work around them, so a change to
// `assembly/row_passes.ts` shows in one run even on a busy machine.
// Prints, per shape and pass, ns per logit (median, with the quartiles) and
// the median as a multiple of the softmax's. Figures only: no test.
/* global WebAssembly -- a Node global the shared eslint config does not list */
import {Buffer} from 'node:buffer';
import {createRequire} from 'node:module';
import {resolve} from 'node:path';

import {distsToCompare, option} from './command_line.mjs';
import {quantile} from './quartiles.cjs';

const require = createRequire(import.meta.url);
const builds = distsToCompare(resolve('dist'));
const ROUNDS = Number(option('rounds', 100));
const WARM_UP = 5;
const SHAPES = [[512, 1000], [64, 32000], [8, 250000], [4096, 1024]];
// The loss-only passes' options (soft cap 30, predictions) as the
// trailing arguments of `lossForward` and `lossGrad`: a build from before
// them ignores those, so its rows for them time the plain passes.
const PASSES = ['forward', 'lossForward', 'backpropGrad', 'lossGrad',
  'lossForward softcap', 'lossForward predictions', 'lossGrad softcap'];
const SOFTCAP = 30;

const tf = require('@tensorflow/tfjs');
require('@tensorflow/tfjs-backend-wasm');
tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
await tf.setBackend('wasm');

for (const [batch, numClasses] of SHAPES) {
  const size = batch * numClasses;
  const logits = tf.randomNormal([batch, numClasses], 0, 3, 'float32', 1);
  const labels = tf.randomUniformInt([batch], 0, numClasses, 2);
  // The heap: logits, backprop, dFeatures, then the row arrays and the
  // exp constants (the same for every build: written before each call).
  const featuresAt = 0;
  const backpropAt = featuresAt + 4 * size;
  const dFeaturesAt = backpropAt + 4 * size;
  const rowsAt = dFeaturesAt + 4 * size;
  const [labelsAt, lossAt, rowMaxAt, logSumExpAt, dLossAt, dLogSumExpAt] =
      [0, 1, 2, 3, 4, 5].map(i => rowsAt + i * 4 * batch);
  const constantsAt = rowsAt + 6 * 4 * batch;
  const memory = new WebAssembly.Memory(
      {initial: Math.ceil((constantsAt + 8192) / 65536)});
  new Float32Array(memory.buffer, featuresAt, size).set(logits.dataSync());
  new Int32Array(memory.buffer, labelsAt, batch).set(labels.dataSync());
  new Float32Array(memory.buffer, dLossAt, batch).fill(1 / batch);
  new Float32Array(memory.buffer, dLogSumExpAt, batch).fill(0);
  const instances = builds.map(([name, dir]) => {
    const {simdHex} = require(resolve(dir, 'cjs', 'kernels', 'row_passes',
        'row_passes_binary.js'));
    const exports = new WebAssembly.Instance(
        new WebAssembly.Module(Buffer.from(simdHex, 'hex')),
        {env: {memory}, Math: {log: Math.log}}).exports;
    return {name, exports};
  });
  const calls = {
    forward: e => e.forward(featuresAt, labelsAt, lossAt, backpropAt, batch,
        numClasses, constantsAt),
    lossForward: e => e.lossForward(featuresAt, labelsAt, lossAt, rowMaxAt,
        logSumExpAt, batch, numClasses, constantsAt, 0, 0),
    backpropGrad: e => e.backpropGrad(backpropAt, labelsAt, dLossAt, 0, false,
        dFeaturesAt, batch, numClasses),
    lossGrad: e => e.lossGrad(featuresAt, labelsAt, rowMaxAt, logSumExpAt,
        dLossAt, dLogSumExpAt, dFeaturesAt, batch, numClasses, constantsAt, 0),
    'lossForward softcap': e => e.lossForward(featuresAt, labelsAt, lossAt,
        rowMaxAt, logSumExpAt, batch, numClasses, constantsAt, 0, SOFTCAP),
    // The predictions into the dFeatures block (free in this pass).
    'lossForward predictions': e => e.lossForward(featuresAt, labelsAt, lossAt,
        rowMaxAt, logSumExpAt, batch, numClasses, constantsAt, dFeaturesAt, 0),
    'lossGrad softcap': e => e.lossGrad(featuresAt, labelsAt, rowMaxAt,
        logSumExpAt, dLossAt, dLogSumExpAt, dFeaturesAt, batch, numClasses,
        constantsAt, SOFTCAP),
  };
  const times = {softmax: []};
  for (let round = 0; round < ROUNDS + WARM_UP; round++) {
    let t0 = performance.now();
    tf.softmax(logits).dispose();
    if (round >= WARM_UP) times.softmax.push(performance.now() - t0);
    for (const pass of PASSES) {
      for (const {name, exports} of instances) {
        // Each build's own constants (the table's layout may differ), and
        // its own forward's rowMax and logSumExp for the loss gradient.
        exports.writeExpConstants(constantsAt);
        if (pass === 'lossGrad') calls.lossForward(exports);
        if (pass === 'lossGrad softcap') calls['lossForward softcap'](exports);
        t0 = performance.now();
        calls[pass](exports);
        const ms = performance.now() - t0;
        if (round >= WARM_UP) (times[`${pass} ${name}`] ??= []).push(ms);
      }
    }
  }
  const perLogit = ms => (ms * 1e6 / size).toFixed(3);
  const softmax = quantile(times.softmax, 0.5);
  console.log(`\n[${batch}, ${numClasses}], ${ROUNDS} rounds: ns/logit ` +
      'median (quartiles), x one tf.softmax');
  for (const [key, values] of Object.entries(times)) {
    const median = quantile(values, 0.5);
    console.log(`  ${key.padEnd(28)} ${perLogit(median)} ` +
        `(${perLogit(quantile(values, 0.25))}-${perLogit(quantile(values, 0.75))})` +
        (key === 'softmax' ? '' : ` ${(median / softmax).toFixed(2)}x`));
  }
  tf.dispose([logits, labels]);
}
