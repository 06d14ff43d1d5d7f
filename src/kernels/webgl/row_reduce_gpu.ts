import type {GPGPUProgram} from '@tensorflow/tfjs-backend-webgl';
import {env} from '@tensorflow/tfjs-core';

import {cappedLogit, softcapRatio, softcapReciprocal} from '../gpu_softcap.js';

/*
 * Programs for split row reductions: each invocation reduces one chunk of one
 * row. Like every program in this folder they set `enableShapeUniforms` and
 * pass every other runtime scalar in `customUniforms`, so the GLSL text never
 * depends on the shape and other batch sizes or class counts reuse the
 * compiled shaders.
 */

/**
 * The most elements any one shader invocation of these programs loops over:
 * the GLSL loops below run to this compile-time constant and break at the
 * `chunkSize` uniform, so a row of any length is split across
 * `ceil(inSize / chunkSize)` invocations and further passes (see
 * `row_reduce.ts`). It is the same constant for every shape, so it does not
 * multiply shader sources; 1024 matches tfjs's own windowed reductions.
 */
export const MAX_CHUNK_SIZE = 1024;

/**
 * Uniforms shared by the chunk programs: `inSize` is the reduced row length
 * of the input, `chunkSize` (<= MAX_CHUNK_SIZE) the elements per invocation.
 * Values go in this order to `runWebGLProgram`.
 */
const CHUNK_UNIFORMS: GPGPUProgram['customUniforms'] = [
  {name: 'inSize', type: 'int'},
  {name: 'chunkSize', type: 'int'},
];

/** The uniform of capped programs (`gpu_softcap.ts`), after the others. */
export const SOFTCAP_UNIFORM = {name: 'softcap', type: 'float'} as const;

/**
 * How a program reads the logits: `capped` as
 * `softcap * tanh(x / softcap)` (`gpu_softcap.ts`, with the uniform
 * `SOFTCAP_UNIFORM`), and `withIndex` carrying each maximum's first index
 * (for `predicted`). Each combination is one program source.
 */
export interface LogitReading {
  capped?: boolean;
  withIndex?: boolean;
}

/**
 * GLSL: `softcapped(x)` for each GLSL type of `types`, and a function
 * `read` that wraps a logit expression in it, or none and the identity
 * when not `capped` (the uncapped source is as it was).
 */
export function softcapGlsl(capped: boolean|undefined, types: string[]):
    [string, (logit: string) => string] {
  if (capped !== true) {
    return ['', logit => logit];
  }
  const functions = types.map(type => `
      ${type} softcapped(${type} x) {
        ${type} r = ${softcapReciprocal(softcapRatio('x', 'softcap'))};
        return ${cappedLogit('x', 'r', 'softcap')};
      }`);
  return [functions.join(''), logit => `softcapped(${logit})`];
}

/** `uniforms` and the capped programs' `SOFTCAP_UNIFORM`. */
export function withSoftcapUniform(
    uniforms: GPGPUProgram['customUniforms'],
    capped: boolean|undefined): GPGPUProgram['customUniforms'] {
  return capped === true ? [...uniforms ?? [], SOFTCAP_UNIFORM] : uniforms;
}

/**
 * GLSL that runs `body` with `col` set to each column of this invocation's
 * chunk of row `row`: columns `[chunk * chunkSize, ...)`, stopping at
 * `chunkSize` elements or the row's end. The loop bound is a constant
 * (WebGL 1 requires one) and the uniforms only break out of it.
 */
function forEachColumnInChunk(body: string): string {
  return `
    int chunkStart = chunk * chunkSize;
    for (int i = 0; i < ${MAX_CHUNK_SIZE}; i++) {
      int col = chunkStart + i;
      if (i == chunkSize || col == inSize) {
        break;
      }
      ${body}
    }`;
}

/**
 * Elements per invocation in the first pass over the logits. Shorter than
 * MAX_CHUNK_SIZE so that a batch of rows of about a thousand classes still
 * spreads over several invocations per row: with one long invocation per row
 * a `[batch, 1]` output keeps SwiftShader's CPU threads and 2x2 fragment
 * quads half idle.
 */
export const FIRST_PASS_CHUNK_SIZE = 256;

/**
 * A float below every finite logit: the exp shift while a chunk has seen only
 * `-Infinity`, which keeps `x - shift` from being `-inf - -inf`.
 */
const LOWEST_FLOAT = '-3.4e38';

