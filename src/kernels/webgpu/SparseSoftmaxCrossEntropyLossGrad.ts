import type {WebGPUBackend} from '@tensorflow/tfjs-backend-webgpu';
import type {TensorInfo} from '@tensorflow/tfjs-core';

import {SparseSoftmaxCrossEntropyLossAttrs, SparseSoftmaxCrossEntropyLossGrad, SparseSoftmaxCrossEntropyLossGradInputs} from '../../kernel_names.js';
import {gpuKernelConfig} from '../gpu_kernel_config.js';
import {rowLayout} from './row_reduce_webgpu.js';
import {softmaxMinusOneHot} from './softmax_minus_one_hot.js';

/**
 * The loss-only gradient on WebGPU,
 * `(dLoss + dLogSumExp) * softmax - dLoss * onehot`, in one pass over the
 * logits after a one-thread-per-row program (`softmaxMinusOneHot`). A label
 * outside `[0, numClasses)` gives a NaN row. With `softcap` it reads the
 * logits capped and carries the cap's slope.
 */
export function sparseSoftmaxCrossEntropyLossGradWebgpu(args: {
  inputs: SparseSoftmaxCrossEntropyLossGradInputs,
  backend: WebGPUBackend,
  attrs?: SparseSoftmaxCrossEntropyLossAttrs,
}): TensorInfo {
  const {
    inputs: {features, labels, rowMax, logSumExp, dLoss, dLogSumExp},
    backend,
    attrs,
  } = args;
  const [batch, numClasses] = features.shape;
  return softmaxMinusOneHot(
      backend, features, labels, rowMax, logSumExp,
      rowLayout(batch, numClasses), {dLoss, dLogSumExp}, attrs?.softcap);
}

export const sparseSoftmaxCrossEntropyLossGradWebgpuConfig = gpuKernelConfig(
    SparseSoftmaxCrossEntropyLossGrad, 'webgpu',
    sparseSoftmaxCrossEntropyLossGradWebgpu);
