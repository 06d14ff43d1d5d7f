import type {TensorInfo} from '@tensorflow/tfjs-core';

import {valuesNotOnGpu} from '../tfjs_internals.js';
import {isAllZero} from './SparseSoftmaxCrossEntropyWithLogits_impl.js';

/**
 * Whether `info` on a GPU backend (webgl, webgpu) is float32 values still on
 * the CPU, never uploaded, and all zero: the `dBackprop` tfjs makes for a
 * kernel output no loss used. The gradient kernels then skip the pass that
 * reads it, with no upload and no GPU read-back.
 */
export function isZerosNotOnGpu(backend: object, info: TensorInfo): boolean {
  const values = valuesNotOnGpu(backend, info);
  return values instanceof Float32Array && isAllZero(values);
}
