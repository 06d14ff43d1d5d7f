import {env} from '@tensorflow/tfjs-core';

import {scalarHex, simdHex} from './row_passes_binary.js';

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
   * it was given when instantiated, and the soft cap's scratch block after
   * it (see `assembly/row_passes.ts`).
   */
  expConstants: number;
  /**
   * With `softcap` not 0, the logits read capped and `backprop` d loss / d x
   * through the cap (see `forward` in `assembly/row_passes.ts`).
   */
  forward(features: number, labels: number, loss: number, backprop: number,
      batch: number, numClasses: number, expConstants: number,
      logSumExp: number, softcap: number): void;
  /**
   * With `predicted` nonzero, each row's first argmax (int32) there; with
   * `softcap` not 0, the logits read capped (see `lossForward` in
   * `assembly/row_passes.ts`).
   */
  lossForward(features: number, labels: number, loss: number, rowMax: number,
      logSumExp: number, batch: number, numClasses: number,
      expConstants: number, predicted: number, softcap: number): void;
  isAllZero(values: number, count: number): boolean;
  backpropGrad(backprop: number, labels: number, dLoss: number,
      dBackprop: number, hasUpstream: boolean, dFeatures: number,
      batch: number, numClasses: number, dLogSumExp?: number): void;
  /** `softcap` 0: uncapped. */
  lossGrad(features: number, labels: number, rowMax: number,
      logSumExp: number, dLoss: number, dLogSumExp: number, dFeatures: number,
      batch: number, numClasses: number, expConstants: number,
      softcap: number): void;
}

/** The instance's exports beyond the passes. */
interface RowPassesExports extends
    Omit<RowPasses, 'variant'|'memory'|'expConstants'> {
  expConstantsBytes(): number;
  writeExpConstants(at: number): void;
}

/**
 * The row passes' `variant` instantiated on `memory`, their exp constants
 * written at `allocate(bytes)`. Synchronous: the binaries are a few KB,
 * under every engine's limit for compiling on the main thread.
 */
export function instantiateOn(memory: WebAssembly.Memory,
    variant: RowPasses['variant'],
    allocate: (bytes: number) => number): RowPasses {
  const bytes = variant === 'simd' ? decodeHex(simdHex) :
      variant === 'scalar' ? decodeHex(scalarHex) :
                             withSharedMemory(decodeHex(simdHex));
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
      WebAssembly.validate(decodeHex(simdHex));
}

/**
 * SIMD unless tfjs was told there is none (`WASM_HAS_SIMD_SUPPORT` false:
 * it then runs its own scalar binary) or the engine rejects it. tfjs's
 * threaded build, the one with a shared memory, always has SIMD.
 */
export function variantFor(memory: WebAssembly.Memory): RowPasses['variant'] {
  if (Object.prototype.toString.call(memory.buffer) ===
      '[object SharedArrayBuffer]') {
    return 'sharedSimd';
  }
  // Read from the evaluated flags: the flag is asynchronous, and the backend
  // evaluated it when it initialised.
  const simdFlag = env().getFlags()['WASM_HAS_SIMD_SUPPORT'];
  return simdFlag !== false && simdIsSupported() ? 'simd' : 'scalar';
}

/**
 * The SIMD binary importing a shared memory of up to 4 GiB (tfjs's threaded
 * build): compiled with `--sharedMemory`, the binary differs from the SIMD
 * one only in its memory import's limits (`test/wasm_binary.test.ts`
 * compares the two byte for byte), so the package ships one and rewrites
 * those limits here. The memory import is the import section's last entry,
 * its limits `0x00 min=0`; shared ones are `0x03 min=0 max=65536`.
 */
export function withSharedMemory(simd: Uint8Array): Uint8Array<ArrayBuffer> {
  const IMPORT_SECTION = 2;
  const UNSHARED = [0x00, 0x00];
  const SHARED_4GIB = [0x03, 0x00, 0x80, 0x80, 0x04];
  // The sections before the import section: the header and the types,
  // each an id and a LEB128 size.
  let at = 8;
  while (simd[at] !== IMPORT_SECTION) {
    let size = 0;
    let shift = 0;
    let next = at + 1;
    for (; simd[next] >= 0x80; next++, shift += 7) {
      size += (simd[next] & 0x7f) * 2 ** shift;
    }
    size += simd[next] * 2 ** shift;
    at = next + 1 + size;
  }
  const size = simd[at + 1];
  const end = at + 2 + size;
  if (size + SHARED_4GIB.length - UNSHARED.length >= 0x80 ||
      simd[end - 2] !== UNSHARED[0] || simd[end - 1] !== UNSHARED[1]) {
    throw new Error('row passes: the SIMD binary\'s memory import is not ' +
        'where withSharedMemory rewrites it; rebuild with scripts/build_wasm.mjs');
  }
  const shared = new Uint8Array(simd.length + SHARED_4GIB.length - UNSHARED.length);
  shared.set(simd.subarray(0, at + 1));
  shared[at + 1] = size + SHARED_4GIB.length - UNSHARED.length;
  shared.set(simd.subarray(at + 2, end - UNSHARED.length), at + 2);
  shared.set(SHARED_4GIB, end - UNSHARED.length);
  shared.set(simd.subarray(end), end - UNSHARED.length + SHARED_4GIB.length);
  return shared;
}

function decodeHex(hex: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) {
    bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  }
  return bytes;
}
