import {add, cast, div, engine, exp, expandDims, GradConfig, max, mul, NamedAttrMap, oneHot, scalar, square, sub, sum, tanh, Tensor, zeros, zerosLike} from '@tensorflow/tfjs-core';

import {OP_NAME} from '../errors.js';
import {SparseSoftmaxCrossEntropyWithLogits, SparseSoftmaxCrossEntropyWithLogitsAttrs, SparseSoftmaxCrossEntropyWithLogitsGrad} from '../kernel_names.js';
import {hasKernel, runKernel} from '../run_kernel.js';
import {stopGradient} from '../ops/stop_gradient.js';

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
 * (`SparseSoftmaxCrossEntropyWithLogitsAttrs`; the loss step that runs it
 * records its own gradient, `lossReusingBackprop`) writes `backprop`
 * through the cap, so the formula above does not hold: its gradient is
 * `cappedFeaturesGradient`, from tfjs ops, correct to every order.
 */
export const sparseSoftmaxCrossEntropyWithLogitsGradConfig: GradConfig = {
  kernelName: SparseSoftmaxCrossEntropyWithLogits,
  inputsToSave: ['features', 'labels'],
  outputsToSave: [false, true],
  gradFunc: (dys: Tensor|Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const [dLoss, dBackprop, dLogSumExp] = dys as Tensor[];
    const [features, labels, backprop] = saved;
    const softcap =
        (attrs as SparseSoftmaxCrossEntropyWithLogitsAttrs|undefined)?.softcap;
    return {
      features: () => softcap != null ?
          cappedFeaturesGradient(features, labels, softcap,
              {dLoss, dBackprop}, dLogSumExp) :
          featuresGradient({features, labels, backprop}, {dLoss, dBackprop}),
      labels: () => zeros(labels.shape, 'float32'),
    };
  },
};

/**
 * The gradient of the kernel run with `softcap`, from tfjs ops over the
 * saved features (so recorded, it differentiates again). With
 * `c = softcap * tanh(x / softcap)`, `t = c / softcap`, slope `s = 1 - t^2`,
 * `p = softmax(c)` and `backprop = (p - onehot) * s`:
 *
 *   dFeatures = dLoss[:, None] * backprop
 *             + s * p * (dBackprop * s - rowsum(dBackprop * s * p))
 *             - (2 / softcap) * t * dBackprop * backprop
 *             + dLogSumExp[:, None] * p * s
 *
 * (the last but one term is `dBackprop` through the slope,
 * `ds / dx = -2 t s / softcap`).
 */
function cappedFeaturesGradient(
    features: Tensor, labels: Tensor, softcap: number, {dLoss, dBackprop}:
    Upstream, dLogSumExp?: Tensor): Tensor {
  const numClasses = features.shape[1] as number;
  const t = tanh(div(features, scalar(softcap)));
  const slope = sub(scalar(1), square(t));
  // The softmax from primitive ops, each differentiable again (tfjs's
  // softmax is not), shifted by the row max off the gradient.
  const c = mul(t, scalar(softcap));
  const exps = exp(sub(c, stopGradient(max(c, 1, true))));
  const p = div(exps, sum(exps, 1, true));
  const backprop =
      mul(sub(p, cast(oneHot(labels, numClasses), 'float32')), slope);
  let gradient = dLoss == null ? zerosLike(features) :
                                 mul(expandDims(dLoss, 1), backprop);
  if (dBackprop != null) {
    const g = mul(dBackprop, slope);
    gradient = add(gradient, add(
        mul(mul(slope, p), sub(g, sum(mul(g, p), 1, true))),
        mul(mul(t, scalar(-2 / softcap)), mul(dBackprop, backprop))));
  }
  return dLogSumExp == null ? gradient :
      add(gradient, mul(expandDims(dLogSumExp, 1), mul(p, slope)));
}

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
