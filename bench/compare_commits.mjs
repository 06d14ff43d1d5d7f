/* global tf, tfSparseSoftmaxCrossEntropy, compareBench -- page globals in page.evaluate callbacks */
// `node bench/compare_commits.mjs --dist before=DIR --dist after=DIR
//     [--rounds N] [--backends webgl,webgpu,cpu,wasm]`
// (or `npm run bench:compare -- --dist ...`, which builds dist/ first):
// two (or more) builds of the package measured in the same run on the GPU
// backends, in headless Chromium on SwiftShader: WebGL with logits uploaded
// from the CPU (unpacked textures) and with logits in the packed layout a
// Dense layer's matMul writes, and WebGPU. Each build gets its own page (its own tfjs, kernel
// registry and GPU context) loading tfjs's bundles and the build's UMD
// bundle (DIR/tf-sparse-softmax-cross-entropy.min.js). Per shape, round by
// round, each page times one training step of each kind, the builds'
// order flipping every round (before, after; after, before; ...) so the
// shared machine's drift falls on all alike:
//   - op step: value and gradient of mean(op(x).loss) w.r.t. the logits;
//   - loss step: value and gradient of the package's
//     tf.losses.sparseSoftmaxCrossEntropy(labels, x, undefined, 0, MEAN);
// each synchronised on WebGL and WebGPU by awaiting data() of a one-element
// slice of the gradient (never dataSync: WebGPU). Then each step's peak bytes
// (tf.profile, above the bytes in use before). It prints per backend a
// markdown table: median [first quartile, third quartile] in ms per build,
// each build's ratio to the build before it on the command line (the
// ratio of the medians, and the median [quartiles] of the per-round paired
// ratios: each round's time over the other build's in the same round), and
// the peak MB. To judge noise, give the same build twice (an A/A pair,
// e.g. --dist a=DIR --dist a-again=DIR --dist b=DIR2). `--backends` may
// also name cpu and wasm (tfjs-backend-wasm's SIMD build, one thread): there
// each build runs in a forked Node process (DIR/cjs/index.js) that the
// parent drives round by round as it drives the pages, with the same
// in-page code (bench/row_passes.mjs times the kernels one by one). With no
// --dist, the worktree's dist/ alone. Figures only: no test.
//
// A build of another commit to compare with (as in bench/row_passes.mjs):
//   git archive REF | tar -x -C /tmp/base && ln -s "$PWD/node_modules" \
//       /tmp/base/ && (cd /tmp/base && node scripts/build.mjs)
// then --dist before=/tmp/base/dist --dist after=dist.
import {fork} from 'node:child_process';
import {createRequire} from 'node:module';
import {readFileSync} from 'node:fs';
import os from 'node:os';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';

import {launchChromium, pageServing} from './chromium.mjs';
import {args, distsToCompare, option} from './command_line.mjs';
import {packedLogits} from './packed_logits.cjs';
import {quartiles} from './quartiles.cjs';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SHAPES = [[512, 1000], [64, 32000], [8, 250000], [4096, 1024]];
const STEPS = ['opStep', 'lossStep'];
const UMD = 'tf-sparse-softmax-cross-entropy.min.js';
const log = message => process.stderr.write(`${message}\n`);

/**
 * The measuring side, run in each page and each Node child and installed
 * as `compareBench`: the tensors and the two steps of one shape, one timed
 * step, one step's peak bytes. It uses only the build's public exports
 * (the UMD global in a page, the CommonJS entry in Node), so any build of
 * the package can be measured. `packedLogits` is `packed_logits.cjs`'s,
 * passed in because the page gets this function as source.
 */
