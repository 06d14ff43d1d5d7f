import type {WebGPUBackend} from '@tensorflow/tfjs-backend-webgpu';
import type {TensorInfo} from '@tensorflow/tfjs-core';

import {SparseSoftmaxCrossEntropyWithLogitsGrad, SparseSoftmaxCrossEntropyWithLogitsGradInputs} from '../../kernel_names.js';
import {gpuKernelConfig} from '../gpu_kernel_config.js';
import {isZerosNotOnGpu} from '../zeros_not_on_gpu.js';
import {rowDot} from './row_reduce.js';
import {rowLayout} from './row_reduce_webgpu.js';
import {runFlatProgram} from './run_program.js';
import {ScaleRowsProgram, SoftmaxCrossEntropyGradProgram} from './softmax_cross_entropy_webgpu.js';

/**
 * The fused gradient on WebGPU: a split row reduction gives
 * `sum_j dBackprop_j * backprop_j` per row, then one pass writes
 * `dFeatures` (formula in `SoftmaxCrossEntropyGradProgram`). A label
 * outside `[0, numClasses)` gives a NaN row, as in the forward kernel.
 *
 * Without `dBackprop` (a training step that used only `loss`), or with the
 * zeros tfjs makes on the CPU for an unused output (checked where they lie,
 * no upload or GPU read-back), one pass writes `dLoss * backprop`, skipping
 * the row reduction.
 */
export function sparseSoftmaxCrossEntropyWithLogitsGradWebgpu(args: {
  inputs: SparseSoftmaxCrossEntropyWithLogitsGradInputs,
  backend: WebGPUBackend,
}): TensorInfo {
  const {inputs: {backprop, labels, dLoss, dBackprop}, backend} = args;
  const [batch, numClasses] = backprop.shape;
  const layout = rowLayout(batch, numClasses);
  if (dBackprop == null || isZerosNotOnGpu(backend, dBackprop)) {
    return runFlatProgram(
        backend, new ScaleRowsProgram(layout), [backprop, dLoss]);
  }
  const backpropDots = rowDot(backend, dBackprop, backprop, layout);
  const dFeatures = runFlatProgram(
      backend, new SoftmaxCrossEntropyGradProgram(layout),
      [backprop, labels, dLoss, dBackprop, backpropDots]);
  backend.disposeData(backpropDots.dataId);
  return dFeatures;
}

export const sparseSoftmaxCrossEntropyWithLogitsGradWebgpuConfig =
    gpuKernelConfig(SparseSoftmaxCrossEntropyWithLogitsGrad, 'webgpu',
        sparseSoftmaxCrossEntropyWithLogitsGradWebgpu);
