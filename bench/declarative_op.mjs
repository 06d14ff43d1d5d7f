// `node bench/declarative_op.mjs` (after `npm run build`): would the op cost
// nothing if it were declarative (convert, validate, reshape, runKernel, the
// registered gradient alone)? Times, interleaved in the same rounds, a
// training step on the op's `loss` (value and gradient of tf.mean(loss) with
// respect to the logits) as the op runs it today (under a tape: two tape
// nodes over one kernel run, aliases saved: src/ops/recorded_outputs.ts) and
// as a declarative op would (the forward kernel run under the tape, its
// registered gradient config: tfjs saves copies and hands the gradient a
// zeros dBackprop), on cpu and wasm in Node; and each step's peak bytes
// (tf.profile). Prints a markdown table; figures only, no test.
import {createRequire} from 'node:module';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tf = require('@tensorflow/tfjs');
require('@tensorflow/tfjs-backend-wasm');
const {sparseSoftmaxCrossEntropyWithLogits} =
    require(join(root, 'dist', 'cjs', 'index.js'));

const SHAPES = [[128, 10], [512, 1000], [64, 32000], [8, 250000]];
const ROUNDS = Number(process.env.ROUNDS ?? 15);

/** The two ways of running the op under a tape. */
const VARIANTS = {
  today: (logits, labels) =>
      sparseSoftmaxCrossEntropyWithLogits(logits, labels).loss,
  declarative: (logits, labels) => tf.engine().runKernel(
      'SparseSoftmaxCrossEntropyWithLogits', {features: logits, labels})[0],
};

function trainingStep(variant, logits, labels) {
  return tf.tidy(() => {
    const [dLogits] = tf.grads(
        x => tf.mean(VARIANTS[variant](x, labels)))([logits]);
    return dLogits;
  });
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

async function measure(backend, [batch, numClasses]) {
  const logits = tf.randomNormal([batch, numClasses], 0, 3);
  const labels = tf.randomUniformInt([batch], 0, numClasses);
  const names = Object.keys(VARIANTS);
  const times = Object.fromEntries(names.map(name => [name, []]));
  for (let round = -2; round < ROUNDS; round++) {
    // Alternate which variant goes first, so neither always follows the other.
    const order = round % 2 === 0 ? names : [...names].reverse();
    for (const name of order) {
      const t0 = performance.now();
      const dLogits = trainingStep(name, logits, labels);
      if (backend === 'cpu') {
        await dLogits.data();
      }
      const ms = performance.now() - t0;
      dLogits.dispose();
      if (round >= 0) {
        times[name].push(ms);
      }
    }
  }
  const peaks = {};
  for (const name of names) {
    const profile = await tf.profile(() => {
      trainingStep(name, logits, labels).dispose();
    });
    peaks[name] = profile.peakBytes;
  }
  tf.dispose([logits, labels]);
  return names.map(name => ({
    backend, shape: `[${batch}, ${numClasses}]`, name,
    ms: median(times[name]),
    spread: Math.max(...times[name]) / Math.min(...times[name]),
    peakMB: peaks[name] / 2 ** 20,
  }));
}

const rows = [];
for (const backend of ['cpu', 'wasm']) {
  if (backend === 'wasm') {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  }
  await tf.setBackend(backend);
  for (const shape of SHAPES) {
    process.stderr.write(`${backend} ${JSON.stringify(shape)}\n`);
    rows.push(...await measure(backend, shape));
  }
}
console.log(`training step on the op's loss, median of ${ROUNDS} interleaved ` +
    'rounds (max/min of the rounds in brackets), peak bytes by tf.profile\n');
console.log('| backend | shape | today ms | declarative ms | declarative / today | today peak MB | declarative peak MB |');
console.log('|---|---|---|---|---|---|---|');
for (let i = 0; i < rows.length; i += 2) {
  const [today, declarative] = rows.slice(i, i + 2);
  console.log(`| ${today.backend} | ${today.shape} | ` +
      `${today.ms.toFixed(2)} (${today.spread.toFixed(2)}x) | ` +
      `${declarative.ms.toFixed(2)} (${declarative.spread.toFixed(2)}x) | ` +
      `${(declarative.ms / today.ms).toFixed(2)} | ` +
      `${today.peakMB.toFixed(2)} | ${declarative.peakMB.toFixed(2)} |`);
}
