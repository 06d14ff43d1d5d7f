import {add, engine, expandDims, GradConfig, mul, Tensor, zeros} from '@tensorflow/tfjs-core';

import {SparseSoftmaxCrossEntropyLoss, SparseSoftmaxCrossEntropyLossGrad, SparseSoftmaxCrossEntropyWithLogits} from '../kernel_names.js';
import {hasKernel, runKernel} from '../run_kernel.js';
import {probabilitiesFromBackprop} from './SparseSoftmaxCrossEntropyWithLogits_grad.js';

/**
 * `dFeatures = dLoss[:, None] * (softmax - onehot) + dLogSumExp * softmax`.
 *
 * `rowMax` is a shift whose gradient is defined as zero (see
 * `kernel_names.ts`), so `dRowMax` is not read. `dLogSumExp` is the zeros
 * tfjs fills in (`[batch, 1]`, cheap) unless a caller of the kernel used
 * its `logSumExp` output.
 *
 * As in the forward kernel's gradient, two paths:
 * - Not recorded (first-order training): one gradient kernel over the saved
 *   features and row results; no `[batch, numClasses]` tensor was saved
 *   besides the features.
 * - Recorded (a higher-order gradient): the formula from tfjs ops, with
 *   `backprop` from the forward kernel re-run on the saved features, so
 *   every order differentiates through that kernel's gradient. Also the
 *   path on a backend with our forward kernels but no gradient kernel.
 */
export const sparseSoftmaxCrossEntropyLossGradConfig: GradConfig = {
  kernelName: SparseSoftmaxCrossEntropyLoss,
  inputsToSave: ['features', 'labels'],
  outputsToSave: [false, true, true],
  gradFunc: (dys: Tensor|Tensor[], saved: Tensor[]) => {
    const [dLoss, , dLogSumExp] = dys as Tensor[];
    const [features, labels, rowMax, logSumExp] = saved;
    return {
      features: () => lossFeaturesGradient(
          {features, labels, rowMax, logSumExp}, dLoss, dLogSumExp),
      labels: () => zeros(labels.shape, 'float32'),
    };
  },
};

/** The loss kernel's inputs and row outputs, as its gradient reads them. */
export interface SavedLossRows {
  features: Tensor;
  labels: Tensor;
  rowMax: Tensor;
  logSumExp: Tensor;
}

/**
 * `dFeatures` by whichever of the two paths above applies; with `softcap`
 * the features are read capped (`SparseSoftmaxCrossEntropyLossAttrs`).
 */
export function lossFeaturesGradient(
    saved: SavedLossRows, dLoss: Tensor, dLogSumExp: Tensor,
    softcap?: number): Tensor {
  const {features, labels, rowMax, logSumExp} = saved;
  if (engine().isTapeOn() || !hasKernel(SparseSoftmaxCrossEntropyLossGrad)) {
    // Unreached with a cap: capped losses are taken on backends with the
    // gradient kernel, and a recorded gradient caps the logits with ops.
    if (softcap != null) {
      throw new Error('softcap: no gradient kernel on this path');
    }
    return lossFeaturesGradientFromOps(features, labels, dLoss, dLogSumExp);
  }
  const [dFeatures] = runKernel(SparseSoftmaxCrossEntropyLossGrad,
      {features, labels, rowMax, logSumExp, dLoss, dLogSumExp}, {softcap});
  return dFeatures;
}

/**
 * `dFeatures` from tfjs ops around the forward kernel's `backprop`
 * (re-run on `features`), so it is differentiable: the recorded path, and
 * the path on a backend without the loss's gradient kernel.
 */
function lossFeaturesGradientFromOps(
    features: Tensor, labels: Tensor, dLoss: Tensor,
    dLogSumExp: Tensor): Tensor {
  const [, backprop] =
      runKernel(SparseSoftmaxCrossEntropyWithLogits, {features, labels});
  return add(mul(expandDims(dLoss, 1), backprop),
      mul(dLogSumExp, probabilitiesFromBackprop(backprop, labels)));
}
