import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';
import type {TensorInfo} from '@tensorflow/tfjs-core';

import {SparseSoftmaxCrossEntropyWithLogits, SparseSoftmaxCrossEntropyWithLogitsInputs} from '../../kernel_names.js';
import {isPackedOnWebgl} from '../../tfjs_internals.js';
import {gpuKernelConfig} from '../gpu_kernel_config.js';
import {packedLogits, releasePackedLogits} from './pack_logits.js';
import {asColumn, rowMaxAndLogSumExp} from './row_reduce.js';
import {SoftmaxCrossEntropyLossProgram} from './softmax_cross_entropy_gpu.js';
import {softmaxMinusOneHot} from './softmax_minus_one_hot.js';

/**
 * The forward kernel on WebGL, entirely on the GPU: unpacked logits are
 * first packed where that pays (`pack_logits.ts`), split row reductions give
 * each row's `rowMax` and `logSumExp` (`row_reduce.ts`; no invocation loops
 * over more than `MAX_CHUNK_SIZE` = 1024 logits, whatever `numClasses`), then
 * one program writes `loss` and one pass writes `backprop`
 * (`softmaxMinusOneHot`).
 *
 * Unlike the cpu kernel, labels are not checked (that would need a read-back):
 * a label outside `[0, numClasses)` gives its row a NaN loss and an all-NaN
 * backprop row, as TensorFlow's GPU kernel does. With 16-bit textures
 * (`WEBGL_FORCE_F16_TEXTURES`) labels above 2048 are not exact.
 */
export function sparseSoftmaxCrossEntropyWithLogitsWebgl(args: {
  inputs: SparseSoftmaxCrossEntropyWithLogitsInputs,
  backend: MathBackendWebGL,
}): TensorInfo[] {
  const {inputs: {features, labels}, backend} = args;
  const [batch, numClasses] = features.shape;
  const logits = packedLogits(backend, features);
  const {rowMax, logSumExp} = rowMaxAndLogSumExp(backend, logits);
  const loss = backend.runWebGLProgram(
      new SoftmaxCrossEntropyLossProgram(
          batch, isPackedOnWebgl(backend, logits)),
      [logits, asColumn(labels), rowMax, logSumExp], 'float32',
      [[numClasses]]);
  const backprop =
      softmaxMinusOneHot(backend, logits, labels, rowMax, logSumExp);
  backend.disposeIntermediateTensorInfo(rowMax);
  backend.disposeIntermediateTensorInfo(logSumExp);
  releasePackedLogits(backend, logits, features);
  return [loss, backprop];
}

export const sparseSoftmaxCrossEntropyWithLogitsWebglConfig = gpuKernelConfig(
    SparseSoftmaxCrossEntropyWithLogits, 'webgl',
    sparseSoftmaxCrossEntropyWithLogitsWebgl);
