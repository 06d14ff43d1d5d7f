import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';
import type {TensorInfo} from '@tensorflow/tfjs-core';

import {SparseSoftmaxCrossEntropyWithLogitsGrad, SparseSoftmaxCrossEntropyWithLogitsGradInputs} from '../../kernel_names.js';
import {gpuKernelConfig} from '../gpu_kernel_config.js';
import {isZerosNotOnGpu} from '../zeros_not_on_gpu.js';
import {rowDot} from './row_reduce.js';
import {scaleRows} from './scale_rows.js';
import {SoftmaxCrossEntropyGradProgram} from './softmax_cross_entropy_gpu.js';

/**
 * The fused gradient on WebGL: a split row reduction gives
 * `sum_j dBackprop_j * backprop_j` per row, then one program writes
 * `dFeatures` (formula in `SoftmaxCrossEntropyGradProgram`). A label outside
 * `[0, numClasses)` gives a NaN row, as in the forward kernel.
 *
 * Without `dBackprop` (a training step that used only `loss`), or with the
 * zeros tfjs makes on the CPU for an unused output (checked where they lie,
 * no upload or GPU read-back), one program writes `dLoss * backprop`,
 * skipping the row reduction.
 */
export function sparseSoftmaxCrossEntropyWithLogitsGradWebgl(args: {
  inputs: SparseSoftmaxCrossEntropyWithLogitsGradInputs,
  backend: MathBackendWebGL,
}): TensorInfo {
  const {inputs: {backprop, labels, dLoss, dBackprop}, backend} = args;
  const [batch, numClasses] = backprop.shape;
  if (dBackprop == null || isZerosNotOnGpu(backend, dBackprop)) {
    return scaleRows(backend, backprop, dLoss);
  }
  const backpropDots = rowDot(backend, dBackprop, backprop);
  const dFeatures = backend.runWebGLProgram(
      new SoftmaxCrossEntropyGradProgram(batch, numClasses),
      [backprop, labels, dLoss, dBackprop, backpropDots], 'float32',
      [[numClasses]]);
  backend.disposeIntermediateTensorInfo(backpropDots);
  return dFeatures;
}

export const sparseSoftmaxCrossEntropyWithLogitsGradWebglConfig =
    gpuKernelConfig(SparseSoftmaxCrossEntropyWithLogitsGrad, 'webgl',
        sparseSoftmaxCrossEntropyWithLogitsGradWebgl);
