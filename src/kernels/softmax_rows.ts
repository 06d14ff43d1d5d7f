/**
 * The two loops every JavaScript softmax pass starts with, written once for
 * both `_impl` files: a row's largest logit, then the sum of its logits'
 * exponentials shifted by it (so large logits stay finite). A row is
 * `features[offset, offset + numClasses)`.
 */

import {expFloat32} from './exp_float32.js';

/**
 * The row's largest logit: `>` skips NaN here; a NaN logit still poisons
 * the row through `sumShiftedExps`.
 */
export function rowMaximum(
    features: Float32Array, offset: number, numClasses: number): number {
  let max = -Infinity;
  for (let j = offset; j < offset + numClasses; j++) {
    if (features[j] > max) {
      max = features[j];
    }
  }
  return max;
}

/**
 * `sum_j exp(x_j - shift)` over the row, accumulated in float64. With
 * `terms`, each `exp(x_j - shift)` is also stored at the same index there,
 * so a caller that needs them runs `exp` once per logit.
 */
export function sumShiftedExps(
    features: Float32Array, offset: number, numClasses: number, shift: number,
    terms?: Float32Array): number {
  let sum = 0;
  if (terms == null) {
    for (let j = offset; j < offset + numClasses; j++) {
      sum += expFloat32(features[j] - shift);
    }
    return sum;
  }
  for (let j = offset; j < offset + numClasses; j++) {
    const term = expFloat32(features[j] - shift);
    terms[j] = term;
    sum += term;
  }
  return sum;
}
