import type {WebGPUBackend} from '@tensorflow/tfjs-backend-webgpu';
import type {TensorInfo} from '@tensorflow/tfjs-core';

import {SparseSoftmaxCrossEntropyLossGrad, SparseSoftmaxCrossEntropyLossGradInputs} from '../../kernel_names.js';
import {emptyFloat32Outputs} from '../empty_outputs.js';
import {kernelConfig} from '../kernel_config.js';
import {rowLayout} from './row_reduce_webgpu.js';
import {softmaxMinusOneHot} from './softmax_minus_one_hot.js';

/**
 * The loss-only gradient on WebGPU,
 * `(dLoss + dLogSumExp) * softmax - dLoss * onehot`, in one pass over the
 * logits after a one-thread-per-row program (`softmaxMinusOneHot`). A label
 * outside `[0, numClasses)` gives a NaN row.
 */
export function sparseSoftmaxCrossEntropyLossGradWebgpu(args: {
  inputs: SparseSoftmaxCrossEntropyLossGradInputs,
  backend: WebGPUBackend,
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
      backend, features, labels, rowMax, logSumExp,
      rowLayout(batch, numClasses), {dLoss, dLogSumExp});
}

export const sparseSoftmaxCrossEntropyLossGradWebgpuConfig = kernelConfig(
    SparseSoftmaxCrossEntropyLossGrad, 'webgpu',
    sparseSoftmaxCrossEntropyLossGradWebgpu);
