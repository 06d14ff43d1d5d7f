import type {Tensor, TensorInfo} from '@tensorflow/tfjs-core';

import {binary, TensorflowBackend} from './native_ops.js';

/**
 * Gemma 2's soft-capping on tfjs-node, from TensorFlow ops: the capped
 * logits `softcap * tanh(x / softcap)` and their derivative
 * `1 - tanh(x / softcap)^2`, each a temporary of the kernel that reads it
 * (the caller frees them); `undefined` derivative without `withDerivative`.
 */
export function softcapped(
    backend: TensorflowBackend, features: TensorInfo, softcap: number,
    withDerivative: boolean): [Tensor, Tensor|undefined] {
  const scalar = (value: number): TensorInfo => ({
    dataId: backend.write(Float32Array.of(value), [], 'float32'),
    shape: [],
    dtype: 'float32',
  });
  const [inverse, cap, one] = [scalar(1 / softcap), scalar(softcap), scalar(1)];
  const scaled = binary(backend, 'Mul', features, inverse);
  const tanh = backend.executeSingleOutput(
      'Tanh', [{name: 'T', type: backend.binding.TF_ATTR_TYPE,
        value: backend.binding.TF_FLOAT}], [scaled]);
  const capped = binary(backend, 'Mul', tanh, cap);
  let derivative: Tensor|undefined;
  if (withDerivative) {
    const square = binary(backend, 'Mul', tanh, tanh);
    derivative = binary(backend, 'Sub', one, square);
    square.dispose();
  }
  scaled.dispose();
  tanh.dispose();
  for (const {dataId} of [inverse, cap, one]) {
    backend.disposeData(dataId);
  }
  return [capped, derivative];
}
