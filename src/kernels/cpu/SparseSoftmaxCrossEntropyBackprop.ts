import type {KernelBackend, TensorInfo} from '@tensorflow/tfjs-core';

import {SparseSoftmaxCrossEntropyBackprop, SparseSoftmaxCrossEntropyBackpropInputs} from '../../kernel_names.js';
import {sparseSoftmaxCrossEntropyBackpropImpl} from '../SparseSoftmaxCrossEntropyLoss_impl.js';
import {kernelConfig} from '../kernel_config.js';
import {backendValues, writeFloat32} from './backend_values.js';

/**
 * `backprop` from the loss kernel's row results over TypedArrays (backends
 * as the forward's). The loss kernel already rejected out-of-range labels.
 */
export function sparseSoftmaxCrossEntropyBackpropCpu(args: {
  inputs: SparseSoftmaxCrossEntropyBackpropInputs,
  backend: KernelBackend,
}): TensorInfo {
  const {inputs: {features, labels, rowMax, logSumExp}, backend} = args;
  const [batch, numClasses] = features.shape;
  const backprop = sparseSoftmaxCrossEntropyBackpropImpl(
      backendValues(backend, features, Float32Array),
      backendValues(backend, labels, Int32Array),
      backendValues(backend, rowMax, Float32Array),
      backendValues(backend, logSumExp, Float32Array), batch, numClasses);
  return writeFloat32(backend, [batch, numClasses], backprop);
}

export const sparseSoftmaxCrossEntropyBackpropCpuConfig = kernelConfig(
    SparseSoftmaxCrossEntropyBackprop, 'cpu',
    sparseSoftmaxCrossEntropyBackpropCpu);
