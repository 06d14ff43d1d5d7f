import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';
import type {TensorInfo} from '@tensorflow/tfjs-core';

import {SparseSoftmaxCrossEntropyLossGrad, SparseSoftmaxCrossEntropyLossGradInputs} from '../../kernel_names.js';
import {emptyFloat32Outputs} from '../empty_outputs.js';
import {kernelConfig} from '../kernel_config.js';
import {softmaxMinusOneHot} from './softmax_minus_one_hot.js';

/**
 * The loss-only gradient on WebGL,
 * `(dLoss + dLogSumExp) * softmax - dLoss * onehot`, in one elementwise pass
 * over the logits (`softmaxMinusOneHot`). A label outside
 * `[0, numClasses)` gives a NaN row.
 */
export function sparseSoftmaxCrossEntropyLossGradWebgl(args: {
  inputs: SparseSoftmaxCrossEntropyLossGradInputs,
  backend: MathBackendWebGL,
}): TensorInfo {
  const {
    inputs: {features, labels, rowMax, logSumExp, dLoss, dLogSumExp},
    backend,
  } = args;
  const [batch, numClasses] = features.shape;
  if (batch === 0) {
    return emptyFloat32Outputs(backend, [0, numClasses])[0];
  }
  return softmaxMinusOneHot(
      backend, features, labels, rowMax, logSumExp, {dLoss, dLogSumExp});
}

export const sparseSoftmaxCrossEntropyLossGradWebglConfig = kernelConfig(
    SparseSoftmaxCrossEntropyLossGrad, 'webgl',
    sparseSoftmaxCrossEntropyLossGradWebgl);
