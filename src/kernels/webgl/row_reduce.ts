import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';
import type {TensorInfo} from '@tensorflow/tfjs-core';

import {ChunkLogSumExpProgram, ChunkMaxProgram, ChunkSumProgram, MAX_CHUNK_SIZE} from './row_reduce_gpu.js';

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

/**
 * Per row of `features` `[batch, numClasses]`: `rowMax` and
 * `logSumExp = log(sum_j exp(x_j - rowMax))`, both `[batch, 1]`. Each pass
 * writes a (max, logSumExp) pair per chunk: a max program, then a
 * log-sum-exp program against those maxima. The first pass reads the logits;
 * later passes merge the previous pass's pairs.
 */
export function rowMaxAndLogSumExp(
    backend: MathBackendWebGL,
    features: TensorInfo): {rowMax: TensorInfo, logSumExp: TensorInfo} {
  const [batch, numClasses] = features.shape;
  const [rowMax, logSumExp] = reduceRowsInPasses(
      backend, numClasses, (partials, layout) => {
        const uniforms = chunkUniforms(layout);
        const maxes = partials == null ? features : partials[0];
        const chunkMaxes = backend.runWebGLProgram(
            new ChunkMaxProgram(batch, layout.numChunks), [maxes], 'float32',
            uniforms);
        const logSumExpInputs = partials == null ?
            [features, chunkMaxes] :
            [partials[0], chunkMaxes, partials[1]];
        const chunkLogSumExps = backend.runWebGLProgram(
            new ChunkLogSumExpProgram(
                batch, layout.numChunks, partials != null),
            logSumExpInputs, 'float32', uniforms);
        return [chunkMaxes, chunkLogSumExps];
      });
  return {rowMax, logSumExp};
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
