import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';
import type {TensorInfo} from '@tensorflow/tfjs-core';

import {isPackedOnWebgl} from '../../tfjs_internals.js';
import {softcapUniformValues} from '../gpu_softcap.js';
import {ChunkMaxLogSumExpProgram, ChunkSumProgram, FIRST_PASS_CHUNK_SIZE, MAX_CHUNK_SIZE, MergeChunkPairsProgram, MergedOutput} from './row_reduce_gpu.js';

/** How one pass splits rows of `inSize` elements across invocations. */
interface ChunkLayout {
  inSize: number;
  chunkSize: number;
  numChunks: number;
}

/**
 * A row that fits one invocation is reduced in one pass; a longer row is cut
 * into about `sqrt(inSize)` chunks of about `sqrt(inSize)` elements (at most
 * MAX_CHUNK_SIZE), so even a single row spreads over many invocations and
 * the next pass has few partials left: two passes up to a million classes.
 */
function chunkLayout(inSize: number): ChunkLayout {
  const chunkSize = inSize <= MAX_CHUNK_SIZE ?
      inSize :
      Math.min(MAX_CHUNK_SIZE, Math.ceil(Math.sqrt(inSize)));
  return {inSize, chunkSize, numChunks: Math.ceil(inSize / chunkSize)};
}

/** The chunk programs' uniform values, in `CHUNK_UNIFORMS` order. */
function chunkUniforms({inSize, chunkSize}: ChunkLayout): number[][] {
  return [[inSize], [chunkSize]];
}

/**
 * Reduces rows of `inSize` elements to one value each by passes over chunks.
 * `reducePass(partials, layout)` runs one pass: over the kernel's own inputs
 * when `partials` is null, else over the previous pass's `[batch, inSize]`
 * partial results. It returns this pass's `[batch, numChunks]` partials; the
 * previous ones are freed here. Returns the `[batch, 1]` results.
 */
function reduceRowsInPasses(
    backend: MathBackendWebGL, inSize: number,
    reducePass: (partials: TensorInfo[]|null, layout: ChunkLayout) =>
        TensorInfo[]): TensorInfo[] {
  let layout = chunkLayout(inSize);
  let partials = reducePass(null, layout);
  while (layout.numChunks > 1) {
    layout = chunkLayout(layout.numChunks);
    const merged = reducePass(partials, layout);
    partials.forEach(partial => backend.disposeIntermediateTensorInfo(partial));
    partials = merged;
  }
  return partials;
}

/** How `rowMaxAndLogSumExp` reads the logits, and what else it finds. */
export interface RowReading {
  /** Read each logit `x` as `softcap * tanh(x / softcap)`. */
  softcap?: number;
  /** Also find each row's first argmax (`predicted`). */
  predictions?: boolean;
}

/** The results of `rowMaxAndLogSumExp`. */
export interface RowResults {
  rowMax: TensorInfo;
  logSumExp: TensorInfo;
  /** With `predictions`: int32 `[batch]`, each row's first argmax. */
  predicted?: TensorInfo;
}

/**
 * Per row of `features` `[batch, numClasses]`: `rowMax` and
 * `logSumExp = log(sum_j exp(x_j - rowMax))`, both `[batch, 1]`. One pass
 * reads the logits and writes a packed `(max, logSumExp)` pair per chunk of
 * FIRST_PASS_CHUNK_SIZE; merge passes reduce the pairs until a row has at
 * most MAX_CHUNK_SIZE of them, and two last merges write the two results,
 * packed if the features are (for programs that then read both packed).
 *
 * With `reading.softcap` every pass reads the logits capped (a uniform:
 * one program source for every value). With `reading.predictions` the
 * passes carry each maximum's first column alongside it (one row per texel,
 * `(max, logSumExp, index, 0)`), and a third last merge writes `predicted`.
 */
export function rowMaxAndLogSumExp(
    backend: MathBackendWebGL, features: TensorInfo,
    reading: RowReading = {}): RowResults {
  const [batch, numClasses] = features.shape;
  // The first pass samples the features' texture itself, which a tensor
  // small enough to be passed as uniforms would not have.
  backend.uploadToGPU(features.dataId);
  const packed = isPackedOnWebgl(backend, features);
  const capped = reading.softcap != null;
  const withIndex = reading.predictions === true;
  const chunkSize = Math.min(FIRST_PASS_CHUNK_SIZE, numClasses);
  let layout = {
    inSize: numClasses, chunkSize,
    numChunks: Math.ceil(numClasses / chunkSize),
  };
  const keepPacked = true;
  let pairs = backend.runWebGLProgram(
      new ChunkMaxLogSumExpProgram(
          batch, layout.numChunks, packed, {capped, withIndex}),
      [features], 'float32',
      [...chunkUniforms(layout), ...softcapUniformValues(reading.softcap)],
      keepPacked);
  while (layout.numChunks > MAX_CHUNK_SIZE) {
    layout = chunkLayout(layout.numChunks);
    const merged = backend.runWebGLProgram(
        new MergeChunkPairsProgram(
            batch, layout.numChunks, 'pairs', false, withIndex),
        [pairs], 'float32', chunkUniforms(layout), keepPacked);
    backend.disposeIntermediateTensorInfo(pairs);
    pairs = merged;
  }
  const {numChunks} = layout;
  const lastLayout = {inSize: numChunks, chunkSize: numChunks, numChunks: 1};
  const mergeRows = (output: MergedOutput) => backend.runWebGLProgram(
      new MergeChunkPairsProgram(batch, 1, output,
          packed && output !== 'predicted', withIndex),
      [pairs], output === 'predicted' ? 'int32' : 'float32',
      chunkUniforms(lastLayout));
  const rowMax = mergeRows('rowMax');
  const logSumExp = mergeRows('logSumExp');
  const predicted = withIndex ? mergeRows('predicted') : undefined;
  backend.disposeIntermediateTensorInfo(pairs);
  return {rowMax, logSumExp, predicted};
}

/** Per row, `sum_j x_j * y_j` of two `[batch, n]` tensors, as `[batch, 1]`. */
export function rowDot(
    backend: MathBackendWebGL, x: TensorInfo, y: TensorInfo): TensorInfo {
  const [batch, inSize] = x.shape;
  const [dot] = reduceRowsInPasses(backend, inSize, (partials, layout) => [
    backend.runWebGLProgram(
        new ChunkSumProgram(batch, layout.numChunks, partials == null),
        partials == null ? [x, y] : partials, 'float32', chunkUniforms(layout)),
  ]);
  return dot;
}

/**
 * `[batch]` labels or per-row values viewed as a `[batch, 1]` column, the
 * shape in which the programs read them in either layout.
 */
export function asColumn(info: TensorInfo): TensorInfo {
  return {...info, shape: [info.shape[0], 1]};
}
