import type {KernelBackend, TensorInfo} from '@tensorflow/tfjs-core';

import {invalidLabelError} from '../../errors.js';
import {SparseSoftmaxCrossEntropyLoss, SparseSoftmaxCrossEntropyLossAttrs, SparseSoftmaxCrossEntropyWithLogitsInputs} from '../../kernel_names.js';
import {findInvalidLabel} from '../SparseSoftmaxCrossEntropyWithLogits_impl.js';
import {sparseSoftmaxCrossEntropyLossImpl} from '../SparseSoftmaxCrossEntropyLoss_impl.js';
import {kernelConfig} from '../kernel_config.js';
import {backendValues, writeFloat32} from './backend_values.js';
import {copiedLossForward} from '../row_passes/copied_row_passes.js';

/**
 * The loss-only kernel over TypedArrays: labels checked as in the forward
 * kernel (TensorFlow's CPU error), and the same backends served (see
 * `SparseSoftmaxCrossEntropyWithLogits.ts` in this folder). Its attributes
 * (`softcap`, `predictions`) go to the row passes or the impl as they are.
 */
export function sparseSoftmaxCrossEntropyLossCpu(args: {
  inputs: SparseSoftmaxCrossEntropyWithLogitsInputs,
  backend: KernelBackend,
  attrs?: SparseSoftmaxCrossEntropyLossAttrs,
}): TensorInfo[] {
  const {inputs: {features, labels}, backend, attrs = {}} = args;
  const [batch, numClasses] = features.shape;
  const labelValues = backendValues(backend, labels, Int32Array);
  const badLabel = findInvalidLabel(labelValues, numClasses);
  if (badLabel !== undefined) {
    throw invalidLabelError(badLabel, numClasses, labelValues);
  }
  const featureValues = backendValues(backend, features, Float32Array);
  const {loss, rowMax, logSumExp, predicted} =
      copiedLossForward(featureValues, labelValues, batch, numClasses,
          attrs) ??
      sparseSoftmaxCrossEntropyLossImpl(featureValues, labelValues, batch,
          numClasses, attrs);
  const outputs = [
    writeFloat32(backend, [batch], loss),
    writeFloat32(backend, [batch, 1], rowMax),
    writeFloat32(backend, [batch, 1], logSumExp),
  ];
  if (predicted != null) {
    outputs.push({dataId: backend.write(predicted, [batch], 'int32'),
      shape: [batch], dtype: 'int32'});
  }
  return outputs;
}

export const sparseSoftmaxCrossEntropyLossCpuConfig = kernelConfig(
    SparseSoftmaxCrossEntropyLoss, 'cpu', sparseSoftmaxCrossEntropyLossCpu);
