import type {SparseSoftmaxCrossEntropyResult} from '../SparseSoftmaxCrossEntropyWithLogits_impl.js';
import type {LossOptions, SparseSoftmaxCrossEntropyLossResult} from '../SparseSoftmaxCrossEntropyLoss_impl.js';
import {instantiateOn, RowPasses, simdIsSupported} from './row_passes.js';

/**
 * The wasm row passes for the cpu kernels, on a WebAssembly.Memory of their
 * own: a kernel copies its inputs in, runs a pass, and copies its outputs
 * out (`bench/wasm_on_cpu.mjs` measured this at 1.5-3x the JavaScript
 * loops for a training step, copies included). Only with SIMD: the scalar
 * binary is slower than the JavaScript loops.
 *
 * The memory grows to the largest call's arrays and stays (WebAssembly
 * memories do not shrink), so calls needing more than `MAX_HEAP_BYTES` run
 * the JavaScript loops instead; so do calls under `MIN_LOGITS` logits, where
 * the two measured alike (0.9-1.1x at [128, 10]).
 */
interface CopiedRowPasses {
  passes: RowPasses;
  /** Copies `values` into the heap; returns their offset. */
  copyIn(values: Float32Array|Int32Array): number;
  /** Room for `length` floats; returns its offset. */
  reserve(length: number): number;
  /** A copy of `length` floats at `offset`. */
  copyOut(offset: number, length: number): Float32Array;
}

const MAX_HEAP_BYTES = 256 * 2 ** 20;
const MIN_LOGITS = 16384;
const PAGE_BYTES = 65536;

let passes: RowPasses|null|undefined;
/** Where this call's next array goes (after the exp constants). */
let top = 0;
let callStart = 0;

/**
 * The last call's large array and where the same values still lie in the
 * heap, until the next call writes there: the forward's `backprop` (the
 * array it returned), or the features the loss-only forward copied in. A
 * training step runs its gradient on that array next, which then skips
 * copying it in (0.19 ns a logit measured, a quarter of the forward pass)
 * and lets go of it. Held strongly: a `WeakRef` keeps its target alive to
 * the end of the JavaScript job, every forward's array in a synchronous
 * training loop. tfjs tensors are immutable; the one writer of such an
 * array is the in-place gradient below, which writes the heap first.
 */
let held: {values: Float32Array, offset: number}|null = null;

/** Where `values` lies in the heap if it is the held array, else null; forgets it. */
function takeHeld(values: Float32Array): number|null {
  const last = held;
  held = null;
  return last != null && last.values === values ? last.offset : null;
}

function hold(values: Float32Array, offset: number): void {
  held = {values, offset};
}

/**
 * The row passes with room for `floats` float32/int32 values for a call
 * over `logits` logits, or null (no SIMD, no WebAssembly, or a call too
 * small or too large): then use the JavaScript loops.
 */
function copiedRowPasses(logits: number, floats: number, after = 0):
    CopiedRowPasses|null {
  // Every call may write anywhere past the constants.
  held = null;
  if (logits < MIN_LOGITS) {
    return null;
  }
  if (passes === undefined) {
    passes = simdIsSupported() ?
        instantiateOn(new WebAssembly.Memory({initial: 1}), 'simd',
            bytes => {
              // The constants sit at offset 0; each call's arrays follow them.
              callStart = Math.ceil(bytes / 64) * 64;
              return 0;
            }) :
        null;
  }
  // The arrays start past `after` (the end of a held array), with 16
  // bytes of alignment padding per array, up to 8 arrays a call.
  const start = Math.max(callStart, Math.ceil(after / 16) * 16);
  const bytes = start + floats * 4 + 8 * 16;
  if (passes == null || bytes > MAX_HEAP_BYTES) {
    return null;
  }
  const {memory} = passes;
  if (bytes > memory.buffer.byteLength) {
    memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / PAGE_BYTES));
  }
  top = start;
  const reserve = (length: number) => {
    const offset = top;
    top += Math.ceil(length / 4) * 16;
    return offset;
  };
  return {
    passes,
    copyIn: values => {
      const offset = reserve(values.length);
      // The buffer as of now: growing above detached any older view.
      // Bytes to bytes: copying through views of the values' own types
      // measured slower in a training step (a cpu loss step at [8, 250000]
      // 3.2-3.5 against 1.6 ns a logit, lower quartiles), though not alone.
      new Uint8Array(memory.buffer, offset, values.byteLength).set(
          new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
      return offset;
    },
    reserve,
    copyOut: (offset, length) =>
        new Float32Array(memory.buffer, offset, length).slice(),
  };
}

// The `_impl` functions' counterparts over copies (same arguments, same
// results), or null where `copiedRowPasses` is: callers then run the impl.

export function copiedForward(features: Float32Array, labels: Int32Array,
    batch: number, numClasses: number, softcap?: number):
    Required<SparseSoftmaxCrossEntropyResult>|null {
  const copied = copiedRowPasses(batch * numClasses,
      2 * batch * numClasses + 3 * batch);
  if (copied == null) {
    return null;
  }
  const {passes, copyIn, reserve, copyOut} = copied;
  const featuresAt = copyIn(features);
  const labelsAt = copyIn(labels);
  const lossAt = reserve(batch);
  const logSumExpAt = reserve(batch);
  const backpropAt = reserve(batch * numClasses);
  passes.forward(featuresAt, labelsAt, lossAt, backpropAt, batch, numClasses,
      passes.expConstants, logSumExpAt, softcap ?? 0);
  const backprop = copyOut(backpropAt, batch * numClasses);
  hold(backprop, backpropAt);
  return {loss: copyOut(lossAt, batch), backprop,
    logSumExp: copyOut(logSumExpAt, batch)};
}

