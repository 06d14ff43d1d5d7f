import type {KernelBackend, TensorInfo} from '@tensorflow/tfjs-core';

import {invalidLabelError} from '../../errors.js';
import {SparseSoftmaxCrossEntropyWithLogitsInputs} from '../../kernel_names.js';
import {findInvalidLabel, sparseSoftmaxCrossEntropyWithLogitsImpl} from '../SparseSoftmaxCrossEntropyWithLogits_impl.js';
import {backendValues, writeFloat32} from './backend_values.js';

/**
 * The forward kernel for a backend that has none of its own (wasm, webgpu,
 * tfjs-node's `tensorflow`, custom backends): reads the inputs with the
 * backend's `readSync`, runs the shared impl, and writes the outputs back
 * with `write`. Behaves exactly as the `cpu` kernel, including TensorFlow's
 * error for an out-of-range label. On CPU-resident backends (wasm, tensorflow)
 * the read is a copy; on a GPU backend it is a synchronous download.
 */
export function sparseSoftmaxCrossEntropyWithLogitsFallback(args: {
  inputs: SparseSoftmaxCrossEntropyWithLogitsInputs,
  backend: KernelBackend,
}): TensorInfo[] {
  const {inputs: {features, labels}, backend} = args;
  const [batch, numClasses] = features.shape;
  const labelValues = backendValues(backend, labels, Int32Array);
  const badLabel = findInvalidLabel(labelValues, numClasses);
  if (badLabel !== undefined) {
    throw invalidLabelError(badLabel, numClasses, labelValues);
  }
  const {loss, backprop} = sparseSoftmaxCrossEntropyWithLogitsImpl(
      backendValues(backend, features, Float32Array), labelValues, batch,
      numClasses);
  return [
    writeFloat32(backend, [batch], loss),
    writeFloat32(backend, [batch, numClasses], backprop),
  ];
}
