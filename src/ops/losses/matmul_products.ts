import {getBackend, matMul, Tensor, tidy, transpose} from '@tensorflow/tfjs-core';

/**
 * `matMul(a, b, transposeA, transposeB)` for the linear loss's products,
 * formed the fastest way the active backend has.
 *
 * tfjs-backend-wasm 4.22 multiplies plain 2-D operands fast (XNNPACK: about
 * 6 to 12 G multiply-adds a second here, one thread) but a transposed operand
 * about ten times slower (about 1 G: a [128, 32] by [32, 49815] product took
 * 34 ms plain and about 210 ms with either flag). Transposing the operand
 * first costs one copy of it (9.6 ms for a [32, 49815] kernel), so on wasm
 * the operand is transposed explicitly; every other backend takes the flags.
 */
export function product(
    a: Tensor, b: Tensor, transposeA: boolean, transposeB: boolean): Tensor {
  if (getBackend() !== 'wasm' || (!transposeA && !transposeB)) {
    return matMul(a, b, transposeA, transposeB);
  }
  return tidy(() => matMul(transposeA ? transpose(a) : a,
      transposeB ? transpose(b) : b));
}