/** GLSL: the number of elements in this invocation's chunk. */
const CHUNK_COUNT = `
  int chunkCount(int chunkStart) {
    int left = inSize - chunkStart;
    return chunkSize < left ? chunkSize : left;
  }
`;

/**
 * GLSL: the texel coordinates of flat texel index `index`, and stepping to
 * the next texel in flat order.
 */
const TEXEL_AT = `
  ivec2 texelAt(int index, int texCols) {
    int texRow = index / texCols;
    return ivec2(index - texRow * texCols, texRow);
  }

  void stepTexel(inout ivec2 texel, int texCols) {
    texel.x++;
    if (texel.x == texCols) {
      texel = ivec2(0, texel.y + 1);
    }
  }
`;

/**
 * First pass over the logits `x` `[batch, inSize]`: each chunk's maximum and
 * `logSumExp = log(sum_j exp(x_j - chunkMax))` in one read of the logits,
 * online-softmax style: the sum is kept relative to the running maximum and
 * rescaled when a block of values raises it (one exp per logit, plus one per
 * block). Exps are taken against `shift`, the maximum but finite while only
 * `-Infinity` has been seen.
 *
 * The output is packed `[batch, 2 * numChunks]`: texel (row pair, chunk)
 * holds `(max, logSumExp)` of the upper row then of the lower row, so one
 * invocation writes both values of two rows. The logits are read by stepping
 * through their texture from the chunk's first texel, cheaper than
 * converting each column to texture coordinates: an unpacked texture in
 * blocks of 4 logits of one row, a packed one (`packedInputs`, as a matMul
 * writes) a texel of 2 logits of both rows at a time.
 *
 * NaN wins: GLSL's `max` leaves NaN undefined, so each block is probed with
 * `isnan` of the average of its values, each scaled before adding so finite
 * ones cannot overflow (NaN for a NaN logit; also for `+inf` with `-inf`,
 * whose row is NaN anyway) and the chunk written as `(NAN, 0)`.
 * A chunk whose maximum is `+-Infinity` gets the placeholder logSumExp 0
 * (see `MergeChunkPairsProgram`).
 */
export class ChunkMaxLogSumExpProgram implements GPGPUProgram {
  variableNames = ['x'];
  outputShape: number[];
  userCode: string;
  packedInputs: boolean;
  packedOutput = true;
  enableShapeUniforms = true;
  customUniforms: GPGPUProgram['customUniforms'];

  /**
   * `reading` (`LogitReading`): `capped` reads the logits capped;
   * `withIndex` writes one row per texel instead, packed
   * `[2 * batch, 2 * numChunks]`: texel (row, chunk) holds
   * `(max, logSumExp, index, 0)`, `index` the chunk's first column holding
   * its maximum (see `rowChunkWithIndex`).
   */
  constructor(batch: number, numChunks: number, packedInputs: boolean,
              reading: LogitReading = {}) {
    const {capped, withIndex} = reading;
    this.outputShape =
        withIndex === true ? [2 * batch, 2 * numChunks] : [batch, 2 * numChunks];
    this.packedInputs = packedInputs;
    this.customUniforms = withSoftcapUniform(CHUNK_UNIFORMS, capped);
    const [softcapped, read] = softcapGlsl(capped, ['float', 'vec2', 'vec4']);
    const rows = withIndex === true ? `
      ${rowChunkWithIndex(packedInputs, read)}

      void main() {
        ivec2 coords = getOutputCoords();
        setOutput(rowChunkWithIndex(coords[0] / 2, coords[1] / 2));
      }` : `
      ${packedInputs ? packedRowPairChunk(read) : unpackedRowPairChunk(read)}

      void main() {
        ivec2 coords = getOutputCoords();
        setOutput(rowPairChunk(coords[0], coords[1] / 2));
      }`;
    this.userCode = `
      ${CHUNK_COUNT}
      ${TEXEL_AT}${softcapped}

      vec2 chunkResult(float runningMax, float sumExp, bool sawNaN) {
        if (sawNaN) {
          return vec2(NAN, 0.0);
        }
        return vec2(runningMax, isinf(runningMax) ? 0.0 : log(sumExp));
      }
${rows}
    `;
  }
}

/**
 * GLSL for an unpacked `x`: each row's chunk in blocks of 4 logits, each
 * logit read through `read` (see `softcapGlsl`).
 */
