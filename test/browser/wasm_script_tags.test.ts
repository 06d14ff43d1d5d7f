/**
 * tfjs's wasm backend loaded by script tags next to the package's UMD
 * bundle, as script-tag users do: the bundle's wasm kernels run the op and
 * its gradient in place on the backend's heap (no read-back), and throw
 * TF's label error as on cpu.
 */
import {readFileSync} from 'node:fs';
import {join} from 'node:path';

import {Browser} from 'playwright-core';

import {expectClose} from '../catalogue/assert';

import {launchChromium} from './harness';

const ROOT = join(__dirname, '..', '..');
const WASM_DIST = join(ROOT, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist');
const FILES: {[path: string]: [string, string]} = {
  '/index.html': ['text/html', ''],
  '/tf.min.js': ['text/javascript',
    join(ROOT, 'node_modules', '@tensorflow', 'tfjs', 'dist', 'tf.min.js')],
  '/tf-backend-wasm.min.js': ['text/javascript', join(WASM_DIST, 'tf-backend-wasm.min.js')],
  '/tf-sparse-softmax-cross-entropy.min.js': ['text/javascript',
    join(ROOT, 'dist', 'tf-sparse-softmax-cross-entropy.min.js')],
  '/tfjs-backend-wasm.wasm': ['application/wasm', join(WASM_DIST, 'tfjs-backend-wasm.wasm')],
  '/tfjs-backend-wasm-simd.wasm': ['application/wasm', join(WASM_DIST, 'tfjs-backend-wasm-simd.wasm')],
};
const PAGE = '<!doctype html><meta charset="utf-8">' +
    ['/tf.min.js', '/tf-backend-wasm.min.js', '/tf-sparse-softmax-cross-entropy.min.js']
        .map(src => `<script src="${src}"></script>`).join('');

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(() => browser?.close());

it('runs the op, its gradient and TF\'s label check on wasm, reading ' +
   'nothing back', async () => {
  const page = await browser.newPage();
  await page.route('**/*', route => {
    const path = new URL(route.request().url()).pathname;
    const file = FILES[path];
    if (file === undefined || !route.request().url().startsWith('http://localhost/')) {
      return route.abort('blockedbyclient');
    }
    return route.fulfill({contentType: file[0],
      body: path === '/index.html' ? PAGE : readFileSync(file[1])});
  });
  await page.goto('http://localhost/index.html');
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const tf = (window as any).tf;
    tf.wasm.setWasmPaths('http://localhost/');
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    await tf.setBackend('wasm');
    const features = tf.tensor2d([[1, 1, 1, 1], [1, 2, 3, 4]]);
    const labels = tf.tensor1d([3, 0], 'int32');
    const backend = tf.backend();
    let readBacks = 0;
    const {read, readSync} = backend;
    backend.read = (...args: unknown[]) => (readBacks++, read.apply(backend, args));
    backend.readSync = (...args: unknown[]) => (readBacks++, readSync.apply(backend, args));
    const {loss, backprop} = tf.sparseSoftmaxCrossEntropyWithLogits(features, labels);
    const gradient = tf.grad((x: unknown) =>
      tf.sum(tf.sparseSoftmaxCrossEntropyWithLogits(x, labels).loss))(features);
    Object.assign(backend, {read, readSync});
    let labelError = '';
    try {
      tf.sparseSoftmaxCrossEntropyWithLogits(tf.zeros([4, 4]), [4, 3, 0, -1]);
    } catch (error) {
      labelError = (error as Error).message;
    }
    return {backend: tf.getBackend(), readBacks, loss: Array.from(await loss.data() as Float32Array),
      backprop: Array.from(await backprop.data() as Float32Array),
      gradient: Array.from(await gradient.data() as Float32Array), labelError};
  });
  await page.close();
  expect(result.backend).toBe('wasm');
  expect(result.readBacks).toBe(0);
  const backprop =
      [0.25, 0.25, 0.25, -0.75, -0.9679414, 0.0871443, 0.2368828, 0.6439143];
  expectClose(result.loss, [1.3862944, 3.4401897], 2e-5, 2e-6, 'loss');
  expectClose(result.backprop, backprop, 2e-5, 2e-6, 'backprop');
  expectClose(result.gradient, backprop, 2e-5, 2e-6, 'gradient');
  expect(result.labelError).toContain('Received a label value of -1 which is ' +
      'outside the valid range of [0, 4).  Label values: 4 3 0 -1');
}, 120000);
