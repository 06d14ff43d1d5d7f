import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';
import type {TensorInfo} from '@tensorflow/tfjs-core';

import {SparseSoftmaxCrossEntropyLoss, SparseSoftmaxCrossEntropyWithLogitsInputs} from '../../kernel_names.js';
import {isPackedOnWebgl} from '../../tfjs_internals.js';
import {gpuKernelConfig} from '../gpu_kernel_config.js';
import {asColumn, rowMaxAndLogSumExp} from './row_reduce.js';
import {SoftmaxCrossEntropyLossProgram} from './softmax_cross_entropy_gpu.js';

/**
 * The loss-only kernel on WebGL: the forward kernel without its `backprop`
 * program. The row reductions' results are returned as outputs for the
 * gradient kernel. Labels are not checked, as in the forward kernel: a label
 * outside `[0, numClasses)` gives a NaN loss.
 */
export function sparseSoftmaxCrossEntropyLossWebgl(args: {
  inputs: SparseSoftmaxCrossEntropyWithLogitsInputs,
  backend: MathBackendWebGL,
}): TensorInfo[] {
  const {inputs: {features, labels}, backend} = args;
  const [batch, numClasses] = features.shape;
  const {rowMax, logSumExp} = rowMaxAndLogSumExp(backend, features);
  const loss = backend.runWebGLProgram(
      new SoftmaxCrossEntropyLossProgram(
          batch, isPackedOnWebgl(backend, features)),
      [features, asColumn(labels), rowMax, logSumExp], 'float32',
      [[numClasses]]);
  return [loss, rowMax, logSumExp];
}

export const sparseSoftmaxCrossEntropyLossWebglConfig = gpuKernelConfig(
    SparseSoftmaxCrossEntropyLoss, 'webgl',
    sparseSoftmaxCrossEntropyLossWebgl);
