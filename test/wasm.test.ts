/**
 * The catalogue on the `wasm` backend in Node. The package ships no wasm
 * kernel: the op registers its generic read-back kernels the first time it
 * runs there, so this lane checks that fallback end to end (values, every
 * gradient order, errors, memory). Wasm data lives on the CPU, so the
 * fallback checks labels and throws TensorFlow's CPU error (`checksLabels`).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

import {sparseSoftmaxCrossEntropyWithLogits} from '../src';

import {catalogue} from './catalogue';
import {NodeLane} from './node/node_lane';

/** Cases whose inputs tfjs's wasm backend itself cannot make. */
const cannotRunOnWasm: {[name: string]: string} = {
  'rejects complex features clearly, leaking nothing':
      'tfjs-backend-wasm has no Complex kernel',
};

const lane = new NodeLane('wasm');

beforeAll(() => lane.start());
afterAll(() => lane.stop());

describe('wasm (Node): the read-back fallback kernels', () => {
  it('registers them the first time the op runs on wasm', async () => {
    // Lazy, so it also reaches backends loaded after the package.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    await tf.setBackend('wasm');
    expect(tf.getKernel('SparseSoftmaxCrossEntropyWithLogits', 'wasm'))
        .toBeUndefined();
    tf.dispose(sparseSoftmaxCrossEntropyWithLogits([[1, 2]], [0]));
    expect(tf.getKernel('SparseSoftmaxCrossEntropyWithLogits', 'wasm'))
        .toBeDefined();
    expect(tf.getKernel('SparseSoftmaxCrossEntropyWithLogitsGrad', 'wasm'))
        .toBeDefined();
  });

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
