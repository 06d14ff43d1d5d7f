/**
 * The loss-only kernel pair's math over TypedArrays (see `kernel_names.ts`):
 * the forward reads the logits and writes nothing of their size; the
 * gradient rebuilds the softmax from each row's `rowMax` and `logSumExp`
 * while it writes `dFeatures`, so a training step writes one
 * `[batch, numClasses]` array, as a hand-written fused loop would.
 * Labels are assumed checked (`findInvalidLabel`); an invalid one gives NaN.
 */

import {expFloat32} from './exp_float32.js';

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
    let max = -Infinity;
    for (let j = 0; j < numClasses; j++) {
      // `>` skips NaN here; a NaN logit still poisons the row through sumExp.
      if (features[offset + j] > max) {
        max = features[offset + j];
      }
    }
    let sumExp = 0;
    for (let j = 0; j < numClasses; j++) {
      sumExp += expFloat32(features[offset + j] - max);
    }
    rowMax[row] = max;
    logSumExp[row] = Math.log(sumExp);
    loss[row] = label >= 0 && label < numClasses ?
        Math.log(sumExp) - (features[offset + label] - max) :
        NaN;
  }
  return {loss, rowMax, logSumExp};
}

/**
 * `dFeatures = dLoss * (exp(x - rowMax - logSumExp) - onehot(label))`, with
 * `x - rowMax` taken first so large logits keep their precision.
 */
export function sparseSoftmaxCrossEntropyLossGradImpl(
    features: Float32Array, labels: Int32Array, rowMax: Float32Array,
    logSumExp: Float32Array, dLoss: Float32Array, batch: number,
    numClasses: number): Float32Array {
  const dFeatures = new Float32Array(batch * numClasses);
  for (let row = 0; row < batch; row++) {
    const offset = row * numClasses;
    const label = labels[row];
    if (!(label >= 0 && label < numClasses)) {
      dFeatures.fill(NaN, offset, offset + numClasses);
      continue;
    }
    const max = rowMax[row];
    const logSum = logSumExp[row];
    const rowLossGrad = dLoss[row];
    for (let j = 0; j < numClasses; j++) {
      dFeatures[offset + j] =
          rowLossGrad * expFloat32(features[offset + j] - max - logSum);
    }
    // (p - 1) before scaling, not p * dLoss - dLoss: one rounding, as TF.
    dFeatures[offset + label] = rowLossGrad *
        (expFloat32(features[offset + label] - max - logSum) - 1);
  }
  return dFeatures;
}
