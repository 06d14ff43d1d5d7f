/**
 * WebGPU's kernels whatever the script order: tfjs's tf.min.js, then the
 * WebGPU backend's bundle and the package's UMD bundle in either order. The
 * op, the loss and a gradient run on webgpu with the package's own kernels
 * (nothing read back, so not the cpu kernels of the fallback), with TF's
 * values and a NaN row for a bad label.
 */
import type * as tfjs from '@tensorflow/tfjs';
import {Browser} from 'playwright-core';

import type {SparseSoftmaxCrossEntropyWithLogitsOp} from '../../src';

import {expectClose} from '../catalogue/assert';

import {failure, html, script, SitePage, launchChromium} from './harness';

/** The script-tag global `tf`, which the package's UMD bundle gives the op
 * (the package's types leave it off tfjs's namespace: see namespaces.ts). */
type GlobalTf = typeof tfjs &
    {sparseSoftmaxCrossEntropyWithLogits: SparseSoftmaxCrossEntropyWithLogitsOp};

const BACKPROP =
    [0.25, 0.25, 0.25, -0.75, -0.9679414, 0.0871443, 0.2368828, 0.6439143];

/** Runs in the page. */
async function runOnWebgpu() {
  const tf = (window as unknown as {tf: GlobalTf}).tf;
  if (!await tf.setBackend('webgpu')) {
    throw new Error('tf.setBackend(\'webgpu\') failed');
  }
  const backend = tf.backend() as unknown as {[method: string]: unknown};
  let reads = 0;
  for (const method of ['read', 'readSync']) {
    const original = backend[method] as (...args: unknown[]) => unknown;
    backend[method] = (...args: unknown[]) => {
      reads++;
      return original.apply(backend, args);
    };
  }
  const features = tf.tensor2d([[1, 1, 1, 1], [1, 2, 3, 4]]);
  const labels = tf.tensor1d([3, 0], 'int32');
  const {loss} = tf.sparseSoftmaxCrossEntropyWithLogits(features, labels);
  // The package's loss, added to the global tf's losses.
  const losses = tf.losses as unknown as {
    sparseSoftmaxCrossEntropy(labels: tfjs.Tensor, logits: tfjs.Tensor):
        tfjs.Tensor,
  };
  const lossApi = losses.sparseSoftmaxCrossEntropy(labels, features);
  const gradient = tf.grad((x: tfjs.Tensor) =>
      tf.sum(tf.sparseSoftmaxCrossEntropyWithLogits(x, labels).loss))(features);
  const badLoss = tf.sparseSoftmaxCrossEntropyWithLogits(
      features, tf.tensor1d([3, 4], 'int32')).loss;
  const readsWhileRunning = reads;
  return {
    backend: tf.getBackend(),
    readsWhileRunning,
    loss: Array.from(await loss.data() as Float32Array),
    lossApi: Array.from(await lossApi.data() as Float32Array),
    gradient: Array.from(await gradient.data() as Float32Array),
    badLoss: Array.from(await badLoss.data() as Float32Array),
  };
}

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
}, 120000);
afterAll(() => browser?.close());

const tfjsDist = ['node_modules', '@tensorflow'];
const files = {
  '/tf.min.js': script(...tfjsDist, 'tfjs', 'dist', 'tf.min.js'),
  '/tf-backend-webgpu.min.js': script(
      ...tfjsDist, 'tfjs-backend-webgpu', 'dist', 'tf-backend-webgpu.min.js'),
  '/tf-sparse-softmax-cross-entropy.min.js':
      script('dist', 'tf-sparse-softmax-cross-entropy.min.js'),
};

for (const order of [
  ['/tf-backend-webgpu.min.js', '/tf-sparse-softmax-cross-entropy.min.js'],
  ['/tf-sparse-softmax-cross-entropy.min.js', '/tf-backend-webgpu.min.js'],
]) {
  it(`runs on webgpu's own kernels with ${order.join(' then ')}`, async () => {
    const page = await SitePage.open(
        browser, {...files, '/index.html': html('/tf.min.js', ...order)});
    try {
      const result = await page.page.evaluate(runOnWebgpu);
      expect(result.backend).toBe('webgpu');
      expect(result.readsWhileRunning).toBe(0);
      expectClose(result.loss, [1.3862944, 3.4401897], 2e-5, 2e-6, 'loss');
      expectClose(result.lossApi, (1.3862944 + 3.4401897) / 2, 2e-5, 2e-6,
          'tf.losses mean');
      expectClose(result.gradient, BACKPROP, 2e-5, 2e-6, 'gradient');
      expectClose(result.badLoss, [1.3862944, NaN], 2e-5, 2e-6, 'bad label');
    } catch (error) {
      throw failure(`${(error as Error).message}\n${page.takeLog()}`);
    } finally {
      await page.close();
    }
  }, 120000);
}
