import {add, concat, mul, slice, Tensor, zeros} from '@tensorflow/tfjs-core';

import {product} from './matmul_products.js';

/**
 * The gradient of the output layer's weight matrix (the public API's
 * `kernel`), `hidden^T . dLogits` (`[D, V]`, or `dLogits^T . hidden` as
 * `[V, D]` for a transposed matrix), summed over row chunks without ever
 * holding more than one matrix-sized tensor plus a slice.
 *
 * Summing whole `D x V` partials would, at each chunk, hold the running sum,
 * the chunk's partial and their sum at once: three matrix-sized tensors. So
 * the sum is kept as slices along `D` (rows of `[D, V]`, columns of
 * `[V, D]`): each chunk's partial is formed and added one slice at a time,
 * from the chunk's hidden columns for that slice, which costs the same
 * multiply-adds as one whole product and copies only `chunk x slice` hidden
 * values. The slices are joined once, at the end.
 */
export class WeightGradientSlices {
  private readonly depthSlices: Array<[number, number]>;
  private sums: Tensor[] = [];

  /**
   * @param depth `D`, the hidden size.
   * @param numClasses `V`.
   * @param transposeWeightMatrix Whether the weight matrix is `[V, D]`.
   * @param numSlices How many slices along `D` (at most `D`).
   */
  constructor(
      private readonly depth: number, private readonly numClasses: number,
      private readonly transposeWeightMatrix: boolean, numSlices: number) {
    const sliceSize = Math.ceil(depth / Math.max(1, Math.min(numSlices, depth)));
    this.depthSlices = [];
    for (let begin = 0; begin < depth; begin += sliceSize) {
      this.depthSlices.push([begin, Math.min(sliceSize, depth - begin)]);
    }
  }

  /** Adds `hiddenChunk^T . dLogitsChunk` (`[rows, D]`, `[rows, V]`). */
  addChunk(hiddenChunk: Tensor, dLogitsChunk: Tensor): void {
    const rows = hiddenChunk.shape[0];
    this.depthSlices.forEach(([begin, size], index) => {
      const hiddenColumns = size === this.depth ?
          hiddenChunk :
          slice(hiddenChunk, [0, begin], [rows, size]);
      const partial = this.transposeWeightMatrix ?
          product(dLogitsChunk, hiddenColumns, true, false) :
          product(hiddenColumns, dLogitsChunk, true, false);
      if (hiddenColumns !== hiddenChunk) {
        hiddenColumns.dispose();
      }
      const previous = this.sums[index];
      if (previous == null) {
        this.sums[index] = partial;
        return;
      }
      this.sums[index] = add(previous, partial);
      previous.dispose();
      partial.dispose();
    });
  }

  /** The slices summed so far (zeros before any chunk), for saving. */
  slices(): Tensor[] {
    if (this.sums.length === 0) {
      this.sums = this.depthSlices.map(([, size]) => zeros(
          this.transposeWeightMatrix ? [this.numClasses, size] :
                                 [size, this.numClasses]));
    }
    return this.sums;
  }
}

/**
 * The weight matrix's gradient from its slices, each scaled by `scale` (a
 * scalar) if given. Each slice is disposed once scaled, so at most one
 * matrix-sized tensor and the joined result exist together.
 */
export function joinWeightGradient(
    slices: Tensor[], transposeWeightMatrix: boolean, scale?: Tensor): Tensor {
  const scaled = slices.map(part => {
    if (scale == null) {
      return part;
    }
    const scaledPart = mul(part, scale);
    part.dispose();
    return scaledPart;
  });
  if (scaled.length === 1) {
    return scaled[0];
  }
  const joined = concat(scaled, transposeWeightMatrix ? 1 : 0);
  scaled.forEach(part => part.dispose());
  return joined;
}
