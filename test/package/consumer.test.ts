/**
 * The package as a user gets it: `npm pack`, installed into an empty project
 * next to `@tensorflow/tfjs`, then used from CommonJS (namespace and chained
 * method, graph models without the `/converter` entry, in both load orders),
 * ES modules, and strict TypeScript. Needs the build (`npm test` builds
 * first).
 */
import {execFileSync} from 'node:child_process';
import {mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {dirname, join} from 'node:path';

import {SPARSE_XENT_GRAPH} from '../graph_def';

const root = join(__dirname, '..', '..');
let project: string;

function run(command: string, args: string[], cwd = project): string {
  try {
    return execFileSync(command, args, {cwd, encoding: 'utf8', stdio: 'pipe'});
  } catch (error) {
    const {stdout, stderr} = error as {stdout?: string, stderr?: string};
    throw new Error(`${command} ${args.join(' ')} failed:\n${stdout}\n${stderr}`);
  }
}

function node(file: string, source: string): string {
  writeFileSync(join(project, file), source);
  return run(process.execPath, [file]);
}

// TF's test case, checked the same way by every consumer script.
const CHECK = `
function check(result, how) {
  const loss = Array.from(result.loss.dataSync());
  const backprop = Array.from(result.backprop.dataSync());
  const wantLoss = [1.3862944, 3.4401897];
  const wantBackprop = [0.25, 0.25, 0.25, -0.75,
      -0.9679414, 0.0871443, 0.2368828, 0.6439143];
  const close = (a, b) => a.length === b.length &&
      a.every((v, i) => Math.abs(v - b[i]) < 1e-5);
  if (!close(loss, wantLoss) || !close(backprop, wantBackprop)) {
    throw new Error(how + ': got ' + loss + ' / ' + backprop);
  }
  console.log('ok ' + how);
}
const FEATURES = [[1, 1, 1, 1], [1, 2, 3, 4]];
const LABELS = [3, 0];
`;

let tarball: string;
let shipped: string[];

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'sparse-xent-consumer-'));
  const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination',
      project], root)) as Array<{filename: string, files: Array<{path: string}>}>;
  tarball = join(project, packed[0].filename);
  shipped = packed[0].files.map(f => f.path).sort();
  writeFileSync(join(project, 'package.json'),
      '{"name": "consumer", "version": "1.0.0", "private": true}\n');
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline',
    '--loglevel=error', tarball,
    '@tensorflow/tfjs@4.22.0', '@tensorflow/tfjs-backend-wasm@4.22.0',
    'typescript@5.9.3']);
}, 300000);

afterAll(() => rmSync(project, {recursive: true, force: true}));

it('ships the builds, tfjs-node\'s installer, and of the sources only those the source maps name', () => {
  expect(shipped.filter(p => !/^(dist\/|src\/|README\.md$|LICENSE$|package\.json$|scripts\/install_tfjs_node\.mjs$)/
                              .test(p))).toEqual([]);
  // tfjs-node's installer for machines that cannot reach its CDN.
  expect(shipped).toContain('scripts/install_tfjs_node.mjs');
  expect(shipped).toContain('dist/tf-sparse-softmax-cross-entropy.min.js');
  for (const format of ['cjs', 'esm']) {
    for (const entry of ['index', 'converter']) {
      expect(shipped).toContain(`dist/${format}/${entry}.js`);
      expect(shipped).toContain(`dist/${format}/${entry}.d.ts`);
    }
  }
  expect(shipped.filter(p => /(^|\/)(test|bench|demo)\/|\.test\./.test(p)))
      .toEqual([]);
  // Every source a map names is shipped, and every shipped source is named.
  const installed = join(project, 'node_modules',
      'tfjs-sparse-softmax-cross-entropy');
  const named = new Set<string>();
  for (const map of shipped.filter(p => p.endsWith('.js.map'))) {
    const {sources} = JSON.parse(readFileSync(join(installed, map), 'utf8')) as
        {sources: string[]};
    for (const source of sources) {
      named.add(join(dirname(map), source));
    }
  }
  const sources = shipped.filter(p => p.startsWith('src/'));
  expect([...named].filter(p => !sources.includes(p))).toEqual([]);
  expect(sources.filter(p => !named.has(p))).toEqual([]);
});

