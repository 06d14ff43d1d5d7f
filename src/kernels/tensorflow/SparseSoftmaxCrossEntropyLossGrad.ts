import type {Tensor} from '@tensorflow/tfjs-core';

import {SparseSoftmaxCrossEntropyLossGrad, SparseSoftmaxCrossEntropyLossGradInputs} from '../../kernel_names.js';
import {kernelConfig} from '../kernel_config.js';
import {binary, disposeAll, labelIndices, reshape, scatterAtLabels, TensorflowBackend, typeAttr} from './native_ops.js';

/**
 * The loss-only gradient kernel on tfjs-node, from TensorFlow ops:
 * `dFeatures = (dLoss + dLogSumExp)[:, None] * softmax - dLoss[:, None] * onehot`,
 * with TensorFlow's `Softmax` kernel rebuilding the softmax from the
 * features (one fused op, faster than `exp(x - rowMax - logSumExp)` from
 * three) and the one-hot term subtracted at the labels only
 * (`TensorScatterSub`). The forward's `rowMax` and `logSumExp` are not
 * needed.
 */
export function sparseSoftmaxCrossEntropyLossGradTensorflow(args: {
  inputs: SparseSoftmaxCrossEntropyLossGradInputs,
  backend: TensorflowBackend,
}): Tensor {
  const {inputs: {features, labels, dLoss, dLogSumExp}, backend} = args;
  const [batch] = features.shape;
  const probabilities = backend.executeSingleOutput('Softmax',
      [typeAttr(backend, 'T', features.dtype)], [features]);
  const dLossColumn = reshape(backend, dLoss, [batch, 1]);
  const scale = binary(backend, 'Add', dLossColumn, dLogSumExp);
  const scaled = binary(backend, 'Mul', probabilities, scale);
  probabilities.dispose();
  const indices = labelIndices(backend, labels);
  const dFeatures = scatterAtLabels(backend, 'Sub', scaled, indices, dLoss);
  disposeAll(dLossColumn, scale, scaled, indices);
  return dFeatures;
}

export const sparseSoftmaxCrossEntropyLossGradTensorflowConfig = kernelConfig(
    SparseSoftmaxCrossEntropyLossGrad, 'tensorflow',
    sparseSoftmaxCrossEntropyLossGradTensorflow);
