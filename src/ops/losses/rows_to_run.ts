import {concat, customGrad, engine, gather, getBackend, GradSaveFunc, Tensor, tensor, zeros} from '@tensorflow/tfjs-core';

import {valuesNotOnGpu} from '../../tfjs_internals.js';

/** Backends whose tensors live in CPU memory: reading them is no read-back. */
const HOST_BACKENDS = ['cpu', 'wasm', 'tensorflow'];

/**
 * A tensor's values when reading them costs no GPU read-back: on the
 * backends that keep data in CPU memory, and on `webgl` and `webgpu` for a
 * tensor made from values and not yet uploaded. Otherwise undefined.
 */
function valuesOnHost(tensor: Tensor): ArrayLike<number>|undefined {
  if (HOST_BACKENDS.includes(getBackend())) {
    return tensor.dataSync() as ArrayLike<number>;
  }
  const values = valuesNotOnGpu(engine().backend, tensor);
  return ArrayBuffer.isView(values) ?
      values as unknown as ArrayLike<number> :
      undefined;
}

/**
 * Rows of the linear loss that run through the matmul (`rows`, in order),
 * and where each row's result sits among theirs (`positions`): `i + 1`
 * for the row `rows[i]`, 0 (a zero row put first) for a row left out.
 */
export interface RowSelection {
  rows: Tensor;
  positions: Tensor;
}

/**
 * Padding that costs nothing: the rows that need the matmul, those whose
 * label is not `ignoreIndex` and, with `skipZeroWeights` and per-row
 * `weights`, whose weight is not 0. Undefined when every row runs. Finding
 * them reads the labels (and the weights), so it is done only where that
 * is no GPU read-back (`valuesOnHost`): on `cpu`, `wasm` and `tensorflow`,
 * and on the GPU backends for labels still on the CPU (made from values,
 * not yet used by a GPU op, as a data pipeline's batch usually is);
 * otherwise every row runs, as before. A batch of padding alone runs as
 * before too, every row masked: its gathers would be empty, and
 * tfjs-backend-webgpu 4.22 throws createBuffer's TypeError on those.
 */
export function rowSelection(
    labels: Tensor, ignoreIndex: number|undefined, weights: Tensor|undefined,
    skipZeroWeights: boolean): RowSelection|undefined {
  const perRowWeights = skipZeroWeights && weights?.size === labels.size;
  const labelValues = ignoreIndex != null || perRowWeights ?
      valuesOnHost(labels) : undefined;
  if (labelValues == null) {
    return undefined;
  }
  const weightValues = perRowWeights ? valuesOnHost(weights!) : undefined;
  const rows: number[] = [];
  const positions = new Int32Array(labels.size);
  for (let row = 0; row < labels.size; row++) {
    if (labelValues[row] !== ignoreIndex && weightValues?.[row] !== 0) {
      positions[row] = rows.push(row);
    }
  }
  return rows.length === 0 || rows.length === labels.size ?
      undefined :
      {rows: tensor(Int32Array.from(rows)), positions: tensor(positions)};
}

/**
 * `gather(x, forward)`, its gradient `gather(dy, backward)`, with a zero
 * row put first on the side gathered by positions. tfjs's `gather`
 * gradient would go through `UnsortedSegmentSum`, which `wasm` lacks; the
 * rows are distinct, so a gather by positions does it.
 */
function regather(
    x: Tensor, forward: Tensor, backward: Tensor, padForward: boolean):
    Tensor {
  const pad = (t: Tensor, padded: boolean) =>
      padded ? concat([zeros([1, ...t.shape.slice(1)]), t]) : t;
  return customGrad((...args: Array<Tensor|GradSaveFunc>) => {
    // Saved: the op's own tensors are freed before the backward pass.
    (args[1] as GradSaveFunc)([backward]);
    return {
      value: gather(pad(args[0] as Tensor, padForward), forward),
      gradFunc: (dy: Tensor, [backward]: Tensor[]) =>
          gather(pad(dy, !padForward), backward),
    };
  })(x);
}

/** `x[rows]`, its gradient spread back over all rows with zeros. */
export function takeRows(x: Tensor, {rows, positions}: RowSelection): Tensor {
  return regather(x, rows, positions, false);
}

/** The inverse of `takeRows`: `x` per row that ran, 0 for the others. */
export function spreadRows(x: Tensor, {rows, positions}: RowSelection):
    Tensor {
  return regather(x, positions, rows, true);
}
