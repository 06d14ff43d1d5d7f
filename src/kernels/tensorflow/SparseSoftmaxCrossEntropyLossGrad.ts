import type {Tensor} from '@tensorflow/tfjs-core';

import {SparseSoftmaxCrossEntropyLossAttrs, SparseSoftmaxCrossEntropyLossGrad, SparseSoftmaxCrossEntropyLossGradInputs} from '../../kernel_names.js';
import {kernelConfig} from '../kernel_config.js';
import {binary, disposeAll, labelIndices, reshape, scatterAtLabels, TensorflowBackend, typeAttr} from './native_ops.js';
import {softcapped} from './softcap.js';

/**
 * The loss-only gradient kernel on tfjs-node, from TensorFlow ops:
 * `dFeatures = (dLoss + dLogSumExp)[:, None] * softmax - dLoss[:, None] * onehot`,
 * with TensorFlow's `Softmax` kernel rebuilding the softmax from the
 * features (one fused op, faster than `exp(x - rowMax - logSumExp)` from
 * three) and the one-hot term subtracted at the labels only
 * (`TensorScatterSub`). The forward's `rowMax` and `logSumExp` are not
 * needed. With `softcap` the softmax is the capped features' and the
 * result is scaled by the cap's derivative (`softcapped`).
 */
export function sparseSoftmaxCrossEntropyLossGradTensorflow(args: {
  inputs: SparseSoftmaxCrossEntropyLossGradInputs,
  backend: TensorflowBackend,
  attrs?: SparseSoftmaxCrossEntropyLossAttrs,
}): Tensor {
  const {inputs: {features, labels, dLoss, dLogSumExp}, backend,
    attrs: {softcap} = {}} = args;
  const [batch] = features.shape;
  const [capped, derivative] = softcap ?
      softcapped(backend, features, softcap, true) : [];
  const probabilities = backend.executeSingleOutput('Softmax',
      [typeAttr(backend, 'T', features.dtype)], [capped ?? features]);
  capped?.dispose();
  const dLossColumn = reshape(backend, dLoss, [batch, 1]);
  const scale = binary(backend, 'Add', dLossColumn, dLogSumExp);
  const scaled = binary(backend, 'Mul', probabilities, scale);
  probabilities.dispose();
  const indices = labelIndices(backend, labels);
  const dCapped = scatterAtLabels(backend, 'Sub', scaled, indices, dLoss);
  disposeAll(dLossColumn, scale, scaled, indices);
  if (derivative == null) {
    return dCapped;
  }
  const dFeatures = binary(backend, 'Mul', dCapped, derivative);
  disposeAll(dCapped, derivative);
  return dFeatures;
}

export const sparseSoftmaxCrossEntropyLossGradTensorflowConfig = kernelConfig(
    SparseSoftmaxCrossEntropyLossGrad, 'tensorflow',
    sparseSoftmaxCrossEntropyLossGradTensorflow);
