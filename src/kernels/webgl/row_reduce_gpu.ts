import type {GPGPUProgram} from '@tensorflow/tfjs-backend-webgl';

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
 * Maximum of each chunk of each row of `x` `[batch, inSize]`, written to
 * `[batch, numChunks]`. NaN wins: GLSL's `max` and comparisons leave NaN
 * undefined, so it is detected with tfjs's `isnan` and written as `NAN`.
 */
export class ChunkMaxProgram implements GPGPUProgram {
  variableNames = ['x'];
  outputShape: number[];
  userCode: string;
  enableShapeUniforms = true;
  customUniforms = CHUNK_UNIFORMS;

  constructor(batch: number, numChunks: number) {
    this.outputShape = [batch, numChunks];
    this.userCode = `
      void main() {
        ivec2 coords = getOutputCoords();
        int row = coords[0];
        int chunk = coords[1];
        float chunkMax = getX(row, chunk * chunkSize);
        bool sawNaN = false;
        ${forEachColumnInChunk(`
          float value = getX(row, col);
          if (isnan(value)) {
            sawNaN = true;
          }
          if (value > chunkMax) {
            chunkMax = value;
          }`)}
        setOutput(sawNaN ? NAN : chunkMax);
      }
    `;
  }
}

/**
 * `log(sumExp)` of each chunk of each row, taken against the chunk's maximum
 * `chunkMaxes` `[batch, numChunks]` (from `ChunkMaxProgram` over the same
 * input), so every exp is at most 1 and nothing overflows.
 *
 * - First pass (`mergesPartials` false): `x` holds the logits and
 *   `sumExp = sum_j exp(x_j - chunkMax)`.
 * - Merge passes (`mergesPartials` true): `x` holds the previous pass's
 *   chunk maxima `m_j` and `logSumExps` its `l_j = log(s_j)`; the pairs merge
 *   online-softmax style, `sumExp = sum_j s_j * exp(m_j - chunkMax)`.
 *
 * Sums are stored as logs because a sum over a whole row reaches the row
 * length, past the 65504 a 16-bit texture holds; `l` stays in
 * `[0, log(inSize)]`. A chunk whose maximum is not finite gets a placeholder
 * 0: all `-Infinity` (sumExp 0) contributes `exp(-inf + 0) = 0` when merged,
 * which avoids the NaN of `-inf - -inf`; `+Infinity` or NaN make the row NaN
 * in the final pass whatever is written here.
 */
export class ChunkLogSumExpProgram implements GPGPUProgram {
  variableNames: string[];
  outputShape: number[];
  userCode: string;
  enableShapeUniforms = true;
  customUniforms = CHUNK_UNIFORMS;

  constructor(batch: number, numChunks: number, mergesPartials: boolean) {
    this.variableNames = mergesPartials ? ['x', 'chunkMaxes', 'logSumExps'] :
                                          ['x', 'chunkMaxes'];
    this.outputShape = [batch, numChunks];
    const shiftedLogTerm = mergesPartials ?
        'getX(row, col) - chunkMax + getLogSumExps(row, col)' :
        'getX(row, col) - chunkMax';
    this.userCode = `
      void main() {
        ivec2 coords = getOutputCoords();
        int row = coords[0];
        int chunk = coords[1];
        float chunkMax = getChunkMaxes(row, chunk);
        if (isnan(chunkMax) || isinf(chunkMax)) {
          setOutput(0.0);
          return;
        }
        float sumExp = 0.0;
        ${forEachColumnInChunk(`sumExp += exp(${shiftedLogTerm});`)}
        setOutput(log(sumExp));
      }
    `;
  }
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
