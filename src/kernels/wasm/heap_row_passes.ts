import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';
import type {TensorInfo} from '@tensorflow/tfjs-core';

import {wasmHeap, wasmHeapOffset} from '../../tfjs_internals.js';
import {instantiateOn, RowPasses, variantFor} from '../row_passes/row_passes.js';

const instances = new WeakMap<BackendWasm, RowPasses|null>();

/**
 * The row passes on `backend`'s own heap, instantiated the first time a
 * kernel runs there (so whichever of tfjs-backend-wasm and this package
 * loads first), or null when the heap cannot be found (a tfjs-backend-wasm
 * build laid out otherwise, see `wasmHeap`): the kernels then run the
 * fallback, the cpu kernels through `readSync` (`fallback_kernels.ts`).
 */
export function rowPassesFor(backend: BackendWasm): RowPasses|null {
  let rowPasses = instances.get(backend);
  if (rowPasses === undefined) {
    const heap = wasmHeap(backend);
    // The exp constants' block is kept for the backend's life (tfjs frees
    // its whole heap with it).
    rowPasses = heap == null ? null :
        instantiateOn(heap.memory, variantFor(heap.memory), heap.allocate);
    instances.set(backend, rowPasses);
  }
  return rowPasses;
}

/** A tensor's offset in the backend's heap. */
export function heapOffset(backend: BackendWasm, info: TensorInfo): number {
  return wasmHeapOffset(backend, info);
}

/**
 * An int32 tensor's values as a view of the heap (no copy). Taken from the
 * memory's current buffer: a view made before the heap grew is detached.
 */
export function int32View(
    rowPasses: RowPasses, backend: BackendWasm, info: TensorInfo): Int32Array {
  return new Int32Array(rowPasses.memory.buffer, heapOffset(backend, info),
      info.shape.reduce((size, dim) => size * dim, 1));
}
