import type {WebGPUBackend} from '@tensorflow/tfjs-backend-webgpu';
import type {TensorInfo} from '@tensorflow/tfjs-core';

import {SparseSoftmaxCrossEntropyLoss, SparseSoftmaxCrossEntropyWithLogitsInputs} from '../../kernel_names.js';
import {gpuKernelConfig} from '../gpu_kernel_config.js';
import {lossAndRowResults} from './loss_and_row_results.js';
import {rowLayout} from './row_reduce_webgpu.js';

/**
 * The loss-only kernel on WebGPU: the forward kernel without its `backprop`
 * pass. The row reductions' results are returned as outputs for the
 * gradient kernel. Labels are not checked, as in the forward kernel: a
 * label outside `[0, numClasses)` gives a NaN loss.
 */
export function sparseSoftmaxCrossEntropyLossWebgpu(args: {
  inputs: SparseSoftmaxCrossEntropyWithLogitsInputs,
  backend: WebGPUBackend,
}): TensorInfo[] {
  const {inputs: {features, labels}, backend} = args;
  const [batch, numClasses] = features.shape;
  const layout = rowLayout(batch, numClasses);
  const {loss, rowMax, logSumExp} =
      lossAndRowResults(backend, features, labels, layout);
  return [loss, rowMax, logSumExp];
}

export const sparseSoftmaxCrossEntropyLossWebgpuConfig = gpuKernelConfig(
    SparseSoftmaxCrossEntropyLoss, 'webgpu',
    sparseSoftmaxCrossEntropyLossWebgpu);
