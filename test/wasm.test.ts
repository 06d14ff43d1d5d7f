/**
 * The `wasm` backend with SIMD, in Node: the package's kernels run in place
 * on tfjs-backend-wasm's heap (src/kernels/wasm/). The whole catalogue runs
 * in a plain Node process (`node_lane.ts`); the checks that look inside the
 * backend (which binary runs, read-backs counted) run here. Wasm data lives
 * on the CPU, so the kernels check labels and throw TensorFlow's CPU error
 * (`checksLabels`). `wasm_scalar.test.ts` does the same with SIMD off.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

import '../src';

import {catalogue} from './catalogue';
import {NodeLane} from './node/node_lane';
import {cannotRunOnWasm} from './catalogue/wasm_limits';
import {describeInPlaceKernels} from './wasm_read_backs';

const lane = new NodeLane('wasm');

beforeAll(async () => {
  // Node has no worker threads for the wasm backend's threaded build.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  await tf.setBackend('wasm');
  await lane.start();
});
afterAll(() => lane.stop());

describe('wasm (Node, SIMD): in-place kernels', () => {
  it('registers the kernels for wasm when the package loads', () => {
    for (const kernelName of ['SparseSoftmaxCrossEntropyWithLogits',
      'SparseSoftmaxCrossEntropyWithLogitsGrad',
      'SparseSoftmaxCrossEntropyLoss', 'SparseSoftmaxCrossEntropyLossGrad']) {
      expect(tf.getKernel(kernelName, 'wasm')?.kernelFunc.name)
          .toMatch(/Wasm$/);
    }
  });

  describeInPlaceKernels('simd');

  for (const {name} of catalogue) {
    const test = name in cannotRunOnWasm ? it.skip : it;
    test(name, async () => {
      const reply = await lane.run(name);
      if (!reply.ok) {
        throw new Error(reply.message);
      }
    });
  }
});
