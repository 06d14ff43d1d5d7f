import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';
import type {TensorInfo} from '@tensorflow/tfjs-core';

import {SparseSoftmaxCrossEntropyLossAttrs, SparseSoftmaxCrossEntropyLossGrad, SparseSoftmaxCrossEntropyLossGradInputs} from '../../kernel_names.js';
import {gpuKernelConfig} from '../gpu_kernel_config.js';
import {softmaxMinusOneHot} from './softmax_minus_one_hot.js';

/**
 * The loss-only gradient on WebGL,
 * `(dLoss + dLogSumExp) * softmax - dLoss * onehot`, in one elementwise pass
 * over the logits (`softmaxMinusOneHot`). A label outside
 * `[0, numClasses)` gives a NaN row. With `softcap` it reads the logits
 * capped and carries the cap's slope.
 */
export function sparseSoftmaxCrossEntropyLossGradWebgl(args: {
  inputs: SparseSoftmaxCrossEntropyLossGradInputs,
  backend: MathBackendWebGL,
  attrs?: SparseSoftmaxCrossEntropyLossAttrs,
}): TensorInfo {
  const {
    inputs: {features, labels, rowMax, logSumExp, dLoss, dLogSumExp},
    backend,
    attrs,
  } = args;
  return softmaxMinusOneHot(backend, features, labels, rowMax, logSumExp,
      {dLoss, dLogSumExp}, attrs?.softcap);
}

export const sparseSoftmaxCrossEntropyLossGradWebglConfig = gpuKernelConfig(
    SparseSoftmaxCrossEntropyLossGrad, 'webgl',
    sparseSoftmaxCrossEntropyLossGradWebgl);
