import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';
import type {TensorInfo} from '@tensorflow/tfjs-core';

import {SparseSoftmaxCrossEntropyLoss, SparseSoftmaxCrossEntropyLossAttrs, SparseSoftmaxCrossEntropyWithLogitsInputs} from '../../kernel_names.js';
import {isPackedOnWebgl} from '../../tfjs_internals.js';
import {gpuKernelConfig} from '../gpu_kernel_config.js';
import {softcapUniformValues} from '../gpu_softcap.js';
import {asColumn, rowMaxAndLogSumExp} from './row_reduce.js';
import {SoftmaxCrossEntropyLossProgram} from './softmax_cross_entropy_gpu.js';

/**
 * The loss-only kernel on WebGL: the forward kernel without its `backprop`
 * program. The row reductions' results are returned as outputs for the
 * gradient kernel. Labels are not checked, as in the forward kernel: a label
 * outside `[0, numClasses)` gives a NaN loss.
 *
 * `softcap` reads the logits capped in every program (a uniform);
 * `predictions` adds `predicted`, the row reduction's argmax
 * (`rowMaxAndLogSumExp`). Nothing is read back. With 16-bit textures
 * (`WEBGL_FORCE_F16_TEXTURES`) labels and predicted classes above 2048 are
 * not exact.
 */
export function sparseSoftmaxCrossEntropyLossWebgl(args: {
  inputs: SparseSoftmaxCrossEntropyWithLogitsInputs,
  backend: MathBackendWebGL,
  attrs?: SparseSoftmaxCrossEntropyLossAttrs,
}): TensorInfo[] {
  const {inputs: {features, labels}, backend, attrs} = args;
  const {softcap, predictions} = attrs ?? {};
  const [batch, numClasses] = features.shape;
  const {rowMax, logSumExp, predicted} =
      rowMaxAndLogSumExp(backend, features, {softcap, predictions});
  const loss = backend.runWebGLProgram(
      new SoftmaxCrossEntropyLossProgram(
          batch, isPackedOnWebgl(backend, features), softcap != null),
      [features, asColumn(labels), rowMax, logSumExp], 'float32',
      [[numClasses], ...softcapUniformValues(softcap)]);
  return predicted == null ? [loss, rowMax, logSumExp] :
                             [loss, rowMax, logSumExp, predicted];
}

export const sparseSoftmaxCrossEntropyLossWebglConfig = gpuKernelConfig(
    SparseSoftmaxCrossEntropyLoss, 'webgl',
    sparseSoftmaxCrossEntropyLossWebgl);