it('publint and @arethetypeswrong/cli find nothing wrong with the tarball', () => {
  // Both exit non-zero on an error; attw checks `.` and `./converter` under
  // node10, node16 (CommonJS and ESM) and bundler resolution.
  const publint = run('npx', ['--no-install', 'publint', '--strict', tarball],
      root);
  expect(publint).not.toMatch(/Errors:|Warnings:/);
  // Its one suggestion, a root "type": "commonjs", is declined: with it
  // Vite 8 (Rolldown) wraps every dist/esm module in a lazy initialiser,
  // and the package's share of the bundler lane's WebGL app grew from 21.7
  // to 27.8 KB gzipped. Its suggestion to move the `browser` object (which
  // keeps tfjs-node's kernels out of browser bundles) to `imports` with a
  // "browser" condition is declined too: the `imports` of the nearest
  // package.json apply, which for dist/ is the folder's own (its "type"),
  // where publint counts `imports` an error. The folders' package.json
  // carry the same `browser` object, which Vite and Rollup read.
  const suggestions = publint.split('Suggestions:')[1] ?? '';
  expect(suggestions.split('\n').filter(line => /^\d+\./.test(line.trim()))
      .filter(line => !line.includes('"type" field') &&
          !line.includes('pkg.browser with an object value'))).toEqual([]);
  expect(run('npx', ['--no-install', 'attw', tarball, '--format', 'ascii'],
      root)).toContain('No problems found');
});

it('ships the script-tag bundle the browser lane tests, named by unpkg and jsdelivr', () => {
  const installed = join(project, 'node_modules', 'tfjs-sparse-softmax-cross-entropy');
  const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
  expect(manifest.unpkg).toBe('dist/tf-sparse-softmax-cross-entropy.min.js');
  expect(manifest.jsdelivr).toBe(manifest.unpkg);
  // test/browser/umd.test.ts loads the root dist/ copy with script tags.
  expect(readFileSync(join(installed, manifest.unpkg), 'utf8'))
      .toBe(readFileSync(join(root, manifest.unpkg), 'utf8'));
});

it('installs with no install scripts and only tfjs peers', () => {
  const manifest = JSON.parse(run('npm', ['pkg', 'get', 'scripts',
      'dependencies', 'peerDependencies'],
      join(project, 'node_modules', 'tfjs-sparse-softmax-cross-entropy')));
  expect(Object.keys(manifest.scripts ?? {}).filter(
      s => /install|prepare/.test(s))).toEqual([]);
  expect(manifest.dependencies ?? {}).toEqual({});
  expect(Object.keys(manifest.peerDependencies).every(
      name => name.startsWith('@tensorflow/'))).toBe(true);
  expect(readdirSync(join(project, 'node_modules')))
      .toContain('tfjs-sparse-softmax-cross-entropy');
});

it('CommonJS: tf namespace and chained method, tfjs loaded first', () => {
  const out = node('tfjs_first.cjs', `${CHECK}
const tf = require('@tensorflow/tfjs');
const {sparseSoftmaxCrossEntropyWithLogits} =
    require('tfjs-sparse-softmax-cross-entropy');
tf.setBackend('cpu');
check(tf.sparseSoftmaxCrossEntropyWithLogits(FEATURES, LABELS), 'namespace');
check(tf.tensor2d(FEATURES).sparseSoftmaxCrossEntropyWithLogits(LABELS), 'chained');
check(sparseSoftmaxCrossEntropyWithLogits(FEATURES, LABELS), 'named');
check(require('@tensorflow/tfjs-core')
    .sparseSoftmaxCrossEntropyWithLogits(FEATURES, LABELS), 'tfjs-core');
const g = tf.grad(x => tf.sum(tf.sparseSoftmaxCrossEntropyWithLogits(x, LABELS).loss));
console.log('grad ' + Array.from(g(tf.tensor2d(FEATURES)).dataSync()).length);
`);
  expect(out).toContain('ok namespace');
  expect(out).toContain('ok chained');
  expect(out).toContain('ok tfjs-core');
  expect(out).toContain('grad 8');
});

it('CommonJS: the package loaded before @tensorflow/tfjs', () => {
  const out = node('package_first.cjs', `${CHECK}
require('@tensorflow/tfjs-core');
require('tfjs-sparse-softmax-cross-entropy');
const tf = require('@tensorflow/tfjs');
tf.setBackend('cpu');
check(tf.sparseSoftmaxCrossEntropyWithLogits(FEATURES, LABELS), 'namespace');
`);
  expect(out).toContain('ok namespace');
});