function pageSide(packedLogits) {
  const pkg = tfSparseSoftmaxCrossEntropy;
  let state = null;

  /**
   * Waits until `t` is computed. On a GPU, reads a one-element slice of its
   * last element in its own rank (reading `t` whole would time the
   * download); on cpu `data()` is a plain read; on wasm the kernels have run
   * when the op returns, and `data()` or `slice` would copy the tensor out
   * of the heap (bench/measure.cjs's sync, for the same reasons).
   */
  async function sync(t) {
    if (tf.getBackend() === 'cpu') {
      await t.data();
      return;
    }
    if (tf.getBackend() === 'wasm') return;
    const last = tf.tidy(() => tf.slice(
        t, t.shape.map(size => size - 1), t.shape.map(() => 1)));
    await last.data();
    last.dispose();
  }

  async function runStep(name) {
    const {value, grad} = state.steps[name](state.logits);
    await sync(grad);
    tf.dispose([value, grad]);
  }

  globalThis.compareBench = {
    async setup([batch, numClasses], packed) {
      let logits = tf.randomNormal([batch, numClasses], 0, 3, 'float32', 1);
      if (packed) logits = packedLogits(tf, logits);
      const labels = tf.randomUniformInt([batch], 0, numClasses, 2);
      state = {logits, labels, steps: {
        opStep: tf.valueAndGrad(x => tf.mean(
            pkg.sparseSoftmaxCrossEntropyWithLogits(x, labels).loss)),
        lossStep: tf.valueAndGrad(x => pkg.sparseSoftmaxCrossEntropy(
            labels, x, undefined, 0, tf.Reduction.MEAN)),
      }};
      // Two warm-up runs of each: shaders compiled, textures pooled.
      for (let i = 0; i < 2; i++) {
        for (const name of Object.keys(state.steps)) await runStep(name);
      }
    },
    async time(name) {
      const t0 = performance.now();
      await runStep(name);
      return performance.now() - t0;
    },
    async peakBytes(name) {
      const before = tf.memory().numBytes;
      const profile = await tf.profile(() => {
        const {value, grad} = state.steps[name](state.logits);
        return [value, grad];
      });
      tf.dispose(profile.result);
      return profile.peakBytes - before;
    },
    teardown() {
      tf.dispose([state.logits, state.labels]);
      state = null;
      return tf.memory().numTensors;
    },
  };
}

function siteFiles(dist) {
  const tfjs = file => readFileSync(require.resolve(file));
  const page = scripts => '<!doctype html><meta charset="utf-8"><body>\n' +
      scripts.map(src => `<script src="${src}"></script>`).join('\n');
  const ours = ['/package.js', '/compare.js'];
  return {
    '/webgl.html': ['text/html', page(['/tf.min.js', ...ours])],
    '/webgpu.html': ['text/html',
      page(['/tf.min.js', '/tf-backend-webgpu.min.js', ...ours])],
    '/tf.min.js': ['text/javascript', tfjs('@tensorflow/tfjs/dist/tf.min.js')],
    '/tf-backend-webgpu.min.js': ['text/javascript',
      tfjs('@tensorflow/tfjs-backend-webgpu/dist/tf-backend-webgpu.min.js')],
    '/package.js': ['text/javascript', readFileSync(join(dist, UMD))],
    '/compare.js': ['text/javascript', `(${pageSide})(${packedLogits});`],
  };
}

/** A page (its own context) of one build on `backend`, checked to run there. */
async function openPage(browser, files, backend) {
  const page = await pageServing(browser, files);
  const errors = [];
  page.on('pageerror', error => errors.push(error.message));
  await page.goto(`http://localhost/${backend}.html`);
  const got = await page.evaluate(async name => {
    await tf.setBackend(name);
    return {backend: tf.getBackend(), loaded: typeof compareBench === 'object'};
  }, backend);
  if (got.backend !== backend || !got.loaded) {
    throw new Error(`${backend} page: backend ${got.backend}, ` +
        `bench ${got.loaded ? 'loaded' : 'missing'}; ${errors.join('; ')}`);
  }
  return page;
}

/**
 * A forked Node process with one build on `backend` (cpu or wasm), driven
 * like a page: `call(method, args)` runs `compareBench[method](...args)`
 * there.
 */
