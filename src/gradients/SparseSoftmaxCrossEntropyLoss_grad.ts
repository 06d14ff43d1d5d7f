import {engine, expandDims, getBackend, getKernel, GradConfig, mul, Tensor, zeros} from '@tensorflow/tfjs-core';

import {ensureKernelsFor} from '../fallback_kernels.js';
import {SparseSoftmaxCrossEntropyLoss, SparseSoftmaxCrossEntropyLossGrad, SparseSoftmaxCrossEntropyWithLogits} from '../kernel_names.js';
import {runKernel} from '../run_kernel.js';

/**
 * `dFeatures = dLoss[:, None] * (softmax(features) - onehot(labels))`.
 *
 * Only `loss` is differentiated: `rowMax` and `logSumExp` are internal
 * outputs that the loss op never returns, so their upstream gradients are
 * always the zeros tfjs fills in for unused outputs (`[batch, 1]`, cheap).
 *
 * As in the forward kernel's gradient, two paths:
 * - Not recorded (first-order training): one gradient kernel over the saved
 *   features and row results; no `[batch, numClasses]` tensor was saved
 *   besides the features.
 * - Recorded (a higher-order gradient): `dLoss * backprop` from tfjs ops,
 *   with `backprop` from the forward kernel re-run on the saved features, so
 *   every order differentiates through that kernel's gradient. Also the
 *   path on a backend with our forward kernels but no gradient kernel.
 */
export const sparseSoftmaxCrossEntropyLossGradConfig: GradConfig = {
  kernelName: SparseSoftmaxCrossEntropyLoss,
  inputsToSave: ['features', 'labels'],
  outputsToSave: [false, true, true],
  gradFunc: (dys: Tensor|Tensor[], saved: Tensor[]) => {
    const [dLoss] = dys as Tensor[];
    const [features, labels, rowMax, logSumExp] = saved;
    return {
      features: () => {
        ensureKernelsFor(getBackend());
        if (engine().isTapeOn() ||
            getKernel(SparseSoftmaxCrossEntropyLossGrad, getBackend()) ==
                null) {
          const [, backprop] = runKernel(
              SparseSoftmaxCrossEntropyWithLogits, {features, labels});
          return mul(expandDims(dLoss, 1), backprop);
        }
        const [dFeatures] = runKernel(SparseSoftmaxCrossEntropyLossGrad,
            {features, labels, rowMax, logSumExp, dLoss});
        return dFeatures;
      },
      labels: () => zeros(labels.shape, 'float32'),
    };
  },
};
