import type {Tensor} from '@tensorflow/tfjs-core';

import {SparseSoftmaxCrossEntropyWithLogitsGrad, SparseSoftmaxCrossEntropyWithLogitsGradInputs} from '../../kernel_names.js';
import {kernelConfig} from '../kernel_config.js';
import {binary, disposeAll, labelIndices, reshape, rowReduce, scatterAtLabels, TensorflowBackend, typeAttr} from './native_ops.js';

/**
 * The fused gradient kernel on tfjs-node, from TensorFlow ops on the saved
 * `backprop` (see `kernel_names.ts` for the formula):
 *
 * - without `dBackprop` (a training step on `loss`): one `Mul`,
 *   `backprop * dLoss[:, None]`;
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
  const {inputs: {backprop, labels, dLoss, dBackprop}, backend} = args;
  const [batch] = backprop.shape;
  const dLossColumn = reshape(backend, dLoss, [batch, 1]);
  const lossTerm = binary(backend, 'Mul', backprop, dLossColumn);
  dLossColumn.dispose();
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

export const sparseSoftmaxCrossEntropyWithLogitsGradTensorflowConfig =
    kernelConfig(SparseSoftmaxCrossEntropyWithLogitsGrad, 'tensorflow',
        sparseSoftmaxCrossEntropyWithLogitsGradTensorflow);