function unpackedRowPairChunk(read: (logit: string) => string): string {
  return `
  float nextLogit(inout ivec2 texel, vec2 texelSize) {
    float logit = ${read('sampleTexture(x, (vec2(texel) + 0.5) * texelSize)')};
    stepTexel(texel, xTexShape[1]);
    return logit;
  }

  vec2 rowChunk(int row, int chunk) {
    int chunkStart = chunk * chunkSize;
    int count = chunkCount(chunkStart);
    ivec2 texel = texelAt(offsetx + row * inSize + chunkStart, xTexShape[1]);
    vec2 texelSize = 1.0 / vec2(xTexShape[1], xTexShape[0]);
    // Lanes past the chunk's end repeat its first logit, with weight 0.
    float firstLogit = nextLogit(texel, texelSize);
    float runningMax = firstLogit;
    float sumExp = 1.0;
    bool sawNaN = isnan(firstLogit);
    for (int i = 1; i < ${MAX_CHUNK_SIZE}; i += 4) {
      if (i >= count) {
        break;
      }
      vec4 block;
      block.x = nextLogit(texel, texelSize);
      block.y = i + 1 < count ? nextLogit(texel, texelSize) : firstLogit;
      block.z = i + 2 < count ? nextLogit(texel, texelSize) : firstLogit;
      block.w = i + 3 < count ? nextLogit(texel, texelSize) : firstLogit;
      vec4 weight =
          vec4(lessThan(ivec4(i) + ivec4(0, 1, 2, 3), ivec4(count)));
      if (isnan(dot(block, vec4(0.125)))) {
        sawNaN = true;
      }
      float newMax = max(runningMax,
          max(max(block.x, block.y), max(block.z, block.w)));
      float shift = max(newMax, ${LOWEST_FLOAT});
      sumExp = sumExp * exp(runningMax - shift) +
          dot(exp(block - shift), weight);
      runningMax = newMax;
    }
    return chunkResult(runningMax, sumExp, sawNaN);
  }

  vec4 rowPairChunk(int row, int chunk) {
    vec2 lowerRow = vec2(0.0);
    if (row + 1 < outShape[0]) {
      lowerRow = rowChunk(row + 1, chunk);
    }
    return vec4(rowChunk(row, chunk), lowerRow);
  }
`;
}

/** Texels of a packed `x` read per loop iteration, with one rescale. */
const TEXELS_PER_STEP = 4;

/**
 * GLSL for a packed `x`: texels of two columns of both rows (vec2s: x the
 * upper row, y the lower). The loop reads TEXELS_PER_STEP texels per
 * iteration, whose maximum rescales the running sum once (on SwiftShader an
 * `exp` to rescale per texel cost a fifth of the pass); the chunk's last
 * columns, fewer than a step, are read a texel at a time. A chunk starts at
 * an even column (FIRST_PASS_CHUNK_SIZE is even); an odd last column
 * repeats the texel's first column for the maximum and adds no term. Lanes
 * of a missing lower row are computed and never read.
 */
function packedRowPairChunk(read: (logits: string) => string): string {
  const values = Array.from({length: TEXELS_PER_STEP}, (_, k) => `values${k}`);
  const columnsPerStep = 2 * TEXELS_PER_STEP;
  return `
  vec4 nextTexel(inout ivec2 texel, ivec2 texShape, vec2 texelSize) {
    vec4 logits = ${read(`${packedTexture()}(x, (vec2(texel) + 0.5) * texelSize)`)};
    stepTexel(texel, texShape[1]);
    return logits;
  }

  vec4 rowPairChunk(int row, int chunk) {
    int chunkStart = chunk * chunkSize;
    int count = chunkCount(chunkStart);
    ivec2 texShape = (xTexShape + 1) / 2;
    ivec2 texel =
        texelAt((row / 2) * ((inSize + 1) / 2) + chunkStart / 2, texShape[1]);
    vec2 texelSize = 1.0 / vec2(texShape[1], texShape[0]);
    vec2 runningMax = ${read('getX(row, chunkStart)')}.xz;
    vec2 sumExp = vec2(0.0);
    bvec2 sawNaN = bvec2(false);
    int stepsEnd = count - imod(count, ${columnsPerStep});
    for (int i = 0; i < ${MAX_CHUNK_SIZE}; i += ${columnsPerStep}) {
      if (i >= stepsEnd) {
        break;
      }
      ${values.map(v => `
      vec4 ${v} = nextTexel(texel, texShape, texelSize);`).join('')}
      ${addTexels(values)}
    }
    for (int j = 0; j < ${columnsPerStep}; j += 2) {
      int i = stepsEnd + j;
      if (i >= count) {
        break;
      }
      vec4 logits = nextTexel(texel, texShape, texelSize);
      bool hasSecond = i + 1 < count;
      vec4 values = hasSecond ? logits : logits.xxzz;
      ${addTexels(['values'], 'hasSecond')}
    }
    return vec4(chunkResult(runningMax.x, sumExp.x, sawNaN.x),
                chunkResult(runningMax.y, sumExp.y, sawNaN.y));
  }
`;
}

