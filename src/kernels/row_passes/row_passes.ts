import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';
import {env, TensorInfo} from '@tensorflow/tfjs-core';

import {scalarBase64, sharedSimdBase64, simdBase64} from './row_passes_binary.js';

/**
 * The row passes (`assembly/row_passes.ts`) instantiated on one wasm
 * backend's own `WebAssembly.Memory`: every argument that names an array is
 * a tensor's offset in that heap, so the kernels read their inputs and write
 * their outputs in place.
 */
export interface RowPasses {
  /** Which binary runs: SIMD, scalar (SIMD off), or SIMD on a shared memory. */
  variant: 'simd'|'scalar'|'sharedSimd';
  memory: WebAssembly.Memory;
  /**
   * The exp's constants, a table the instance wrote in a block of the heap
   * it was given when instantiated (see `assembly/row_passes.ts`).
   */
  expConstants: number;
  forward(features: number, labels: number, loss: number, backprop: number,
      batch: number, numClasses: number, expConstants: number): void;
  lossForward(features: number, labels: number, loss: number, rowMax: number,
      logSumExp: number, batch: number, numClasses: number,
      expConstants: number): void;
  isAllZero(values: number, count: number): boolean;
  backpropGrad(backprop: number, labels: number, dLoss: number,
      dBackprop: number, hasUpstream: boolean, dFeatures: number,
      batch: number, numClasses: number): void;
  lossGrad(features: number, labels: number, rowMax: number,
      logSumExp: number, dLoss: number, dLogSumExp: number, dFeatures: number,
      batch: number, numClasses: number, expConstants: number): void;
}

/** The instance's exports beyond the passes. */
interface RowPassesExports extends
    Omit<RowPasses, 'variant'|'memory'|'expConstants'> {
  expConstantsBytes(): number;
  writeExpConstants(at: number): void;
}

/** What the row passes need of tfjs-backend-wasm's Emscripten module. */
interface EmscriptenMemory {
  /** The backend's allocator (the one its tensors come from). */
  _malloc(bytes: number): number;
  /** The instance's exports: its memory, in the non-threaded builds. */
  asm?: {memory?: WebAssembly.Memory};
  /** The threaded build's shared memory (imported by its instance). */
  wasmMemory?: WebAssembly.Memory;
}

const instances = new WeakMap<BackendWasm, RowPasses|null>();

/**
 * The row passes on `backend`'s memory, instantiated the first time a
 * kernel runs there (so whichever of tfjs-backend-wasm and this package
 * loads first), or null when the backend's memory cannot be found (a
 * tfjs-backend-wasm build laid out otherwise): the kernels then run the
 * cpu kernels through `readSync`.
 */
export function rowPassesFor(backend: BackendWasm): RowPasses|null {
  let rowPasses = instances.get(backend);
  if (rowPasses === undefined) {
    rowPasses = instantiate(backend);
    instances.set(backend, rowPasses);
  }
  return rowPasses;
}

function instantiate(backend: BackendWasm): RowPasses|null {
  const module = backend.wasm as unknown as EmscriptenMemory;
  const memory = module.asm?.memory ?? module.wasmMemory;
  if (memory == null || typeof memory.grow !== 'function') {
    return null;
  }
  // The constants' block is kept for the backend's life (tfjs frees its
  // whole heap with it).
  return instantiateOn(memory, chooseVariant(memory),
      bytes => module._malloc(bytes) >>> 0);
}

/**
 * The row passes' `variant` instantiated on `memory`, their exp constants
 * written at `allocate(bytes)`. Synchronous: the binaries are a few KB,
 * under every engine's limit for compiling on the main thread.
 */
export function instantiateOn(memory: WebAssembly.Memory,
    variant: RowPasses['variant'],
    allocate: (bytes: number) => number): RowPasses {
  const bytes = decodeBase64(variant === 'simd' ? simdBase64 :
      variant === 'scalar' ? scalarBase64 : sharedSimdBase64);
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes),
      {env: {memory}, Math: {log: Math.log}});
  const exports = instance.exports as unknown as RowPassesExports;
  const expConstants = allocate(exports.expConstantsBytes());
  exports.writeExpConstants(expConstants);
  return {
    variant,
    memory,
    expConstants,
    forward: exports.forward,
    lossForward: exports.lossForward,
    isAllZero: exports.isAllZero,
    backpropGrad: exports.backpropGrad,
    lossGrad: exports.lossGrad,
  };
}

/** Whether this engine runs the SIMD binary. */
export function simdIsSupported(): boolean {
  return typeof WebAssembly === 'object' &&
      WebAssembly.validate(decodeBase64(simdBase64));
}

/**
 * SIMD unless tfjs was told there is none (`WASM_HAS_SIMD_SUPPORT` false:
 * it then runs its own scalar binary) or the engine rejects it. tfjs's
 * threaded build, the one with a shared memory, always has SIMD.
 */
function chooseVariant(memory: WebAssembly.Memory): RowPasses['variant'] {
  if (Object.prototype.toString.call(memory.buffer) ===
      '[object SharedArrayBuffer]') {
    return 'sharedSimd';
  }
  // Read from the evaluated flags: the flag is asynchronous, and the backend
  // evaluated it when it initialised.
  const simdFlag = env().getFlags()['WASM_HAS_SIMD_SUPPORT'];
  return simdFlag !== false && simdIsSupported() ? 'simd' : 'scalar';
}

function decodeBase64(base64: string): Uint8Array<ArrayBuffer> {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    bytes[i] = text.charCodeAt(i);
  }
  return bytes;
}

/** A tensor's offset in the backend's heap (`>>> 0`: offsets above 2 GiB). */
export function heapOffset(backend: BackendWasm, info: TensorInfo): number {
  return backend.dataIdMap.get(info.dataId).memoryOffset >>> 0;
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