it('CommonJS: TF\'s out-of-range label error', () => {
  const out = node('bad_label.cjs', `
const tf = require('@tensorflow/tfjs');
require('tfjs-sparse-softmax-cross-entropy');
tf.setBackend('cpu');
try {
  tf.sparseSoftmaxCrossEntropyWithLogits(tf.zeros([4, 4]), [4, 3, 0, -1]);
} catch (e) { console.log(e.message); }
`);
  expect(out).toContain('Received a label value of -1 which is outside the ' +
      'valid range of [0, 4).  Label values: 4 3 0 -1');
});

it('ES modules: the named import (ESM namespaces are frozen)', () => {
  const out = node('esm.mjs', `${CHECK}
import * as tf from '@tensorflow/tfjs';
import {sparseSoftmaxCrossEntropyWithLogits} from 'tfjs-sparse-softmax-cross-entropy';
await tf.setBackend('cpu');
check(sparseSoftmaxCrossEntropyWithLogits(FEATURES, LABELS), 'esm named');
check(tf.tensor2d(FEATURES).sparseSoftmaxCrossEntropyWithLogits(LABELS), 'esm chained');
`);
  expect(out).toContain('ok esm named');
  expect(out).toContain('ok esm chained');
});

// A graph using the op, as tfjs-converter reads a TensorFlow GraphDef.
const GRAPH = `{
  modelTopology: ${JSON.stringify(SPARSE_XENT_GRAPH)},
  weightSpecs: [], weightData: new ArrayBuffer(0),
}`;

it('CommonJS: tf.losses, the converter entry and the wasm fallback', () => {
  const out = node('integrations.cjs', `${CHECK}
const tf = require('@tensorflow/tfjs');
require('@tensorflow/tfjs-backend-wasm');
require('tfjs-sparse-softmax-cross-entropy/converter');
(async () => {
  await tf.setBackend('cpu');
  const loss = tf.losses.sparseSoftmaxCrossEntropy(LABELS, FEATURES);
  console.log('losses ' + loss.dataSync()[0].toFixed(5));
  const model = await tf.loadGraphModel(tf.io.fromMemory(${GRAPH}));
  const [l, b] = model.execute({features: tf.tensor2d(FEATURES),
      labels: tf.tensor1d(LABELS, 'int32')}, ['xent:0', 'xent:1']);
  check({loss: l, backprop: b}, 'converter');
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  await tf.setBackend('wasm');
  check(tf.sparseSoftmaxCrossEntropyWithLogits(FEATURES, LABELS), 'wasm');
  const g = tf.grad(x => tf.losses.sparseSoftmaxCrossEntropy(LABELS, x))(
      tf.tensor2d(FEATURES));
  console.log(tf.getBackend() + ' grad ' + g.shape);
})().catch(e => { console.log(e.stack); process.exitCode = 1; });
`);
  expect(out).toContain('losses 2.41324');
  expect(out).toContain('ok converter');
  expect(out).toContain('ok wasm');
  expect(out).toContain('wasm grad 2,4');
});

it('CommonJS: the main entry loads and runs without tfjs-converter', () => {
  const out = node('no_converter.cjs', `${CHECK}
const Module = require('module');
const load = Module._load;
Module._load = function(request, ...rest) {
  if (request.startsWith('@tensorflow/tfjs-converter')) {
    throw new Error('tfjs-converter is not installed');
  }
  return load.call(this, request, ...rest);
};
const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');
const pkg = require('tfjs-sparse-softmax-cross-entropy');
check(pkg.sparseSoftmaxCrossEntropyWithLogits(FEATURES, LABELS), 'without');
console.log('loss ' + tf.losses.sparseSoftmaxCrossEntropy(LABELS, FEATURES)
    .dataSync()[0].toFixed(5));
`);
  expect(out).toContain('ok without');
  expect(out).toContain('loss 2.41324');
});

it('ES modules: the converter entry and the named loss', () => {
  const out = node('esm_integrations.mjs', `${CHECK}
import * as tf from '@tensorflow/tfjs';
import {sparseSoftmaxCrossEntropy} from 'tfjs-sparse-softmax-cross-entropy/converter';
await tf.setBackend('cpu');
console.log('named ' + sparseSoftmaxCrossEntropy(LABELS, FEATURES)
    .dataSync()[0].toFixed(5));
console.log('attached ' + (tf.losses.sparseSoftmaxCrossEntropy ===
    sparseSoftmaxCrossEntropy));
const model = await tf.loadGraphModel(tf.io.fromMemory(${GRAPH}));
console.log('xent:1 ' + model.execute({features: tf.tensor2d(FEATURES),
    labels: tf.tensor1d(LABELS, 'int32')}, 'xent:1').shape);
`);
  expect(out).toContain('named 2.41324');
  expect(out).toContain('attached true');
  expect(out).toContain('xent:1 2,4');
});

