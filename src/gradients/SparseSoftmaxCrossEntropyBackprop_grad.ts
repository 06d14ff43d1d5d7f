import {exp, GradConfig, mul, neg, sub, sum, Tensor, zeros} from '@tensorflow/tfjs-core';

import {SparseSoftmaxCrossEntropyBackprop} from '../kernel_names.js';

/**
 * With `p = exp(features - rowMax - logSumExp)` and upstream `dBackprop`,
 * the partial derivatives of `backprop = p - onehot(labels)`:
 *
 *   dFeatures  = dBackprop * p
 *   dLogSumExp = dRowMax = -rowsum(dBackprop * p)
 *
 * The gradient through `logSumExp` reaches the features through the loss
 * kernel's gradient, which completes TensorFlow's formula
 * `(dBackprop - rowsum(dBackprop * p)) * p`; `dRowMax` is dropped there
 * (`rowMax` is a stop-gradient shift). Built from tfjs ops over saved inputs
 * only, so it is right to every order; it runs only when a caller
 * differentiates `backprop` itself, which a loss-only training step never
 * does.
 */
export const sparseSoftmaxCrossEntropyBackpropGradConfig: GradConfig = {
  kernelName: SparseSoftmaxCrossEntropyBackprop,
  inputsToSave: ['features', 'labels', 'rowMax', 'logSumExp'],
  gradFunc: (dy: Tensor|Tensor[], saved: Tensor[]) => {
    const [features, labels, rowMax, logSumExp] = saved;
    const scaledProbabilities =
        mul(dy as Tensor, exp(sub(sub(features, rowMax), logSumExp)));
    const negativeRowDot = () => neg(sum(scaledProbabilities, 1, true));
    return {
      features: () => scaledProbabilities,
      labels: () => zeros(labels.shape, 'float32'),
      rowMax: negativeRowDot,
      logSumExp: negativeRowDot,
    };
  },
};
