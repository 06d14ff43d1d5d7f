/**
 * The op's math in JavaScript over TypedArrays: no tensors, no backend. The
 * cpu kernels (also the fallback, `fallback_kernels.ts`) run it where they
 * do not run the WebAssembly row passes (under their size threshold or
 * without SIMD: `row_passes/copied_row_passes.ts`); the row passes' tests
 * compare against it.
 *
 * Per row `x` with label `y`:
 *   rowMax    = max_j x_j            (subtracted so +-1e4 logits stay finite)
 *   sumExp    = sum_j exp(x_j - rowMax)
 *   loss      = log(sumExp) - (x_y - rowMax)
 *   backprop  = exp(x - rowMax) / sumExp - onehot(y)
 *
 * Sums accumulate in float64 (JavaScript numbers), which is at least as
 * careful as TensorFlow's float32 Eigen reductions; `exp` is accurate to
 * float32 (`exp_float32.ts`); results round to float32 when stored.
 *
 * With a soft cap (the loss's internal `softcap` attribute) `x` is read as
 * `c = softcap * tanh(x / softcap)` and `backprop` is d loss / d x through
 * the cap: `(softmax(c) - onehot(y)) * (1 - t^2)`, `t = c / softcap`.
 */

import {capped} from './SparseSoftmaxCrossEntropyLoss_impl.js';
import {rowMaximum, sumShiftedExps} from './softmax_rows.js';

export interface SparseSoftmaxCrossEntropyResult {
  loss: Float32Array;
  backprop: Float32Array;
  /** Each row's `rowMax + log(sumExp)`, where the caller asked for it. */
  logSumExp?: Float32Array;
}

/**
 * Loss, backprop and each row's log-sum-exp for `batch` rows of
 * `numClasses` logits, read capped with `softcap` (see above). A label outside
 * `[0, numClasses)` gives that row a NaN loss and an all-NaN backprop row (what
 * TensorFlow's GPU kernel does); callers that must reject such labels check
 * them first with `findInvalidLabel`.
 */
export function sparseSoftmaxCrossEntropyWithLogitsImpl(
    features: Float32Array, labels: Int32Array, batch: number,
    numClasses: number,
    softcap?: number): Required<SparseSoftmaxCrossEntropyResult> {
  const loss = new Float32Array(batch);
  const backprop = new Float32Array(batch * numClasses);
  const logSumExp = new Float32Array(batch);
  // Each row's cap derivatives, `1 - t^2`, from the one tanh a logit.
  const derivatives =
      softcap == null ? undefined : new Float64Array(numClasses);
  for (let row = 0; row < batch; row++) {
    const offset = row * numClasses;
    const label = labels[row];
    if (!(label >= 0 && label < numClasses)) {
      loss[row] = NaN;
      logSumExp[row] = NaN;
      backprop.fill(NaN, offset, offset + numClasses);
      continue;
    }
    if (derivatives != null) {
      // The capped row, rounded to float32 as a capped logits tensor holds
      // it (as the loss-only kernel reads it), in backprop first; the
      // derivative `(1 - t)(1 + t)` from the float64 `t` (no second tanh:
      // within 1e-16 absolute where it cancels).
      for (let j = 0; j < numClasses; j++) {
        const c = capped(features[offset + j], softcap);
        const t = c / softcap!;
        derivatives[j] = (1 - t) * (1 + t);
        backprop[offset + j] = c;
      }
    }
    const rows = derivatives == null ? features : backprop;
    const rowMax = rowMaximum(rows, offset, numClasses);
    // exp(x - rowMax) stored in backprop, then scaled in place.
    const sumExp = sumShiftedExps(rows, offset, numClasses, rowMax, backprop);
    const inverseSumExp = 1 / sumExp;
    for (let j = 0; j < numClasses; j++) {
      backprop[offset + j] *= inverseSumExp;
    }
    backprop[offset + label] -= 1;
    if (derivatives != null) {
      for (let j = 0; j < numClasses; j++) {
        backprop[offset + j] *= derivatives[j];
      }
    }
    loss[row] = Math.log(sumExp) -
        (capped(features[offset + label], softcap) - rowMax);
    logSumExp[row] = rowMax + Math.log(sumExp);
  }
  return {loss, backprop, logSumExp};
}

/**
 * The first-order gradient with respect to the features, in one pass per row:
 *
 *   p         = backprop + onehot(y)                 (the softmax)
 *   dFeatures = dLoss * backprop + (dBackprop - sum_j dBackprop_j p_j) * p
 *
 * written as `backprop_j * (dLoss + dBackprop_j - rowDot)` plus the label's
 * own `dBackprop_y - rowDot`, so no softmax row is materialised. When
 * `dBackprop` is absent or all zeros (tfjs hands a kernel's gradient zeros
 * for an unused output) this is one pass: `dLoss * backprop`. With
 * `dLogSumExp`, `dLogSumExp * p` more: `dLoss + dLogSumExp` scales
 * `backprop` and `dLogSumExp` is added at the label.
 */
export function sparseSoftmaxCrossEntropyWithLogitsGradImpl(
    backprop: Float32Array, labels: Int32Array, dLoss: Float32Array,
    dBackprop: Float32Array|undefined, batch: number, numClasses: number,
    dLogSumExp?: Float32Array): Float32Array {
  const dFeatures = new Float32Array(batch * numClasses);
  const upstream =
      dBackprop == null || isAllZero(dBackprop) ? undefined : dBackprop;
  for (let row = 0; row < batch; row++) {
    const offset = row * numClasses;
    const label = labels[row];
    if (!(label >= 0 && label < numClasses)) {
      dFeatures.fill(NaN, offset, offset + numClasses);
      continue;
    }
    const rowLseGrad = dLogSumExp?.[row] ?? 0;
    if (upstream == null) {
      const rowLossGrad = Math.fround(dLoss[row] + rowLseGrad);
      for (let j = 0; j < numClasses; j++) {
        dFeatures[offset + j] = rowLossGrad * backprop[offset + j];
      }
      dFeatures[offset + label] += rowLseGrad;
      continue;
    }
    // rowDot = sum_j dBackprop_j * p_j, with p = backprop + onehot(label).
    let rowDot = upstream[offset + label];
    for (let j = 0; j < numClasses; j++) {
      rowDot += upstream[offset + j] * backprop[offset + j];
    }
    const rowLossGrad = Math.fround(dLoss[row] + rowLseGrad);
    for (let j = 0; j < numClasses; j++) {
      dFeatures[offset + j] =
          backprop[offset + j] * (rowLossGrad + upstream[offset + j] - rowDot);
    }
    dFeatures[offset + label] +=
        upstream[offset + label] - rowDot + rowLseGrad;
  }
  return dFeatures;
}

/** Whether every value is zero (stops at the first that is not). */
export function isAllZero(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) {
    if (values[i] !== 0) {
      return false;
    }
  }
  return true;
}

/**
 * The label TensorFlow's CPU kernel reports, or `undefined` when every label
 * is in `[0, numClasses)`: the smallest label when it is negative, otherwise
 * the largest.
 */
export function findInvalidLabel(
    labels: Int32Array, numClasses: number): number|undefined {
  let smallest = Infinity;
  let largest = -Infinity;
  for (let i = 0; i < labels.length; i++) {
    smallest = Math.min(smallest, labels[i]);
    largest = Math.max(largest, labels[i]);
  }
  if (smallest < 0) {
    return smallest;
  }
  return largest >= numClasses ? largest : undefined;
}
