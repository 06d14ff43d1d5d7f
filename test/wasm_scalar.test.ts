/**
 * The `wasm` backend with SIMD off (`WASM_HAS_SIMD_SUPPORT` false before the
 * backend initialises: tfjs runs its scalar binary, and the package its
 * scalar row passes): the whole catalogue, and the in-place checks.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

import '../src';

import {catalogue} from './catalogue';
import {NodeLane} from './node/node_lane';
import {cannotRunOnWasm} from './catalogue/wasm_limits';
import {describeInPlaceKernels} from './wasm_read_backs';

const lane = new NodeLane('wasm', {WASM_HAS_SIMD_SUPPORT: false});

beforeAll(async () => {
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  tf.env().set('WASM_HAS_SIMD_SUPPORT', false);
  await tf.setBackend('wasm');
  await lane.start();
});
afterAll(() => lane.stop());

describe('wasm (Node, SIMD off): in-place kernels', () => {
  describeInPlaceKernels('scalar');

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
