/**
 * The UMD bundle as script-tag users load it: a page with tfjs's tf.min.js
 * and then dist/tf-sparse-softmax-cross-entropy.min.js (built by
 * `npm run build`), used through the global `tf`, on webgl and on cpu; and
 * graph models, with tfjs-converter's script loaded before or after the
 * bundle.
 */
import type * as tfjs from '@tensorflow/tfjs';
import {Browser} from 'playwright-core';

import type {SparseSoftmaxCrossEntropyWithLogitsOp} from '../../src';

import {expectClose} from '../catalogue/assert';
import {tolerancesFor} from '../catalogue/case';

import {failure, html, script, Site, SitePage, launchChromium} from './harness';
import {Flags, lanes} from './lanes';
import {SPARSE_XENT_GRAPH} from '../graph_def';

/** The script-tag global `tf`, which the package's UMD bundle gives the op
 * (the package's types leave it off tfjs's namespace: see namespaces.ts). */
type GlobalTf = typeof tfjs &
    {sparseSoftmaxCrossEntropyWithLogits: SparseSoftmaxCrossEntropyWithLogitsOp};

// TF's own test case.
const FEATURES = [[1, 1, 1, 1], [1, 2, 3, 4]];
const LABELS = [3, 0];
const LOSS = [1.3862944, 3.4401897];
const BACKPROP =
    [0.25, 0.25, 0.25, -0.75, -0.9679414, 0.0871443, 0.2368828, 0.6439143];

interface PageRun {
  backend: string;
  namespaceOp: string;
  loss: number[];
  backprop: number[];
  chainedLoss: number[];
  /** d(sum(loss))/d(features), which is the backprop. */
  gradient: number[];
}

/** Runs in the page: only the globals the two script tags define. */
async function useTheGlobalTf(
    {backend, flags, features, labels}:
    {backend: string, flags: Flags, features: number[][], labels: number[]}):
    Promise<PageRun> {
  const tf = (window as unknown as {tf: GlobalTf}).tf;
  for (const [flag, value] of Object.entries(flags)) {
    tf.env().set(flag, value);
  }
  await tf.setBackend(backend);
  const namespaceOp = typeof tf.sparseSoftmaxCrossEntropyWithLogits;
  if (namespaceOp !== 'function') {
    throw new Error('the global tf has no sparseSoftmaxCrossEntropyWithLogits' +
        ` (typeof: ${namespaceOp})`);
  }
  const {loss, backprop} =
      tf.sparseSoftmaxCrossEntropyWithLogits(features, labels);
  const logits = tf.tensor2d(features);
  const chained = logits.sparseSoftmaxCrossEntropyWithLogits(labels);
  const gradient = tf.grad((x: tfjs.Tensor) =>
      tf.sum(tf.sparseSoftmaxCrossEntropyWithLogits(x, labels).loss))(logits);
  return {
    backend: tf.getBackend(),
    namespaceOp,
    loss: Array.from(await loss.data()),
    backprop: Array.from(await backprop.data()),
    chainedLoss: Array.from(await chained.loss.data()),
    gradient: Array.from(await gradient.data()),
  };
}

const webglFlags = lanes.find(lane => lane.name === 'webgl2 packed')!.flags;

/** Runs in the page: a graph using the op, loaded through the global tf. */
async function runGraphModel(
    {modelTopology, features, labels}:
    {modelTopology: object, features: number[][], labels: number[]}):
    Promise<{loss: number[], backprop: number[]}> {
  const tf = (window as unknown as {tf: GlobalTf}).tf;
  await tf.setBackend('cpu');
  const model = await tf.loadGraphModel(tf.io.fromMemory(
      {modelTopology, weightSpecs: [], weightData: new ArrayBuffer(0)}));
  const [loss, backprop] = model.execute(
      {features: tf.tensor2d(features), labels: tf.tensor1d(labels, 'int32')},
      ['xent:0', 'xent:1']) as tfjs.Tensor[];
  return {
    loss: Array.from(await loss.data()),
    backprop: Array.from(await backprop.data()),
  };
}

const GRAPH = SPARSE_XENT_GRAPH;

const BUNDLE = '/tf-sparse-softmax-cross-entropy.min.js';

let browser: Browser;
let site: Site;

function tfjsScript(tfjsPackage: string, file: string) {
  return script('node_modules', '@tensorflow', tfjsPackage, 'dist', file);
}

beforeAll(async () => {
  browser = await launchChromium();
  site = {
    '/index.html': html('/tf.min.js', BUNDLE),
    '/tf.min.js': tfjsScript('tfjs', 'tf.min.js'),
    '/tf-core.min.js': tfjsScript('tfjs-core', 'tf-core.min.js'),
    '/tf-backend-cpu.min.js':
        tfjsScript('tfjs-backend-cpu', 'tf-backend-cpu.min.js'),
    '/tf-converter.min.js':
        tfjsScript('tfjs-converter', 'tf-converter.min.js'),
    [BUNDLE]: script('dist', 'tf-sparse-softmax-cross-entropy.min.js'),
  };
}, 60000);

afterAll(() => browser?.close());

describe.each([
  ['webgl', webglFlags],
  ['cpu', {}],
])('UMD bundle after tf.min.js, on %s', (backend, flags) => {
  it('gives TF\'s reference values and gradient through the global tf',
      async () => {
        const page = await SitePage.open(browser, site);
        let run: PageRun;
        try {
          run = await page.page.evaluate(useTheGlobalTf,
              {backend, flags, features: FEATURES, labels: LABELS});
        } catch (error) {
          throw failure(`${(error as Error).message}\n${page.takeLog()}`);
        } finally {
          await page.close();
        }
        expect(run.backend).toBe(backend);
        const {rtol, atol} = tolerancesFor(32);
        expectClose(run.loss, LOSS, rtol, atol, 'loss');
        expectClose(run.backprop, BACKPROP, rtol, atol, 'backprop');
        expectClose(run.chainedLoss, LOSS, rtol, atol, 'chained loss');
        expectClose(run.gradient, BACKPROP, rtol, atol, 'tf.grad of the loss');
      }, 120000);
});

// No `tf.registerOp` call: the bundle registers the op with the global tf's
// converter, there when the bundle loads or loaded after it.
describe.each([
  ['tf.min.js (which includes the converter), then the bundle',
    ['/tf.min.js', BUNDLE]],
  ['tfjs-core, tfjs-converter, then the bundle',
    ['/tf-core.min.js', '/tf-backend-cpu.min.js', '/tf-converter.min.js',
      BUNDLE]],
  ['tfjs-core, the bundle, then tfjs-converter',
    ['/tf-core.min.js', '/tf-backend-cpu.min.js', BUNDLE,
      '/tf-converter.min.js']],
])('UMD bundle and graph models: %s', (_, scripts) => {
  it('runs the graph\'s node with both outputs', async () => {
    const page = await SitePage.open(browser,
        {...site, '/index.html': html(...scripts)});
    let run: {loss: number[], backprop: number[]};
    try {
      run = await page.page.evaluate(runGraphModel,
          {modelTopology: GRAPH, features: FEATURES, labels: LABELS});
    } catch (error) {
      throw failure(`${(error as Error).message}\n${page.takeLog()}`);
    } finally {
      await page.close();
    }
    const {rtol, atol} = tolerancesFor(32);
    expectClose(run.loss, LOSS, rtol, atol, 'xent:0 (loss)');
    expectClose(run.backprop, BACKPROP, rtol, atol, 'xent:1 (backprop)');
  }, 120000);
});
