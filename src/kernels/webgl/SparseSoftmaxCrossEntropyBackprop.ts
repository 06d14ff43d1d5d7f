import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';
import type {TensorInfo} from '@tensorflow/tfjs-core';

import {SparseSoftmaxCrossEntropyBackprop, SparseSoftmaxCrossEntropyBackpropInputs} from '../../kernel_names.js';
import {kernelConfig} from '../kernel_config.js';
import {softmaxMinusOneHot} from './softmax_minus_one_hot.js';

/**
 * `backprop` from the loss kernel's row results on WebGL: the forward
 * kernel's last pass on its own. A label outside `[0, numClasses)` gives
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
  return softmaxMinusOneHot(backend, features, labels, rowMax, logSumExp);
}

export const sparseSoftmaxCrossEntropyBackpropWebglConfig = kernelConfig(
    SparseSoftmaxCrossEntropyBackprop, 'webgl',
    sparseSoftmaxCrossEntropyBackpropWebgl);
