import type {KernelBackend, TensorInfo} from '@tensorflow/tfjs-core';

import {invalidLabelError} from '../../errors.js';
import {SparseSoftmaxCrossEntropyLoss, SparseSoftmaxCrossEntropyWithLogitsInputs} from '../../kernel_names.js';
import {findInvalidLabel} from '../SparseSoftmaxCrossEntropyWithLogits_impl.js';
import {sparseSoftmaxCrossEntropyLossImpl} from '../SparseSoftmaxCrossEntropyLoss_impl.js';
import {kernelConfig} from '../kernel_config.js';
import {backendValues, writeFloat32} from './backend_values.js';
import {copiedLossForward} from '../row_passes/copied_row_passes.js';

/**
 * The loss-only kernel over TypedArrays: labels checked as in the forward
 * kernel (TensorFlow's CPU error), and the same backends served (see
 * `SparseSoftmaxCrossEntropyWithLogits.ts` in this folder).
 */
export function sparseSoftmaxCrossEntropyLossCpu(args: {
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
  const featureValues = backendValues(backend, features, Float32Array);
  const {loss, rowMax, logSumExp} =
      copiedLossForward(featureValues, labelValues, batch, numClasses) ??
      sparseSoftmaxCrossEntropyLossImpl(featureValues, labelValues, batch,
          numClasses);
  return [
    writeFloat32(backend, [batch], loss),
    writeFloat32(backend, [batch, 1], rowMax),
    writeFloat32(backend, [batch, 1], logSumExp),
  ];
}

export const sparseSoftmaxCrossEntropyLossCpuConfig = kernelConfig(
    SparseSoftmaxCrossEntropyLoss, 'cpu', sparseSoftmaxCrossEntropyLossCpu);