/** tfjs's sampleTexture returns one channel; a packed texel needs all four. */
function packedTexture(): string {
  return env().getNumber('WEBGL_VERSION') === 2 ? 'texture' : 'texture2D';
}

/**
 * GLSL: `rowChunkWithIndex(row, chunk)`, the `(max, logSumExp, index, 0)`
 * of one row's chunk of the logits (read through `read`), packed or not,
 * for `ChunkMaxLogSumExpProgram`'s `withIndex`. The chunk is read in pairs
 * of columns (a packed texel holds this row's in `xy` or `zw`; a chunk
 * starts at an even column) and blocks of two pairs with one rescale, as
 * the unpacked row-pair pass. Columns past the chunk's end repeat its first
 * logit with weight 0. `index` is the first column holding the maximum, as
 * `tf.argMax` picks: a later column replaces it only if strictly greater
 * (a NaN row is NaN whatever its index).
 */
function rowChunkWithIndex(
    packedInputs: boolean, read: (logits: string) => string): string {
  const [texShape, flatIndex, pair] = packedInputs ?
      ['(xTexShape + 1) / 2', '(row / 2) * ((inSize + 1) / 2) + chunkStart / 2',
        `vec4 logits = ${packedTexture()}(x, (vec2(texel) + 0.5) * texelSize);
    stepTexel(texel, texShape[1]);
    return ${read('imod(row, 2) == 0 ? logits.xy : logits.zw')};`] :
      ['xTexShape', 'offsetx + row * inSize + chunkStart',
        `float first = sampleTexture(x, (vec2(texel) + 0.5) * texelSize);
    stepTexel(texel, texShape[1]);
    float second = sampleTexture(x, (vec2(texel) + 0.5) * texelSize);
    stepTexel(texel, texShape[1]);
    return ${read('vec2(first, second)')};`];
  return `
  vec2 nextPair(inout ivec2 texel, ivec2 texShape, vec2 texelSize, int row) {
    ${pair}
  }

  vec4 rowChunkWithIndex(int row, int chunk) {
    int chunkStart = chunk * chunkSize;
    int count = chunkCount(chunkStart);
    ivec2 texShape = ${texShape};
    ivec2 texel = texelAt(${flatIndex}, texShape[1]);
    vec2 texelSize = 1.0 / vec2(texShape[1], texShape[0]);
    float runningMax = 0.0;
    float sumExp = 0.0;
    float index = float(chunkStart);
    bool sawNaN = false;
    for (int i = 0; i < ${MAX_CHUNK_SIZE}; i += 4) {
      if (i >= count) {
        break;
      }
      vec4 block = vec4(nextPair(texel, texShape, texelSize, row),
                        nextPair(texel, texShape, texelSize, row));
      if (i == 0) {
        runningMax = block.x;
      }
      bvec4 inChunk = lessThan(ivec4(i) + ivec4(0, 1, 2, 3), ivec4(count));
      block = vec4(block.x, inChunk.y ? block.y : block.x,
                   inChunk.z ? block.z : block.x, inChunk.w ? block.w : block.x);
      if (isnan(dot(block, vec4(0.125)))) {
        sawNaN = true;
      }
      float blockMax = block.x;
      int blockIndex = 0;
      if (block.y > blockMax) { blockMax = block.y; blockIndex = 1; }
      if (block.z > blockMax) { blockMax = block.z; blockIndex = 2; }
      if (block.w > blockMax) { blockMax = block.w; blockIndex = 3; }
      if (blockMax > runningMax) {
        index = float(chunkStart + i + blockIndex);
      }
      float newMax = max(runningMax, blockMax);
      float shift = max(newMax, ${LOWEST_FLOAT});
      sumExp = sumExp * exp(runningMax - shift) +
          dot(exp(block - shift), vec4(inChunk));
      runningMax = newMax;
    }
    return vec4(chunkResult(runningMax, sumExp, sawNaN), index, 0.0);
  }
`;
}

