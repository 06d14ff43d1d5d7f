import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';
import type {TensorInfo} from '@tensorflow/tfjs-core';

import {SparseSoftmaxCrossEntropyLossGrad, SparseSoftmaxCrossEntropyLossGradInputs} from '../../kernel_names.js';
import {kernelConfig} from '../kernel_config.js';
import {asColumn, isPacked} from './row_reduce.js';
import {LossGradRowTermsProgram, SoftmaxCrossEntropyLossOnlyGradProgram} from './softmax_cross_entropy_gpu.js';

/**
 * The loss-only gradient on WebGL: a tiny program gathers each row's label,
 * results and upstream gradients, then one program writes
 * `(dLoss + dLogSumExp) * softmax - dLoss * onehot` from the logits, in the
 * logits' texture layout. A label outside
 * `[0, numClasses)` gives a NaN row.
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
  const packed = isPacked(backend, features);
  const rowTerms = backend.runWebGLProgram(
      new LossGradRowTermsProgram(batch, packed),
      [asColumn(labels), rowMax, logSumExp, asColumn(dLoss), dLogSumExp],
      'float32', [[numClasses]], packed);
  const dFeatures = backend.runWebGLProgram(
      new SoftmaxCrossEntropyLossOnlyGradProgram(batch, numClasses, packed),
      [features, rowTerms], 'float32');
  backend.disposeIntermediateTensorInfo(rowTerms);
  return dFeatures;
}

export const sparseSoftmaxCrossEntropyLossGradWebglConfig = kernelConfig(
    SparseSoftmaxCrossEntropyLossGrad, 'webgl',
    sparseSoftmaxCrossEntropyLossGradWebgl);