async function openNodeLane(dir, backend) {
  const child = fork(fileURLToPath(import.meta.url), ['--node-child', dir, backend]);
  const pending = new Map();
  let next = 0;
  const ready = new Promise((resolveReady, reject) => {
    child.once('message', message => message.backend === backend ?
        resolveReady() : reject(new Error(`${backend} child: ${message.backend}`)));
    child.once('error', reject);
    child.once('exit', code => reject(new Error(`${backend} child exited (${code})`)));
  });
  await ready;
  child.once('exit', code => {
    for (const {reject} of pending.values()) {
      reject(new Error(`${backend} child exited (${code})`));
    }
  });
  child.on('message', ({id, result, error}) => {
    const {resolveCall, reject} = pending.get(id);
    pending.delete(id);
    if (error != null) reject(new Error(error)); else resolveCall(result);
  });
  return {
    call: (method, callArgs) => new Promise((resolveCall, reject) => {
      pending.set(next, {resolveCall, reject});
      child.send({id: next++, method, args: callArgs});
    }),
    close: async () => {
      child.disconnect();
      await new Promise(done => child.once('exit', done));
    },
  };
}

/** The forked side: tfjs, the build's CommonJS entry, the page's code. */
async function nodeChild(dist, backend) {
  const tf = require('@tensorflow/tfjs');
  require('@tensorflow/tfjs-backend-wasm');
  globalThis.tf = tf;
  globalThis.tfSparseSoftmaxCrossEntropy = require(resolve(dist, 'cjs', 'index.js'));
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  await tf.setBackend(backend);
  pageSide(packedLogits);
  process.on('message', async ({id, method, args: callArgs}) => {
    try {
      process.send({id, result: await compareBench[method](...callArgs)});
    } catch (error) {
      process.send({id, error: String(error?.stack ?? error)});
    }
  });
  process.send({backend: tf.getBackend()});
}

/** A page of one build on a GPU backend, driven as a Node lane is. */
async function openBrowserLane(browser, dir, backend) {
  const page = await openPage(browser, siteFiles(dir), backend);
  return {
    call: (method, callArgs) => page.evaluate(
        ([m, a]) => compareBench[m](...a), [method, callArgs]),
    close: () => page.close(),
  };
}

/** Peak MB of each build, and whether their bytes are equal. */
const peakCell = bytes => bytes.map(b => (b / 2 ** 20).toFixed(2)).join(' / ') +
    (bytes.length > 1 && bytes.every(b => b === bytes[0]) ? ' (equal)' : '');


/**
 * One backend lane, every shape: a page (or, with no browser, a Node child)
 * per build, rounds alternating the builds' order.
 * samples[step][build] = ms per round; peaks[step][build] = bytes.
 */
async function measureLane(browser, dists, backend, packed, rounds) {
  const runners = [];
  for (const [, dir] of dists) {
    runners.push(browser == null ? await openNodeLane(dir, backend) :
      await openBrowserLane(browser, dir, backend));
  }
  const out = {};
  try {
    for (const shape of SHAPES) {
      log(`${backend}${packed ? ' packed' : ''} ${JSON.stringify(shape)}`);
      const samples = Object.fromEntries(STEPS.map(step => [step,
        dists.map(() => [])]));
      for (const runner of runners) await runner.call('setup', [shape, packed]);
      for (let r = 0; r < rounds; r++) {
        const order = dists.map((_, i) => i);
        if (r % 2 === 1) order.reverse();
        const steps = r % 4 < 2 ? STEPS : [...STEPS].reverse();
        for (const i of order) {
          for (const step of steps) {
            samples[step][i].push(await runners[i].call('time', [step]));
          }
        }
      }
      const peaks = Object.fromEntries(STEPS.map(step => [step, []]));
      for (const [i, runner] of runners.entries()) {
        for (const step of STEPS) {
          peaks[step][i] = await runner.call('peakBytes', [step]);
        }
        const leftTensors = await runner.call('teardown', []);
        if (leftTensors !== 0) {
          log(`  ${dists[i][0]}: ${leftTensors} tensors left after the shape`);
        }
      }
      out[shape.join('x')] = {samples, peaks};
    }
  } finally {
    for (const runner of runners) await runner.close();
  }
  return out;
}

