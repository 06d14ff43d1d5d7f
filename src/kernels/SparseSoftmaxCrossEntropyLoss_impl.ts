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
}

export function sparseSoftmaxCrossEntropyLossImpl(
    features: Float32Array, labels: Int32Array, batch: number,
    numClasses: number): SparseSoftmaxCrossEntropyLossResult {
  const loss = new Float32Array(batch);
  const rowMax = new Float32Array(batch);
  const logSumExp = new Float32Array(batch);
  for (let row = 0; row < batch; row++) {
    const offset = row * numClasses;
    const label = labels[row];
    const max = rowMaximum(features, offset, numClasses);
    const sumExp = sumShiftedExps(features, offset, numClasses, max);
    rowMax[row] = max;
    logSumExp[row] = Math.log(sumExp);
    loss[row] = label >= 0 && label < numClasses ?
        Math.log(sumExp) - (features[offset + label] - max) :
        NaN;
  }
  return {loss, rowMax, logSumExp};
}

/**
 * The loss-only kernel's gradient:
 * `dFeatures = (dLoss + dLogSumExp) * softmax - dLoss * onehot(label)`.
 * `dLogSumExp` is zero unless a caller of the kernel differentiated its
 * `logSumExp` output.
 */
export function sparseSoftmaxCrossEntropyLossGradImpl(
    features: Float32Array, labels: Int32Array, rowMax: Float32Array,
    logSumExp: Float32Array, dLoss: Float32Array, dLogSumExp: Float32Array,
    batch: number, numClasses: number): Float32Array {
  return softmaxRowsMinusOneHot(features, labels, rowMax, logSumExp,
      row => dLoss[row] + dLogSumExp[row], row => dLoss[row], batch,
      numClasses);
}

/**
 * Per row, `probabilityScale(row) * exp(x - rowMax - logSumExp)` minus
 * `oneHotScale(row)` at the label, in one pass that writes the only
 * `[batch, numClasses]` array. `x - rowMax` is taken first so large logits
 * keep their precision. A label outside `[0, numClasses)` gives a NaN row.
 */
function softmaxRowsMinusOneHot(
    features: Float32Array, labels: Int32Array, rowMax: Float32Array,
    logSumExp: Float32Array, probabilityScale: (row: number) => number,
    oneHotScale: (row: number) => number, batch: number,
    numClasses: number): Float32Array {
  const out = new Float32Array(batch * numClasses);
  for (let row = 0; row < batch; row++) {
    const offset = row * numClasses;
    const label = labels[row];
    if (!(label >= 0 && label < numClasses)) {
      out.fill(NaN, offset, offset + numClasses);
      continue;
    }
    const max = rowMax[row];
    const logSum = logSumExp[row];
    const scale = probabilityScale(row);
    for (let j = 0; j < numClasses; j++) {
      out[offset + j] = scale * expFloat32(features[offset + j] - max - logSum);
    }
    // One rounding at the label, as TF's `p - 1`, when the scales agree.
    const labelProbability =
        expFloat32(features[offset + label] - max - logSum);
    const oneHot = oneHotScale(row);
    out[offset + label] = scale === oneHot ?
        scale * (labelProbability - 1) :
        scale * labelProbability - oneHot;
  }
  return out;
}