export function copiedGrad(backprop: Float32Array, labels: Int32Array,
    dLoss: Float32Array, dBackprop: Float32Array|undefined, batch: number,
    numClasses: number, dLogSumExp?: Float32Array): Float32Array|null {
  const size = batch * numClasses;
  const heldAt = takeHeld(backprop);
  // Without `dBackprop`, `dLoss * backprop` is written over the heap's
  // `backprop` (a copy: the caller's array is untouched), in the cache lines
  // the pass reads, instead of a third array's worth of the heap.
  const inPlace = dBackprop == null;
  const copied = copiedRowPasses(size,
      (inPlace ? 1 : 3) * size + 3 * batch,
      heldAt == null ? 0 : heldAt + 4 * size);
  if (copied == null) {
    return null;
  }
  const {passes, copyIn, reserve, copyOut} = copied;
  const backpropAt = heldAt ?? copyIn(backprop);
  const labelsAt = copyIn(labels);
  const dLossAt = copyIn(dLoss);
  const dBackpropAt = dBackprop == null ? 0 : copyIn(dBackprop);
  const hasUpstream = dBackprop != null && !passes.isAllZero(dBackpropAt, size);
  const outAt = inPlace ? backpropAt : reserve(size);
  passes.backpropGrad(backpropAt, labelsAt, dLossAt, dBackpropAt, hasUpstream,
      outAt, batch, numClasses, dLogSumExp == null ? 0 : copyIn(dLogSumExp));
  return copyOut(outAt, size);
}

/**
 * `copiedGrad` without `dBackprop`, written back over `backprop` (its
 * caller may reuse it); false where `copiedRowPasses` is null.
 */
export function copiedGradInPlace(backprop: Float32Array, labels: Int32Array,
    dLoss: Float32Array, batch: number, numClasses: number,
    dLogSumExp?: Float32Array): boolean {
  const size = batch * numClasses;
  const heldAt = takeHeld(backprop);
  const copied = copiedRowPasses(size, size + 3 * batch,
      heldAt == null ? 0 : heldAt + 4 * size);
  if (copied == null) {
    return false;
  }
  const {passes, copyIn} = copied;
  const backpropAt = heldAt ?? copyIn(backprop);
  passes.backpropGrad(backpropAt, copyIn(labels), copyIn(dLoss), 0, false,
      backpropAt, batch, numClasses,
      dLogSumExp == null ? 0 : copyIn(dLogSumExp));
  backprop.set(new Float32Array(passes.memory.buffer, backpropAt, size));
  return true;
}

export function copiedLossForward(features: Float32Array, labels: Int32Array,
    batch: number, numClasses: number, {softcap, predictions}: LossOptions = {}):
    SparseSoftmaxCrossEntropyLossResult|null {
  const copied = copiedRowPasses(batch * numClasses,
      batch * numClasses + 5 * batch);
  if (copied == null) {
    return null;
  }
  const {passes, copyIn, reserve, copyOut} = copied;
  const featuresAt = copyIn(features);
  const labelsAt = copyIn(labels);
  const [lossAt, rowMaxAt, logSumExpAt] =
      [reserve(batch), reserve(batch), reserve(batch)];
  const predictedAt = predictions ? reserve(batch) : 0;
  passes.lossForward(featuresAt, labelsAt, lossAt, rowMaxAt, logSumExpAt,
      batch, numClasses, passes.expConstants, predictedAt, softcap ?? 0);
  hold(features, featuresAt);
  const result = {loss: copyOut(lossAt, batch),
    rowMax: copyOut(rowMaxAt, batch), logSumExp: copyOut(logSumExpAt, batch)};
  return predictions ? {...result, predicted: new Int32Array(
      passes.memory.buffer, predictedAt, batch).slice()} : result;
}

export function copiedLossGrad(features: Float32Array, labels: Int32Array,
    rowMax: Float32Array, logSumExp: Float32Array, dLoss: Float32Array,
    dLogSumExp: Float32Array, batch: number, numClasses: number,
    softcap?: number): Float32Array|null {
  const size = batch * numClasses;
  const heldAt = takeHeld(features);
  const copied = copiedRowPasses(size, 2 * size + 5 * batch,
      heldAt == null ? 0 : heldAt + 4 * size);
  if (copied == null) {
    return null;
  }
  const {passes, copyIn, reserve, copyOut} = copied;
  const featuresAt = heldAt ?? copyIn(features);
  const offsets = [labels, rowMax, logSumExp, dLoss, dLogSumExp].map(copyIn);
  const outAt = reserve(size);
  passes.lossGrad(featuresAt, offsets[0], offsets[1], offsets[2], offsets[3],
      offsets[4], outAt, batch, numClasses, passes.expConstants, softcap ?? 0);
  return copyOut(outAt, size);
}