function laneTable(lane, names, rounds) {
  const fmt = ms => ms.toFixed(ms < 10 ? 2 : 1);
  const cell = values => {
    const [q1, median, q3] = quartiles(values);
    return `${fmt(median)} [${fmt(q1)}, ${fmt(q3)}]`;
  };
  // Each build against the one before it.
  const pairs = names.slice(1).map((_, k) => [k + 1, k]);
  const lines = [
    `| shape | step | ${names.map(n => `${n} ms`).join(' | ')} | ` +
    pairs.map(([a, b]) => `${names[a]} / ${names[b]} (medians) | ` +
        `${names[a]} / ${names[b]} paired, per round | `).join('') +
    `peak MB (${names.join(' / ')}) |`,
    `| --- | --- |${names.map(() => ' ---: |').join('')}` +
    `${pairs.map(() => ' ---: | ---: |').join('')} ---: |`,
  ];
  for (const [batch, numClasses] of SHAPES) {
    const {samples, peaks} = lane[`${batch}x${numClasses}`];
    for (const step of STEPS) {
      const times = samples[step];
      const ratios = pairs.map(([a, b]) => {
        const ofMedians = quartiles(times[a])[1] / quartiles(times[b])[1];
        const [q1, median, q3] = quartiles(
            times[a].map((ms, r) => ms / times[b][r]));
        return `${ofMedians.toFixed(3)} | ${median.toFixed(3)} ` +
            `[${q1.toFixed(3)}, ${q3.toFixed(3)}]`;
      });
      lines.push(`| [${batch}, ${numClasses}] | ${step === 'opStep' ?
          'op' : 'loss (MEAN)'} | ${times.map(cell).join(' | ')} | ` +
          ratios.map(cells => `${cells} | `).join('') +
          `${peakCell(peaks[step])} |`);
    }
  }
  lines.push('', `${rounds} rounds per shape; ms: median [first quartile, ` +
      'third quartile]; paired: each round\'s time over the other build\'s ' +
      'in the same round, median [quartiles].');
  return lines.join('\n');
}

if (args[0] === '--node-child') {
  await nodeChild(args[1], args[2]);
} else {
  await main();
}

async function main() {
  const dists = distsToCompare(join(root, 'dist'));
  const rounds = Number(option('rounds', 30));
  const backends = option('backends', 'webgl,webgpu').split(',');
  const inNode = backend => backend === 'cpu' || backend === 'wasm';
  const lanes = backends.flatMap(backend => backend === 'webgl' ?
      [['webgl', false], ['webgl', true]] : [[backend, false]]);

  const loadBefore = os.loadavg();
  const tables = [];
  const browser = lanes.every(([backend]) => inNode(backend)) ? null :
    await launchChromium();
  const chromiumVersion = browser?.version();
  try {
    for (const [backend, packed] of lanes) {
      const lane = await measureLane(inNode(backend) ? null : browser, dists,
          backend, packed, rounds);
      tables.push(`### ${backend}${backend === 'webgl' ?
          (packed ? ' packed' : ' unpacked') : ''}` +
          `${inNode(backend) ? ' (Node)' : ''}\n\n` +
          laneTable(lane, dists.map(([name]) => name), rounds));
    }
  } finally {
    await browser?.close();
  }
  const loadAfter = os.loadavg();
  const load = values => values.map(v => v.toFixed(2)).join(', ');
  console.log(`Builds: ${dists.map(([name, dir]) => `${name} = ${dir}`).join('; ')}.`);
  console.log(`${new Date().toISOString()}; ${os.cpus().length} cores; ` +
      `${chromiumVersion ? `Chromium ${chromiumVersion} (SwiftShader); ` : ''}tfjs ` +
      `${require('@tensorflow/tfjs/package.json').version}; load average ` +
      `(1, 5, 15 min) before ${load(loadBefore)}, after ${load(loadAfter)}.`);
  for (const table of tables) console.log(`\n${table}`);
}