/**
 * GLSL that adds `texels` (vec4s of a packed `x`: vec2s of two columns, x
 * the upper row, y the lower) to `runningMax`, `sumExp` and `sawNaN`, with
 * one rescale. With `hasSecondColumn`, a GLSL bool, the texels' second
 * columns add no term when it is false (their values are stand-ins). The
 * NaN probe averages the values, each scaled before adding: finite logits
 * near the largest float must not sum to +inf and -inf.
 */
function addTexels(texels: string[], hasSecondColumn?: string): string {
  const weight = 0.5 / texels.length;
  const secondTerms = hasSecondColumn == null ?
      'terms.yw' :
      `(${hasSecondColumn} ? terms.yw : vec2(0.0))`;
  return `
      vec2 probe = ${texels.map(v => `${weight} * ${v}.xz + ${weight} * ${v}.yw`)
      .join(' +\n          ')};
      sawNaN = bvec2(sawNaN.x || isnan(probe.x), sawNaN.y || isnan(probe.y));
      vec2 newMax = max(runningMax, ${texels.map(v => `max(${v}.xz, ${v}.yw)`)
      .reduce((a, b) => `max(${a},\n          ${b})`)});
      vec2 shift = max(newMax, vec2(${LOWEST_FLOAT}));
      vec4 terms = ${texels.map(v => `exp(${v} - shift.xxyy)`)
      .join(' +\n          ')};
      sumExp = sumExp * exp(runningMax - shift) + terms.xz + ${secondTerms};
      runningMax = newMax;`;
}

/** What a `MergeChunkPairsProgram` writes. */
export type MergedOutput = 'pairs'|'rowMax'|'logSumExp'|'predicted';

/**
 * Merges chunks of the `(max, logSumExp)` pairs `pairs` (packed
 * `[batch, 2 * inSize]`, as `ChunkMaxLogSumExpProgram` writes) online-softmax
 * style: `sumExp = sum_j exp(m_j - shift + l_j)`, rescaled whenever the
 * running maximum grows. One invocation merges a row pair (the vec2s' x the
 * upper row, y the lower). It writes either pairs again, packed
 * `[batch, 2 * numChunks]`, or after the last merge one of the row results,
 * `[batch, 1]`: `rowMax`, or `logSumExp` against it; those are packed with
 * `packsRowResults`, for programs that read packed logits.
 *
 * A NaN chunk maximum makes the row NaN. A `-Infinity` chunk (placeholder
 * logSumExp 0) adds `exp(-inf) = 0`; an all `-Infinity` or a `+Infinity` row
 * has a non-finite `rowMax`, which the final programs turn into NaN, and
 * gets the placeholder 0 here.
 */
export class MergeChunkPairsProgram implements GPGPUProgram {
  variableNames = ['pairs'];
  outputShape: number[];
  userCode: string;
  packedInputs = true;
  packedOutput: boolean;
  enableShapeUniforms = true;
  customUniforms = CHUNK_UNIFORMS;

  /**
   * With `withIndex` the pairs are the one-row texels
   * `(max, logSumExp, index, 0)` of `ChunkMaxLogSumExpProgram`'s
   * `withIndex`, written again as such (`pairs`), or after the last merge
   * as a row result, or `predicted` (`[batch]`, each row's index): see
   * `mergeRowWithIndex`.
   */
  constructor(
      batch: number, numChunks: number, output: MergedOutput,
      packsRowResults = false, withIndex = false) {
    this.packedOutput = output === 'pairs' || packsRowResults;
    this.outputShape = output === 'pairs' ? [batch, 2 * numChunks] : [batch, 1];
    if (withIndex) {
      this.outputShape = output === 'pairs' ? [2 * batch, 2 * numChunks] :
          output === 'predicted' ? [batch] : [batch, 1];
      this.userCode = mergeRowsWithIndex(output, packsRowResults);
      return;
    }
    const result = output === 'pairs' ? '' : output;
    const setOutput = output === 'pairs' ?
        'setOutput(vec4(rowMax.x, logSumExp.x, rowMax.y, logSumExp.y));' :
        packsRowResults ?
        `setOutput(vec4(${result}.x, 0.0, ${result}.y, 0.0));` :
        `setOutput(imod(row, 2) == 0 ? ${result}.x : ${result}.y);`;
    this.userCode = `
      void main() {
        ivec2 coords = getOutputCoords();
        int row = coords[0];
        int chunk = ${output === 'pairs' ? 'coords[1] / 2' : '0'};
        vec2 runningMax = getPairs(row, 2 * chunk * chunkSize).xz;
        vec2 sumExp = vec2(0.0);
        bvec2 sawNaN = bvec2(false);
        ${forEachColumnInChunk(`
          vec4 pair = getPairs(row, 2 * col);
          bvec4 pairIsNaN = isnan(pair);
          sawNaN = bvec2(sawNaN.x || pairIsNaN.x, sawNaN.y || pairIsNaN.z);
          vec2 newMax = max(runningMax, pair.xz);
          vec2 shift = max(newMax, vec2(${LOWEST_FLOAT}));
          sumExp = sumExp * exp(runningMax - shift) +
              exp(pair.xz - shift + pair.yw);
          runningMax = newMax;`)}
        vec2 rowMax = vec2(sawNaN.x ? NAN : runningMax.x,
                           sawNaN.y ? NAN : runningMax.y);
        vec2 logSumExp = vec2(
            sawNaN.x || isinf(rowMax.x) ? 0.0 : log(sumExp.x),
            sawNaN.y || isinf(rowMax.y) ? 0.0 : log(sumExp.y));
        ${setOutput}
      }
    `;
  }
}

