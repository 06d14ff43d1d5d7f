import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';
import type {TensorInfo} from '@tensorflow/tfjs-core';

import {invalidLabelError} from '../../errors.js';
import {SparseSoftmaxCrossEntropyWithLogits, SparseSoftmaxCrossEntropyWithLogitsInputs} from '../../kernel_names.js';
import {findInvalidLabel, sparseSoftmaxCrossEntropyWithLogitsImpl} from '../SparseSoftmaxCrossEntropyWithLogits_impl.js';
import {kernelConfig} from '../kernel_config.js';
import {cpuValues} from './cpu_values.js';

/**
 * Rejects out-of-range labels with TensorFlow's CPU error before any output
 * is allocated, then runs the fused impl.
 */
export function sparseSoftmaxCrossEntropyWithLogitsCpu(args: {
  inputs: SparseSoftmaxCrossEntropyWithLogitsInputs,
  backend: MathBackendCPU,
}): TensorInfo[] {
  const {inputs: {features, labels}, backend} = args;
  const [batch, numClasses] = features.shape;
  const labelValues = cpuValues(backend, labels, Int32Array);
  const badLabel = findInvalidLabel(labelValues, numClasses);
  if (badLabel !== undefined) {
    throw invalidLabelError(badLabel, numClasses, labelValues);
  }
  const {loss, backprop} = sparseSoftmaxCrossEntropyWithLogitsImpl(
      cpuValues(backend, features, Float32Array), labelValues, batch,
      numClasses);
  return [
    backend.makeTensorInfo([batch], 'float32', loss),
    backend.makeTensorInfo([batch, numClasses], 'float32', backprop),
  ];
}

export const sparseSoftmaxCrossEntropyWithLogitsCpuConfig =
    kernelConfig(SparseSoftmaxCrossEntropyWithLogits, 'cpu', sparseSoftmaxCrossEntropyWithLogitsCpu);
