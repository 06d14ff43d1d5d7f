/**
 * The loss-only kernels' math over TypedArrays (see `kernel_names.ts`): the
 * forward reads the logits and writes nothing of their size; its gradient
 * rebuilds the softmax from each row's `rowMax` and `logSumExp` while it
 * writes its one `[batch, numClasses]` array, as a hand-written fused loop
 * would.
 * Labels are assumed checked (`findInvalidLabel`); an invalid one gives NaN.
 */

import {expFloat32} from './exp_float32.js';
import {rowMaximum, sumShiftedExps} from './softmax_rows.js';

export interface SparseSoftmaxCrossEntropyLossResult {
  loss: Float32Array;
  /** Per row, `[batch]` values (the kernel shapes them `[batch, 1]`). */
  rowMax: Float32Array;
  logSumExp: Float32Array;
  /** With `predictions`: each row's first argmax of the logits as read. */
  predicted?: Int32Array;
}

/** The kernels' attributes (`SparseSoftmaxCrossEntropyLossAttrs`). */
export interface LossOptions {
  softcap?: number;
  predictions?: boolean;
}

export function sparseSoftmaxCrossEntropyLossImpl(
    features: Float32Array, labels: Int32Array, batch: number,
    numClasses: number,
    {softcap, predictions}: LossOptions = {}):
    SparseSoftmaxCrossEntropyLossResult {
  const loss = new Float32Array(batch);
  const rowMax = new Float32Array(batch);
  const logSumExp = new Float32Array(batch);
  const predicted = predictions ? new Int32Array(batch) : undefined;
  for (let row = 0; row < batch; row++) {
    const offset = row * numClasses;
    const label = labels[row];
    let max: number;
    let sumExp: number;
    if (softcap == null && predicted == null) {
      max = rowMaximum(features, offset, numClasses);
      sumExp = sumShiftedExps(features, offset, numClasses, max);
    } else {
      // Capped values rounded to float32, as a capped logits tensor holds
      // them (ties, for the argmax, as there).
      const read = (j: number) => softcap == null ? features[offset + j] :
          Math.fround(capped(features[offset + j], softcap));
      // `>` skips NaN (and keeps the first of equal values, as tf.argMax);
      // a NaN still makes the sum NaN.
      let argMax = 0;
      max = -Infinity;
      for (let j = 0; j < numClasses; j++) {
        const value = read(j);
        if (value > max) {
          max = value;
          argMax = j;
        }
      }
      sumExp = 0;
      for (let j = 0; j < numClasses; j++) {
        sumExp += expFloat32(read(j) - max);
      }
      if (predicted != null) {
        predicted[row] = argMax;
      }
    }
    rowMax[row] = max;
    logSumExp[row] = Math.log(sumExp);
    loss[row] = label >= 0 && label < numClasses ?
        Math.log(sumExp) -
            (capped(features[offset + label], softcap) - max) :
        NaN;
  }
  return predicted == null ? {loss, rowMax, logSumExp} :
                             {loss, rowMax, logSumExp, predicted};
}

/**
 * A logit as the kernels read it: Gemma 2's soft cap
 * `softcap * tanh(x / softcap)` in float64, or `x` without a cap.
 */
export function capped(x: number, softcap: number|undefined): number {
  return softcap == null ? x : softcap * Math.tanh(x / softcap);
}

/**
 * The cap's derivative `1 - tanh(x / softcap)^2`, as `1 / cosh^2` (no
 * cancellation where tanh saturates; 0 once cosh overflows).
 */
function capDerivative(x: number, softcap: number): number {
  const cosh = Math.cosh(x / softcap);
  return 1 / (cosh * cosh);
}

/**
 * The loss-only kernel's gradient, per row, in one pass that writes the
 * only `[batch, numClasses]` array:
 * `dFeatures = (dLoss + dLogSumExp) * softmax - dLoss * onehot(label)`,
 * the softmax rebuilt as `exp(x - rowMax - logSumExp)`. `dLogSumExp` is
 * zero unless a caller of the kernel differentiated its `logSumExp` output.
 * With `softcap` the softmax is the capped row's (`capped`) and each entry
 * is times the cap's derivative. A label outside `[0, numClasses)` gives a
 * NaN row.
 */
export function sparseSoftmaxCrossEntropyLossGradImpl(
    features: Float32Array, labels: Int32Array, rowMax: Float32Array,
    logSumExp: Float32Array, dLoss: Float32Array, dLogSumExp: Float32Array,
    batch: number, numClasses: number, softcap?: number): Float32Array {
  const out = new Float32Array(batch * numClasses);
  for (let row = 0; row < batch; row++) {
    const offset = row * numClasses;
    const label = labels[row];
    if (!(label >= 0 && label < numClasses)) {
      out.fill(NaN, offset, offset + numClasses);
      continue;
    }
    // `x - rowMax` is taken first so large logits keep their precision.
    const max = rowMax[row];
    const logSum = logSumExp[row];
    const scale = dLoss[row] + dLogSumExp[row];
    const oneHot = dLoss[row];
    if (softcap == null) {
      for (let j = offset; j < offset + numClasses; j++) {
        out[j] = scale * expFloat32(features[j] - max - logSum);
      }
    } else {
      for (let j = offset; j < offset + numClasses; j++) {
        out[j] = scale * expFloat32(capped(features[j], softcap) - max -
            logSum) * capDerivative(features[j], softcap);
      }
    }
    // One rounding at the label, as TF's `p - 1`, when the scales agree.
    const x = features[offset + label];
    const labelProbability =
        expFloat32(capped(x, softcap) - max - logSum);
    out[offset + label] = (scale === oneHot ?
        scale * (labelProbability - 1) : scale * labelProbability - oneHot) *
        (softcap == null ? 1 : capDerivative(x, softcap));
  }
  return out;
}
