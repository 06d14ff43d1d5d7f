import type {WebGPUBackend} from '@tensorflow/tfjs-backend-webgpu';
import type {TensorInfo} from '@tensorflow/tfjs-core';

import {SparseSoftmaxCrossEntropyWithLogits, SparseSoftmaxCrossEntropyWithLogitsInputs} from '../../kernel_names.js';
import {gpuKernelConfig} from '../gpu_kernel_config.js';
import {lossAndRowResults} from './loss_and_row_results.js';
import {rowLayout} from './row_reduce_webgpu.js';
import {softmaxMinusOneHot} from './softmax_minus_one_hot.js';

/**
 * The forward kernel on WebGPU, entirely on the GPU: a split row reduction
 * gives each row's `rowMax` and `logSumExp` (`row_reduce.ts`: each row
 * spread over up to 4096 threads, whatever `numClasses`), then a
 * one-thread-per-row program writes `loss` and one pass writes `backprop`
 * (`softmaxMinusOneHot`).
 *
 * Unlike the cpu kernel, labels are not checked (that would need a
 * read-back): a label outside `[0, numClasses)` gives its row a NaN loss
 * and an all-NaN backprop row, as TensorFlow's GPU kernel does.
 */
export function sparseSoftmaxCrossEntropyWithLogitsWebgpu(args: {
  inputs: SparseSoftmaxCrossEntropyWithLogitsInputs,
  backend: WebGPUBackend,
}): TensorInfo[] {
  const {inputs: {features, labels}, backend} = args;
  const [batch, numClasses] = features.shape;
  const layout = rowLayout(batch, numClasses);
  const {loss, rowMax, logSumExp} =
      lossAndRowResults(backend, features, labels, layout);
  const backprop =
      softmaxMinusOneHot(backend, features, labels, rowMax, logSumExp, layout);
  backend.disposeData(rowMax.dataId);
  backend.disposeData(logSumExp.dataId);
  return [loss, backprop];
}

export const sparseSoftmaxCrossEntropyWithLogitsWebgpuConfig = gpuKernelConfig(
    SparseSoftmaxCrossEntropyWithLogits, 'webgpu',
    sparseSoftmaxCrossEntropyWithLogitsWebgpu);
