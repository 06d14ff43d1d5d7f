/**
 * The UMD bundle as script-tag users load it: a page with tfjs's tf.min.js
 * and then dist/tf-sparse-softmax-cross-entropy.min.js (built by
 * `npm run build`), used through the global `tf`, on webgl and on cpu.
 */
import type * as tfjs from '@tensorflow/tfjs';
import {Browser} from 'playwright-core';

import {expectClose} from '../catalogue/assert';
import {tolerancesFor} from '../catalogue/case';

import {failure, html, script, Site, SitePage, launchChromium} from './harness';
import {Flags, lanes} from './lanes';

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
  const tf = (window as unknown as {tf: typeof tfjs}).tf;
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

let browser: Browser;
let site: Site;

beforeAll(async () => {
  browser = await launchChromium();
  site = {
    '/index.html': html('/tf.min.js', '/tf-sparse-softmax-cross-entropy.min.js'),
    '/tf.min.js':
        script('node_modules', '@tensorflow', 'tfjs', 'dist', 'tf.min.js'),
    '/tf-sparse-softmax-cross-entropy.min.js':
        script('dist', 'tf-sparse-softmax-cross-entropy.min.js'),
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
