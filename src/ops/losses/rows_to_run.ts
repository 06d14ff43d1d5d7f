import {concat, customGrad, engine, gather, getBackend, GradSaveFunc, Tensor, zeros} from '@tensorflow/tfjs-core';

import {valuesNotOnGpu} from '../../tfjs_internals.js';

/** Backends whose tensors live in CPU memory: reading them is no read-back. */
const HOST_BACKENDS = new Set(['cpu', 'wasm', 'tensorflow']);

/**
 * A tensor's values when reading them costs no GPU read-back: on the
 * backends that keep data in CPU memory, and on `webgl` and `webgpu` for a
 * tensor made from values and not yet uploaded. Otherwise undefined.
 */
export function valuesOnHost(tensor: Tensor): ArrayLike<number>|undefined {
  if (HOST_BACKENDS.has(getBackend())) {
    return tensor.dataSync() as ArrayLike<number>;
  }
  const values = valuesNotOnGpu(engine().backend, tensor);
  return ArrayBuffer.isView(values) ?
      values as unknown as ArrayLike<number> :
      undefined;
}

/**
 * The rows of the linear loss that need the matmul, in order: those whose
 * label is not `ignoreIndex` and, if `weights` (one per row) are given, whose
 * weight is not 0. Undefined when every row is needed.
 */
export function rowsToRun(
    labels: ArrayLike<number>, ignoreIndex: number|undefined,
    weights: ArrayLike<number>|undefined): Int32Array|undefined {
  const rows: number[] = [];
  for (let row = 0; row < labels.length; row++) {
    if (labels[row] !== ignoreIndex && (weights == null || weights[row] !== 0)) {
      rows.push(row);
    }
  }
  return rows.length === labels.length ? undefined : Int32Array.from(rows);
}

/**
 * Where each row's value sits in the values of the rows that ran, followed
 * by one zero: `rows.length` for a row that did not run.
 */
export function rowPositions(numRows: number, rows: Int32Array): Int32Array {
  const positions = new Int32Array(numRows).fill(rows.length);
  rows.forEach((row, i) => positions[row] = i);
  return positions;
}

/** The rows of a row-selection, with where each row lands (`rowPositions`). */
export interface RowSelection {
  rows: Tensor;
  positions: Tensor;
}

/** `x`'s rows that ran, with a trailing zero row: what `positions` index. */
function withZeroRow(x: Tensor): Tensor {
  return concat([x, zeros([1, ...x.shape.slice(1)])]);
}

/**
 * `x[rows]`, its gradient spread back over all rows with zeros. tfjs's
 * `gather` gradient would do the same through `UnsortedSegmentSum`, which
 * `wasm` lacks; the rows are distinct, so a gather by `positions` does it.
 */
export function takeRows(x: Tensor, {rows, positions}: RowSelection): Tensor {
  return customGrad((...args: Array<Tensor|GradSaveFunc>) => {
    // Saved: the op's own tensors are freed before the backward pass.
    (args[1] as GradSaveFunc)([positions]);
    return {
      value: gather(args[0] as Tensor, rows),
      gradFunc: (dy: Tensor, [positions]: Tensor[]) =>
          gather(withZeroRow(dy), positions),
    };
  })(x);
}

/** The inverse of `takeRows`: `x` per row that ran, 0 for the others. */
export function spreadRows(x: Tensor, {rows, positions}: RowSelection): Tensor {
  return customGrad((...args: Array<Tensor|GradSaveFunc>) => {
    (args[1] as GradSaveFunc)([rows]);
    return {
      value: gather(withZeroRow(args[0] as Tensor), positions),
      gradFunc: (dy: Tensor, [rows]: Tensor[]) => gather(dy, rows),
    };
  })(x);
}