/**
 * GLSL of `MergeChunkPairsProgram` with `withIndex`: `mergeRowWithIndex`
 * merges one row's texels `(max, logSumExp, index, 0)` as the row-pair
 * merge does, keeping the index of the first chunk whose maximum is the
 * row's (chunks are in column order: a later one replaces it only if
 * strictly greater), and returns `(rowMax, logSumExp, index)`. A packed
 * row result merges the two rows of its texel.
 */
function mergeRowsWithIndex(
    output: MergedOutput, packsRowResults: boolean): string {
  const component = {pairs: '', rowMax: 'x', logSumExp: 'y', predicted: 'z'};
  const main = output === 'pairs' ? `
        ivec2 coords = getOutputCoords();
        setOutput(vec4(mergeRowWithIndex(coords[0] / 2, coords[1] / 2), 0.0));` :
      output === 'predicted' ? `
        setOutput(mergeRowWithIndex(getOutputCoords(), 0).z);` :
      packsRowResults ? `
        int row = getOutputCoords()[0];
        setOutput(vec4(mergeRowWithIndex(row, 0).${component[output]}, 0.0,
                       mergeRowWithIndex(row + 1, 0).${component[output]}, 0.0));` :
                        `
        setOutput(mergeRowWithIndex(getOutputCoords()[0], 0).${
          component[output]});`;
  return `
      vec3 mergeRowWithIndex(int row, int chunk) {
        vec4 first = getPairs(2 * row, 2 * chunk * chunkSize);
        float runningMax = first.x;
        float sumExp = 0.0;
        float index = first.z;
        bool sawNaN = false;
        ${forEachColumnInChunk(`
          vec4 partial = getPairs(2 * row, 2 * col);
          sawNaN = sawNaN || isnan(partial.x);
          if (partial.x > runningMax) {
            index = partial.z;
          }
          float newMax = max(runningMax, partial.x);
          float shift = max(newMax, ${LOWEST_FLOAT});
          sumExp = sumExp * exp(runningMax - shift) +
              exp(partial.x - shift + partial.y);
          runningMax = newMax;`)}
        float rowMax = sawNaN ? NAN : runningMax;
        return vec3(rowMax, sawNaN || isinf(rowMax) ? 0.0 : log(sumExp), index);
      }

      void main() {${main}
      }
    `;
}

/**
 * Sum of each chunk of each row of `x` `[batch, inSize]`, or with
 * `multipliesY` of `x * y` (a row-wise dot product), written to
 * `[batch, numChunks]`. Merge passes sum the partial sums without `y`.
 */
export class ChunkSumProgram implements GPGPUProgram {
  variableNames: string[];
  outputShape: number[];
  userCode: string;
  enableShapeUniforms = true;
  customUniforms = CHUNK_UNIFORMS;

  constructor(batch: number, numChunks: number, multipliesY: boolean) {
    this.variableNames = multipliesY ? ['x', 'y'] : ['x'];
    this.outputShape = [batch, numChunks];
    const term = multipliesY ? 'getX(row, col) * getY(row, col)' :
                               'getX(row, col)';
    this.userCode = `
      void main() {
        ivec2 coords = getOutputCoords();
        int row = coords[0];
        int chunk = coords[1];
        float chunkSum = 0.0;
        ${forEachColumnInChunk(`chunkSum += ${term};`)}
        setOutput(chunkSum);
      }
    `;
  }
}
