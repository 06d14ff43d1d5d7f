import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';
import type {TensorInfo} from '@tensorflow/tfjs-core';

import {SparseSoftmaxCrossEntropyBackprop, SparseSoftmaxCrossEntropyBackpropInputs} from '../../kernel_names.js';
import {kernelConfig} from '../kernel_config.js';
import {asColumn, isPacked} from './row_reduce.js';
import {SoftmaxCrossEntropyBackpropProgram} from './softmax_cross_entropy_gpu.js';

/**
 * `backprop` from the loss kernel's row results on WebGL: the forward
 * kernel's last program on its own. A label outside `[0, numClasses)` gives
 * a NaN row.
 */
export function sparseSoftmaxCrossEntropyBackpropWebgl(args: {
  inputs: SparseSoftmaxCrossEntropyBackpropInputs,
  backend: MathBackendWebGL,
}): TensorInfo {
  const {inputs: {features, labels, rowMax, logSumExp}, backend} = args;
  const [batch, numClasses] = features.shape;
  if (batch === 0) {
    return backend.makeTensorInfo(
        [0, numClasses], 'float32', new Float32Array(0));
  }
  return backend.runWebGLProgram(
      new SoftmaxCrossEntropyBackpropProgram(
          batch, numClasses, isPacked(backend, features)),
      [features, asColumn(labels), rowMax, logSumExp], 'float32',
      [[numClasses]]);
}

export const sparseSoftmaxCrossEntropyBackpropWebglConfig = kernelConfig(
    SparseSoftmaxCrossEntropyBackprop, 'webgl',
    sparseSoftmaxCrossEntropyBackpropWebgl);
