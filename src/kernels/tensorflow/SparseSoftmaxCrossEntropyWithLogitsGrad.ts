import type {Tensor, TensorInfo} from '@tensorflow/tfjs-core';

import {SparseSoftmaxCrossEntropyWithLogitsGrad, SparseSoftmaxCrossEntropyWithLogitsGradInputs} from '../../kernel_names.js';
import {kernelConfig} from '../kernel_config.js';
import {binary, disposeAll, labelIndices, reshape, rowReduce, scatterAtLabels, TensorflowBackend, typeAttr} from './native_ops.js';

/**
 * The fused gradient kernel on tfjs-node, from TensorFlow ops on the saved
 * `backprop` (see `kernel_names.ts` for the formula):
 *
 * - without `dBackprop` (a training step on `loss`): one `Mul`,
 *   `backprop * dLoss[:, None]` (and with `dLogSumExp`, a scatter of it at
 *   the labels after the `Mul`);
 * - with it: `p = backprop + onehot(labels)` by a scatter at the labels,
 *   then `dLoss[:, None] * backprop + (dBackprop - rowsum(dBackprop * p)) * p`.
 *
 * TensorFlow's own gradient of the op is the same composite; whether
 * `dBackprop` is all zeros is not checked, as that would read it back.
 */
export function sparseSoftmaxCrossEntropyWithLogitsGradTensorflow(args: {
  inputs: SparseSoftmaxCrossEntropyWithLogitsGradInputs,
  backend: TensorflowBackend,
}): Tensor {
  const {inputs: {backprop, labels, dLoss, dBackprop, dLogSumExp}, backend} =
      args;
  const lossTerm = dLogSumExp == null ?
      scaleRows(backend, backprop, dLoss) :
      logSumExpTerm(backend, backprop, labels, dLoss, dLogSumExp);
  if (dBackprop == null) {
    return lossTerm;
  }
  const indices = labelIndices(backend, labels);
  const ones = backend.executeSingleOutput('OnesLike',
      [typeAttr(backend, 'T', dLoss.dtype)], [dLoss]);
  const probabilities =
      scatterAtLabels(backend, 'Add', backprop, indices, ones);
  const weighted = binary(backend, 'Mul', dBackprop, probabilities);
  const rowDot = rowReduce(backend, 'Sum', weighted);
  const centred = binary(backend, 'Sub', dBackprop, rowDot);
  const backpropTerm = binary(backend, 'Mul', centred, probabilities);
  const dFeatures = binary(backend, 'Add', lossTerm, backpropTerm);
  disposeAll(lossTerm, indices, ones, probabilities, weighted, rowDot,
      centred, backpropTerm);
  return dFeatures;
}

/** `x * scales[:, None]` for `[batch]` scales. */
function scaleRows(
    backend: TensorflowBackend, x: TensorInfo, scales: TensorInfo): Tensor {
  const column = reshape(backend, scales, [x.shape[0], 1]);
  const scaled = binary(backend, 'Mul', x, column);
  column.dispose();
  return scaled;
}

/**
 * `dLoss[:, None] * backprop + dLogSumExp[:, None] * softmax`, as
 * `(dLoss + dLogSumExp)[:, None] * backprop` with `dLogSumExp` added at
 * each label (`softmax = backprop + onehot`).
 */
function logSumExpTerm(
    backend: TensorflowBackend, backprop: TensorInfo, labels: TensorInfo,
    dLoss: TensorInfo, dLogSumExp: TensorInfo): Tensor {
  const rowScales = binary(backend, 'Add', dLoss, dLogSumExp);
  const scaled = scaleRows(backend, backprop, rowScales);
  const indices = labelIndices(backend, labels);
  const withLabels =
      scatterAtLabels(backend, 'Add', scaled, indices, dLogSumExp);
  disposeAll(rowScales, scaled, indices);
  return withLabels;
}

export const sparseSoftmaxCrossEntropyWithLogitsGradTensorflowConfig =
    kernelConfig(SparseSoftmaxCrossEntropyWithLogitsGrad, 'tensorflow',
        sparseSoftmaxCrossEntropyWithLogitsGradTensorflow);
