import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';
import type {TensorInfo} from '@tensorflow/tfjs-core';

import {SparseSoftmaxCrossEntropyLossGrad, SparseSoftmaxCrossEntropyLossGradInputs} from '../../kernel_names.js';
import {kernelConfig} from '../kernel_config.js';
import {SoftmaxCrossEntropyBackpropProgram} from './softmax_cross_entropy_gpu.js';

/**
 * The loss-only gradient on WebGL: one program writes
 * `(dLoss + dLogSumExp) * softmax - dLoss * onehot` from the logits and the
 * forward's row results. A label outside `[0, numClasses)` gives a NaN row.
 */
export function sparseSoftmaxCrossEntropyLossGradWebgl(args: {
  inputs: SparseSoftmaxCrossEntropyLossGradInputs,
  backend: MathBackendWebGL,
}): TensorInfo {
  const {
    inputs: {features, labels, rowMax, logSumExp, dLoss, dLogSumExp},
    backend,
  } = args;
  const [batch, numClasses] = features.shape;
  if (batch === 0) {
    return backend.makeTensorInfo(
        [0, numClasses], 'float32', new Float32Array(0));
  }
  return backend.runWebGLProgram(
      new SoftmaxCrossEntropyBackpropProgram(batch, numClasses, true),
      [features, labels, rowMax, logSumExp, dLoss, dLogSumExp], 'float32',
      [[numClasses]]);
}

export const sparseSoftmaxCrossEntropyLossGradWebglConfig = kernelConfig(
    SparseSoftmaxCrossEntropyLossGrad, 'webgl',
    sparseSoftmaxCrossEntropyLossGradWebgl);
