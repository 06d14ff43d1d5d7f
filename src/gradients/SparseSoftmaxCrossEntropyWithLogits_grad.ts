import {add, cast, engine, expandDims, GradConfig, mul, NamedAttrMap, oneHot, sub, sum, Tensor, zeros} from '@tensorflow/tfjs-core';

import {OP_NAME} from '../errors.js';
import {SparseSoftmaxCrossEntropyWithLogits, SparseSoftmaxCrossEntropyWithLogitsAttrs, SparseSoftmaxCrossEntropyWithLogitsGrad} from '../kernel_names.js';
import {hasKernel, runKernel} from '../run_kernel.js';

/**
 * With `p = softmax(features)` and upstream `dLoss`, `dBackprop`:
 *
 *   dFeatures = dLoss[:, None] * backprop
 *             + (dBackprop - rowsum(dBackprop * p)[:, None]) * p
 *   dLabels   = 0   (labels are not differentiable)
 *
 * Two paths, chosen by whether this gradient's own work is being recorded:
 *
 * - Not recorded (first-order training, the hot path): one fused kernel over
 *   the saved `backprop` output.
 * - Recorded (a higher-order gradient is being taken): a saved output is not
 *   connected to the features on tfjs's tape, so reading it would silently
 *   drop the second-order terms. Instead the forward kernel is re-run on the
 *   saved (connected) inputs and the formula is built from differentiable
 *   ops; its `backprop` then differentiates through this same config, which
 *   makes every order right.
 *
 * A kernel run with the internal `softcap` attribute
 * (`SparseSoftmaxCrossEntropyWithLogitsAttrs`) writes `backprop` through
 * the cap, where the formula above does not hold: for it this config
 * throws a clear error rather than give a wrong gradient. The loss step
 * that runs it records its own gradient (`lossReusingBackprop` in
 * `ops/losses/per_example_loss.ts`); a gradient through the cap, from ops,
 * weighed 0.14 KB gzipped in the package, over its bundle budget.
 */
export const sparseSoftmaxCrossEntropyWithLogitsGradConfig: GradConfig = {
  kernelName: SparseSoftmaxCrossEntropyWithLogits,
  inputsToSave: ['features', 'labels'],
  outputsToSave: [false, true],
  gradFunc: (dys: Tensor|Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const [dLoss, dBackprop] = dys as Tensor[];
    const [features, labels, backprop] = saved;
    if ((attrs as SparseSoftmaxCrossEntropyWithLogitsAttrs|undefined)
            ?.softcap != null) {
      throw new Error(`${OP_NAME}: no gradient with softcap`);
    }
    return {
      features: () =>
          featuresGradient({features, labels, backprop}, {dLoss, dBackprop}),
      labels: () => zeros(labels.shape, 'float32'),
    };
  },
};

/**
 * What the gradient reads: the forward kernel's inputs and its `backprop`.
 * `features` may be absent when the gradient is known not to be recorded.
 */
export interface ForwardTensors {
  features?: Tensor;
  labels: Tensor;
  backprop: Tensor;
}

/** Upstream gradients of the two outputs; an absent one is zero. */
export interface Upstream {
  dLoss?: Tensor;
  dBackprop?: Tensor;
}

/**
 * `dFeatures` by the path the header describes. Also the gradient of the
 * op's two tape nodes (`recorded_outputs.ts`), each with one upstream.
 */
export function featuresGradient(
    {features, labels, backprop}: ForwardTensors,
    {dLoss, dBackprop}: Upstream): Tensor {
  const $dLoss = dLoss ?? zeros([backprop.shape[0]], 'float32');
  if (engine().isTapeOn()) {
    if (features == null) {
      throw new Error(
          `${OP_NAME}: internal error, a recorded gradient without features`);
    }
    const [, recomputed] =
        runKernel(SparseSoftmaxCrossEntropyWithLogits, {features, labels});
    return featuresGradientFromBackprop(recomputed, labels, $dLoss, dBackprop);
  }
  if (!hasKernel(SparseSoftmaxCrossEntropyWithLogitsGrad)) {
    return featuresGradientFromBackprop(backprop, labels, $dLoss, dBackprop);
  }
  const inputs: {[name: string]: Tensor} = {backprop, labels, dLoss: $dLoss};
  if (dBackprop != null) {
    inputs.dBackprop = dBackprop;
  }
  const [dFeatures] =
      runKernel(SparseSoftmaxCrossEntropyWithLogitsGrad, inputs);
  return dFeatures;
}

/** The gradient formula in tfjs ops, for the recorded path and backends without the fused kernel. */
function featuresGradientFromBackprop(
    backprop: Tensor, labels: Tensor, dLoss: Tensor,
    dBackprop: Tensor|undefined): Tensor {
  const lossTerm = mul(expandDims(dLoss, 1), backprop);
  if (dBackprop == null) {
    return lossTerm;
  }
  const probabilities = probabilitiesFromBackprop(backprop, labels);
  const rowDot = sum(mul(dBackprop, probabilities), 1, true);
  return add(lossTerm, mul(sub(dBackprop, rowDot), probabilities));
}

/** The softmax, `backprop + onehot(labels)`, from tfjs ops (differentiable). */
export function probabilitiesFromBackprop(
    backprop: Tensor, labels: Tensor): Tensor {
  // An int32 one-hot, then cast: tfjs-backend-wasm 4.22's OneHot kernel
  // writes int32 bit patterns into a float32 output (1 reads as 1.4e-45).
  const numClasses = backprop.shape[1] as number;
  return add(backprop, cast(oneHot(labels, numClasses), 'float32'));
}