// No `/converter` needed: the main entry registers the op with a converter
// that CommonJS shows it, loaded before or after the package.
it.each([
  ['@tensorflow/tfjs', 'tfjs-sparse-softmax-cross-entropy'],
  ['tfjs-sparse-softmax-cross-entropy', '@tensorflow/tfjs'],
  ['@tensorflow/tfjs-converter', 'tfjs-sparse-softmax-cross-entropy'],
  ['tfjs-sparse-softmax-cross-entropy', '@tensorflow/tfjs-converter'],
])('CommonJS: a graph model with the main entry, %s loaded before %s',
    (first, second) => {
      const out = node('graph_model.cjs', `${CHECK}
const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');
require('${first}');
require('${second}');
const {loadGraphModel} = require('@tensorflow/tfjs-converter');
(async () => {
  await tf.setBackend('cpu');
  const model = await loadGraphModel(tf.io.fromMemory(${GRAPH}));
  const [loss, backprop] = model.execute({features: tf.tensor2d(FEATURES),
      labels: tf.tensor1d(LABELS, 'int32')}, ['xent:0', 'xent:1']);
  check({loss, backprop}, 'graph model');
})().catch(e => { console.log(e.message); process.exitCode = 1; });
`);
      expect(out).toContain('ok graph model');
    });

it.each(['node', 'node16', 'bundler'])(
    'strict TypeScript compiles (moduleResolution %s)', resolution => {
      writeFileSync(join(project, 'use.ts'), `
import * as tf from '@tensorflow/tfjs';
import {fitSparse, sparseCategoricalCrossentropyFromLogits, sparseSoftmaxCrossEntropy, sparseSoftmaxCrossEntropyWithLogits} from 'tfjs-sparse-softmax-cross-entropy';
import {sparseSoftmaxCrossEntropyWithLogitsGraphOp} from 'tfjs-sparse-softmax-cross-entropy/converter';
const logits: tf.Tensor2D = tf.tensor2d([[1, 2, 3]]);
const labels: tf.Tensor1D = tf.tensor1d([0], 'int32');
const a: tf.Tensor1D = sparseSoftmaxCrossEntropyWithLogits(logits, labels).loss;
const b: tf.Tensor2D = logits.sparseSoftmaxCrossEntropyWithLogits(labels).backprop;
const c: tf.Tensor2D = sparseSoftmaxCrossEntropyWithLogits(logits, labels).backprop;
const d: tf.Scalar = sparseSoftmaxCrossEntropy<tf.Scalar>(labels, logits,
    undefined, 0.1, tf.Reduction.MEAN, -100);
const model = tf.sequential({layers: [tf.layers.dense({inputShape: [3], units: 3})]});
model.compile({optimizer: 'adam', loss: sparseCategoricalCrossentropyFromLogits()});
const e: Promise<tf.History> = fitSparse(model, logits, labels,
    {epochs: 1, callbacks: {onEpochEnd: async () => {}}});
tf.registerOp('SparseSoftmaxCrossEntropyWithLogits',
    sparseSoftmaxCrossEntropyWithLogitsGraphOp);
export {a, b, c, d, e};
`);
      const module = resolution === 'node' ? 'commonjs' :
          resolution === 'node16' ? 'node16' : 'esnext';
      const tsc = (file: string) => run(process.execPath, [join(project,
        'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '--strict',
      '--skipLibCheck', '--module', module, '--moduleResolution', resolution,
      '--target', 'es2020', file]);
      tsc('use.ts');
      if (resolution === 'node16') {
        // The same program as an ES module: dist/esm's declarations.
        writeFileSync(join(project, 'use.mts'),
            readFileSync(join(project, 'use.ts')));
        tsc('use.mts');
      }
      // tf.<op> exists only on CommonJS and script-tag namespaces (ES module
      // namespaces are frozen), so no module system's types promise it.
      writeFileSync(join(project, 'namespace.ts'), `
import * as tf from '@tensorflow/tfjs';
import 'tfjs-sparse-softmax-cross-entropy';
tf.sparseSoftmaxCrossEntropyWithLogits([[1, 2]], [0]);
`);
      expect(() => tsc('namespace.ts')).toThrow(/Property 'sparseSoftmaxCrossEntropyWithLogits' does not exist/);
    });
