import type {WebGPUBackend} from '@tensorflow/tfjs-backend-webgpu';
import type {TensorInfo} from '@tensorflow/tfjs-core';

import {SparseSoftmaxCrossEntropyLoss, SparseSoftmaxCrossEntropyLossAttrs, SparseSoftmaxCrossEntropyWithLogitsInputs} from '../../kernel_names.js';
import {gpuKernelConfig} from '../gpu_kernel_config.js';
import {lossAndRowResults} from './loss_and_row_results.js';
import {rowLayout} from './row_reduce_webgpu.js';

/**
 * The loss-only kernel on WebGPU: the forward kernel without its `backprop`
 * pass. The row reductions' results are returned as outputs for the
 * gradient kernel. Labels are not checked, as in the forward kernel: a
 * label outside `[0, numClasses)` gives a NaN loss.
 *
 * `softcap` reads the logits capped in every program (a uniform);
 * `predictions` adds `predicted`, the row reduction's argmax
 * (`rowMaxAndLogSumExp`). Nothing is read back.
 */
export function sparseSoftmaxCrossEntropyLossWebgpu(args: {
  inputs: SparseSoftmaxCrossEntropyWithLogitsInputs,
  backend: WebGPUBackend,
  attrs?: SparseSoftmaxCrossEntropyLossAttrs,
}): TensorInfo[] {
  const {inputs: {features, labels}, backend, attrs} = args;
  const {softcap, predictions} = attrs ?? {};
  const [batch, numClasses] = features.shape;
  const layout = rowLayout(batch, numClasses);
  const {loss, rowMax, logSumExp, predicted} = lossAndRowResults(
      backend, features, labels, layout, {softcap, withIndex: predictions});
  return predicted == null ? [loss, rowMax, logSumExp] :
                             [loss, rowMax, logSumExp, predicted];
}

export const sparseSoftmaxCrossEntropyLossWebgpuConfig = gpuKernelConfig(
    SparseSoftmaxCrossEntropyLoss, 'webgpu',
    sparseSoftmaxCrossEntropyLossWebgpu);
