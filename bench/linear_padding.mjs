/* global tf, tfSparseSoftmaxCrossEntropy, paddingBench -- page globals in page.evaluate callbacks */
// `npm run bench:padding [-- --rounds N --backends wasm,webgl,cpu]`:
// padding that costs nothing in the linear loss. One training step of
// `linearSparseSoftmaxCrossEntropy` (value and gradients to hidden, kernel
// and bias, default reduction) at [512, 64, 49815], with no label ignored
// and with half the labels `ignoreIndex`, alternating in the same rounds
// (which goes first flips each round), on wasm (Node, SIMD, one thread),
// cpu (Node) and WebGL (headless Chromium on SwiftShader). Labels are made
// from values each step, as a data pipeline's batch is: on WebGL that is
// what lets the loss find the padding rows without a read-back. Prints a
// markdown table: median [quartiles] ms of each, and the paired ratio
// (half padding over none, per round). Figures only: no test.
import {createRequire} from 'node:module';
import {readFileSync} from 'node:fs';
import os from 'node:os';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

import {launchChromium, pageServing} from './chromium.mjs';
import {option} from './command_line.mjs';
import {quartiles} from './quartiles.cjs';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SHAPE = [512, 64, 49815];
const log = message => process.stderr.write(`${message}\n`);

/** The measuring side, in Node and in the page alike. */
function benchSide() {
  const pkg = tfSparseSoftmaxCrossEntropy;
  let state = null;

  /** Waits for `t` (one element on a GPU: no download timed). */
  async function sync(t) {
    if (tf.getBackend() === 'wasm') return;
    if (tf.getBackend() === 'cpu' || t.rank === 0) {
      await t.data();
      return;
    }
    const last = tf.tidy(() => tf.slice(
        t, t.shape.map(size => size - 1), t.shape.map(() => 1)));
    await last.data();
    last.dispose();
  }

  globalThis.paddingBench = {
    setup([tokens, depth, numClasses]) {
      const labels = Array.from({length: tokens},
          (_, i) => (i * 7919) % numClasses);
      state = {
        tokens,
        hidden: tf.randomNormal([tokens, depth], 0, 1, 'float32', 1),
        kernel: tf.randomNormal([depth, numClasses], 0, 0.1, 'float32', 2),
        bias: tf.randomNormal([numClasses], 0, 0.1, 'float32', 3),
        labels: {
          none: labels,
          half: labels.map((label, i) => i % 2 === 1 ? -100 : label),
        },
      };
    },
    async step(name) {
      const t0 = performance.now();
      const labels = tf.tensor1d(state.labels[name], 'int32');
      const {value, grads} = tf.valueAndGrads((h, k, b) =>
        pkg.linearSparseSoftmaxCrossEntropy(labels, h, k,
            {bias: b, ignoreIndex: -100}))(
          [state.hidden, state.kernel, state.bias]);
      for (const t of [value, ...grads]) await sync(t);
      const ms = performance.now() - t0;
      tf.dispose([labels, value, ...grads]);
      return ms;
    },
    teardown() {
      tf.dispose([state.hidden, state.kernel, state.bias]);
      state = null;
      return tf.memory().numTensors;
    },
  };
}

async function nodeLane(backend) {
  const tf = require('@tensorflow/tfjs');
  require('@tensorflow/tfjs-backend-wasm');
  globalThis.tf = tf;
  globalThis.tfSparseSoftmaxCrossEntropy =
      require(join(root, 'dist', 'cjs', 'index.js'));
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  await tf.setBackend(backend);
  if (tf.getBackend() !== backend) throw new Error(`no ${backend} backend`);
  benchSide();
  return {call: (method, args) => paddingBench[method](...args),
    close: async () => {}};
}

async function webglLane(browser) {
  const files = {
    '/': ['text/html', '<!doctype html><meta charset="utf-8"><body>' +
        '<script src="/tf.min.js"></script><script src="/package.js">' +
        '</script><script src="/bench.js"></script>'],
    '/tf.min.js': ['text/javascript',
      readFileSync(require.resolve('@tensorflow/tfjs/dist/tf.min.js'))],
    '/package.js': ['text/javascript', readFileSync(
        join(root, 'dist', 'tf-sparse-softmax-cross-entropy.min.js'))],
    '/bench.js': ['text/javascript', `(${benchSide})();`],
  };
  const page = await pageServing(browser, files);
  await page.goto('http://localhost/');
  const backend = await page.evaluate(async () => {
    await tf.setBackend('webgl');
    return tf.getBackend();
  });
  if (backend !== 'webgl') throw new Error(`WebGL page: backend ${backend}`);
  return {
    call: (method, args) => page.evaluate(
        ([m, a]) => paddingBench[m](...a), [method, args]),
    close: () => page.close(),
  };
}

const cell = values => {
  const [q1, median, q3] = quartiles(values);
  const fmt = x => x.toFixed(x < 10 ? 2 : 0);
  return `${fmt(median)} [${fmt(q1)}, ${fmt(q3)}]`;
};

const rounds = Number(option('rounds', 5));
const backends = option('backends', 'wasm,webgl,cpu').split(',');
const loadBefore = os.loadavg();
const browser = backends.includes('webgl') ? await launchChromium({webgpu: false}) :
                                             null;
const lines = [
  `| backend | shape | no padding ms | half padding ms | half / none (paired, per round) |`,
  '| --- | --- | ---: | ---: | ---: |',
];
try {
  for (const backend of backends) {
    const lane = backend === 'webgl' ? await webglLane(browser) :
                                       await nodeLane(backend);
    await lane.call('setup', [SHAPE]);
    const times = {none: [], half: []};
    // One warm-up of each, then the rounds, the first step flipping.
    await lane.call('step', ['none']);
    await lane.call('step', ['half']);
    for (let r = 0; r < rounds; r++) {
      for (const name of r % 2 === 0 ? ['none', 'half'] : ['half', 'none']) {
        times[name].push(await lane.call('step', [name]));
        log(`${backend} round ${r} ${name}: ` +
            `${times[name][times[name].length - 1].toFixed(0)} ms`);
      }
    }
    const left = await lane.call('teardown', []);
    if (left !== 0) log(`${backend}: ${left} tensors left`);
    await lane.close();
    const [q1, median, q3] =
        quartiles(times.half.map((ms, r) => ms / times.none[r]));
    lines.push(`| ${backend} | [${SHAPE.join(', ')}] | ${cell(times.none)} | ` +
        `${cell(times.half)} | ${median.toFixed(2)} [${q1.toFixed(2)}, ` +
        `${q3.toFixed(2)}] |`);
  }
} finally {
  await browser?.close();
}
const load = values => values.map(v => v.toFixed(2)).join(', ');
console.log(`${new Date().toISOString()}; ${os.cpus().length} cores; tfjs ` +
    `${require('@tensorflow/tfjs/package.json').version}; ${rounds} rounds; ` +
    `load average before ${load(loadBefore)}, after ${load(os.loadavg())}.\n`);
console.log(lines.join('\n'));
