import {cappedLogit, softcapRatio, softcapReciprocal} from '../gpu_softcap.js';

import {FlatProgram, WORKGROUP_SIZE, workgroupsFor} from './run_program.js';

/*
 * Programs for split row reductions. Each row is spread over
 * `lanesPerRow` threads (lanes): lane `l` reads columns `l`,
 * `l + lanesPerRow`, `l + 2 * lanesPerRow`, ..., so neighbouring threads read
 * neighbouring logits, and a small batch of long rows still spreads over
 * thousands of threads (`[1, 2000000]` over 4096). Each lane writes its
 * partial result; a second program merges each row's partials, one thread
 * per row. No workgroup memory and no barriers: on this machine's
 * SwiftShader adapter a workgroup tree reduction made the first pass
 * several times slower than these two passes (see the README), and on a
 * real GPU the partials stay few (at most 4096 per row) next to the logits.
 * Sizes are uniforms (`LAYOUT_UNIFORMS`, in that order), so no shader text
 * depends on a shape.
 */

/** The most lanes one row is spread over. */
export const MAX_LANES_PER_ROW = 4096;

/**
 * The fewest logits a lane reads (but for rows shorter than this): merging
 * a lane's partial costs about two logits' work, so lanes stay long enough
 * that the merge is a few percent of the pass.
 */
export const MIN_LOGITS_PER_LANE = 32;

/** How rows of `numClasses` columns are spread over threads. */
export interface RowLayout {
  numRows: number;
  numClasses: number;
  lanesPerRow: number;
}

export function rowLayout(numRows: number, numClasses: number): RowLayout {
  const lanesPerRow = Math.min(
      MAX_LANES_PER_ROW, Math.ceil(numClasses / MIN_LOGITS_PER_LANE));
  return {numRows, numClasses, lanesPerRow};
}

export const LAYOUT_UNIFORMS =
    'numRows : i32, numClasses : i32, lanesPerRow : i32,';

/** Partial results of a lane pass: one per lane of each row. */
export function numLanes({numRows, lanesPerRow}: RowLayout): number {
  return numRows * lanesPerRow;
}

/** Workgroups for a program with one thread per lane. */
export function laneWorkgroups(layout: RowLayout): [number, number, number] {
  return workgroupsFor(Math.ceil(numLanes(layout) / WORKGROUP_SIZE));
}

/** Workgroups for a program with one thread per row. */
export function rowWorkgroups({numRows}: RowLayout): [number, number, number] {
  return workgroupsFor(Math.ceil(numRows / WORKGROUP_SIZE));
}

/**
 * WGSL: runs `body` for each lane of this thread (`lane` of row `row`,
 * `laneIndex` among all lanes, `rowOffset` the row's first element),
 * striding by the dispatch's size. `body` visits its columns with
 * `forEachColumnOfLane`.
 */
export function forEachLane(body: string): string {
  return `
    let numLanes = uniforms.numRows * uniforms.lanesPerRow;
    for (var laneIndex = index; laneIndex < numLanes;
         laneIndex += ${WORKGROUP_SIZE} * i32(numWorkgroups.x)) {
      let row = laneIndex / uniforms.lanesPerRow;
      let lane = laneIndex - row * uniforms.lanesPerRow;
      let rowOffset = row * uniforms.numClasses;
      ${body}
    }`;
}

/** WGSL: runs `body` with `col` set to each column of this lane. */
export function forEachColumnOfLane(body: string): string {
  return `
    for (var col = lane; col < uniforms.numClasses;
         col += uniforms.lanesPerRow) {
      ${body}
    }`;
}

/** WGSL: runs `body` for each row of this thread, one thread per row. */
export function forEachRowOfThread(body: string): string {
  return `
    for (var row = index; row < uniforms.numRows;
         row += ${WORKGROUP_SIZE} * i32(numWorkgroups.x)) {
      ${body}
    }`;
}

/**
 * A float below every finite logit: the exp shift while only `-Infinity`
 * has been seen, which keeps `x - shift` from being `-inf - -inf` (NaN).
 */
const LOWEST_FLOAT = '-3.4e38';

/**
 * WGSL: combining two `(max, sumExp)` pairs, `sumExp` relative to `max`.
 * NaN wins, checked on purpose (WGSL's `max` may drop a NaN). With a
 * `+Infinity` maximum the sum is meaningless; that row is NaN in the end
 * (see `IS_VALID_ROW`).
 */
const MERGE_MAX_SUM_EXP = `
  const LOWEST_FLOAT = ${LOWEST_FLOAT}f;

  fn mergeMaxSumExp(a : vec2<f32>, b : vec2<f32>) -> vec2<f32> {
    if (isnan(a.x) || isnan(b.x)) {
      return vec2<f32>(uniforms.NAN, 0.0);
    }
    let newMax = max(a.x, b.x);
    let shift = max(newMax, LOWEST_FLOAT);
    return vec2<f32>(newMax, a.y * exp(a.x - shift) + b.y * exp(b.x - shift));
  }
`;

/**
 * The fields every program of this folder shares, as `WebGPUProgram` wants
 * them, with the layout's sizes as uniforms (`LAYOUT_UNIFORMS`).
 */
export abstract class LayoutProgram implements FlatProgram {
  abstract variableNames: string[];
  abstract shaderKey: string;
  outputShape: number[];
  dispatch: [number, number, number];
  dispatchLayout = {x: [0]};
  workgroupSize: [number, number, number] = [WORKGROUP_SIZE, 1, 1];
  uniforms = LAYOUT_UNIFORMS;
  uniformValues: number[];
  floatUniformValues?: number[];

  constructor({numRows, numClasses, lanesPerRow}: RowLayout,
              outputShape: number[], dispatch: [number, number, number]) {
    this.outputShape = outputShape;
    this.dispatch = dispatch;
    this.uniformValues = [numRows, numClasses, lanesPerRow];
  }

  abstract getUserCode(): string;
}

/**
 * How a program reads the logits: `softcap` capped
 * (`gpu_softcap.ts`, a float uniform after the others), `withIndex`
 * carrying each maximum's first column. Each combination is one pipeline.
 */
export interface LogitReading {
  softcap?: number;
  withIndex?: boolean;
}

/**
 * Makes `program` read the logits capped when `softcap` is given: its
 * shader key gets `Capped`, its uniforms `softcap`. Returns WGSL
 * `softcapped(x)` for it, and a function wrapping a logit expression in it
 * (none and the identity uncapped: that source is as it was).
 */
export function capLogits(program: LayoutProgram, softcap?: number):
    [string, (logit: string) => string] {
  if (softcap == null) {
    return ['', logit => logit];
  }
  program.shaderKey += 'Capped';
  program.uniforms += ' softcap : f32,';
  program.floatUniformValues = [softcap];
  return [`
      fn softcapped(x : f32) -> f32 {
        let r = ${softcapReciprocal(softcapRatio('x', 'uniforms.softcap'))};
        return ${cappedLogit('x', 'r', 'uniforms.softcap')};
      }
`, logit => `softcapped(${logit})`];
}

/**
 * First pass over the logits `features` `[numRows, numClasses]`: per lane,
 * the maximum of its logits and `sumExp = sum_j exp(x_j - max)` in one
 * read, online-softmax style: the sum is kept relative to the running
 * maximum and rescaled when a block of 4 logits raises it (one exp per
 * logit plus one per block, no branch). Output: the pairs `(max, sumExp)`,
 * lane after lane, `[numRows * lanesPerRow * 2]`.
 *
 * `reading` (`LogitReading`): `softcap` reads the logits capped;
 * `withIndex` writes triples `(max, sumExp, column)` instead,
 * `[numRows * lanesPerRow * 3]`, `column` the lane's first column holding
 * its maximum (a lane's columns ascend, so a later block replaces it only
 * if strictly greater).
 */
export class LaneMaxSumExpProgram extends LayoutProgram {
  variableNames = ['features'];
  shaderKey = 'sparseXentLaneMaxSumExp';
  private readonly withIndex: boolean;
  private readonly softcapped: [string, (logit: string) => string];

  constructor(layout: RowLayout, {softcap, withIndex}: LogitReading = {}) {
    super(layout, [numLanes(layout) * (withIndex === true ? 3 : 2)],
        laneWorkgroups(layout));
    this.withIndex = withIndex === true;
    if (this.withIndex) {
      this.shaderKey += 'WithIndex';
    }
    this.softcapped = capLogits(this, softcap);
  }

  getUserCode(): string {
    const [softcapped, read] = this.softcapped;
    const [firstMaxColumn, findFirstMax, output] = this.withIndex ? [`
          var firstMaxColumn = lane;`, `
            var blockMax = block.x;
            var blockColumn = col;
            for (var k = 1; k < 4; k++) {
              if (block[k] > blockMax) {
                blockMax = block[k];
                blockColumn = col + k * laneStride;
              }
            }
            if (blockMax > runningMax) {
              firstMaxColumn = blockColumn;
            }`, `
          result[3 * laneIndex] = partial.x;
          result[3 * laneIndex + 1] = partial.y;
          result[3 * laneIndex + 2] = f32(firstMaxColumn);`] : ['', '', `
          result[2 * laneIndex] = partial.x;
          result[2 * laneIndex + 1] = partial.y;`];
    return `
      ${MERGE_MAX_SUM_EXP}${softcapped}

      // The logit at column \`col\` of the row, or -Infinity past its end.
      fn logitOrNone(rowOffset : i32, col : i32) -> f32 {
        let logit = ${read('features[rowOffset + min(col, uniforms.numClasses - 1)]')};
        return select(-uniforms.INFINITY, logit, col < uniforms.numClasses);
      }

      fn main(index : i32) {
        ${forEachLane(`
          let laneStride = uniforms.lanesPerRow;
          var runningMax = -uniforms.INFINITY;
          var sumExp = 0.0;
          var sawNaN = false;${firstMaxColumn}
          for (var col = lane; col < uniforms.numClasses; col += 4 * laneStride) {
            let block = vec4<f32>(
                logitOrNone(rowOffset, col),
                logitOrNone(rowOffset, col + laneStride),
                logitOrNone(rowOffset, col + 2 * laneStride),
                logitOrNone(rowOffset, col + 3 * laneStride));
            sawNaN = sawNaN || any(isnanVec4(block));${findFirstMax}
            let newMax = max(runningMax,
                max(max(block.x, block.y), max(block.z, block.w)));
            let shift = max(newMax, LOWEST_FLOAT);
            sumExp = sumExp * exp(runningMax - shift) +
                dot(exp(block - shift), vec4<f32>(1.0));
            runningMax = newMax;
          }
          let partial = select(vec2<f32>(runningMax, sumExp),
                               vec2<f32>(uniforms.NAN, 0.0), sawNaN);${output}`)}
      }
    `;
  }
}

/** Which per-row result `MergeLanesProgram` writes. */
export enum MergedOutput {
  ROW_MAX = 0,
  LOG_SUM_EXP = 1,
  /** int32: the row's first argmax (`withIndex` only). */
  PREDICTED = 2,
}

/**
 * WGSL: writes the row result `mergedOutput` asks for from the row's
 * `merged` `(max, sumExp)`.
 */
const WRITE_ROW_RESULT = `
          let rowMax = merged.x;
          let finite = !isnan(rowMax) && !isinf(rowMax);
          let logSumExp = select(0.0, log(merged.y), finite);
          result[row] = select(logSumExp, rowMax,
                               uniforms.mergedOutput == ${MergedOutput.ROW_MAX});`;

/**
 * Merges each row's lane pairs from `LaneMaxSumExpProgram` into one
 * `[numRows, 1]` result, `rowMax` or `logSumExp = log(sumExp)` as the
 * `mergedOutput` uniform says (one pipeline for both). A row whose maximum
 * is not finite gets the placeholder logSumExp 0, as on WebGL.
 *
 * With `withIndex` it merges the triples `(max, sumExp, column)` instead,
 * and keeps the smallest column among the lanes holding the row's maximum
 * (lanes interleave columns): `PREDICTED` writes it, int32 `[numRows]`
 * (its own pipeline: the output's type differs).
 */
export class MergeLanesProgram extends LayoutProgram {
  variableNames = ['pairs'];
  shaderKey = 'sparseXentMergeLanes';
  override uniforms = `${LAYOUT_UNIFORMS} mergedOutput : i32,`;
  private readonly withIndex: boolean;
  private readonly predicted: boolean;

  constructor(layout: RowLayout, output: MergedOutput, withIndex = false) {
    super(layout,
        output === MergedOutput.PREDICTED ? [layout.numRows] :
                                            [layout.numRows, 1],
        rowWorkgroups(layout));
    this.uniformValues.push(output);
    this.withIndex = withIndex;
    this.predicted = output === MergedOutput.PREDICTED;
    if (withIndex) {
      this.shaderKey += this.predicted ? 'Predicted' : 'WithIndex';
    }
  }

  getUserCode(): string {
    if (this.withIndex) {
      return this.mergeWithIndex();
    }
    return `
      ${MERGE_MAX_SUM_EXP}

      fn main(index : i32) {
        ${forEachRowOfThread(`
          let firstPair = 2 * row * uniforms.lanesPerRow;
          var merged = vec2<f32>(-uniforms.INFINITY, 0.0);
          for (var lane = 0; lane < uniforms.lanesPerRow; lane++) {
            let pair = firstPair + 2 * lane;
            merged = mergeMaxSumExp(
                merged, vec2<f32>(pairs[pair], pairs[pair + 1]));
          }${WRITE_ROW_RESULT}`)}
      }
    `;
  }

  private mergeWithIndex(): string {
    return `
      ${MERGE_MAX_SUM_EXP}

      fn main(index : i32) {
        ${forEachRowOfThread(`
          let firstTriple = 3 * row * uniforms.lanesPerRow;
          var merged = vec2<f32>(-uniforms.INFINITY, 0.0);
          var firstMaxColumn = pairs[firstTriple + 2];
          for (var lane = 0; lane < uniforms.lanesPerRow; lane++) {
            let triple = firstTriple + 3 * lane;
            let laneMax = pairs[triple];
            let column = pairs[triple + 2];
            if (laneMax > merged.x ||
                (laneMax == merged.x && column < firstMaxColumn)) {
              firstMaxColumn = column;
            }
            merged = mergeMaxSumExp(merged, vec2<f32>(laneMax, pairs[triple + 1]));
          }
          ${this.predicted ? 'result[row] = i32(firstMaxColumn);' :
                             WRITE_ROW_RESULT}`)}
      }
    `;
  }
}

/**
 * Per lane, `sum_j x_j * y_j` over its columns of two
 * `[numRows, numClasses]` tensors: `[numRows * lanesPerRow]`, the row's
 * sum when a row has one lane; else `MergeSumsProgram` adds each row's.
 */
export class LaneDotProgram extends LayoutProgram {
  variableNames = ['x', 'y'];
  shaderKey = 'sparseXentLaneDot';

  constructor(layout: RowLayout) {
    super(layout, [numLanes(layout)], laneWorkgroups(layout));
  }

  getUserCode(): string {
    return `
      fn main(index : i32) {
        ${forEachLane(`
          var sum = 0.0;
          ${forEachColumnOfLane(`
            sum += x[rowOffset + col] * y[rowOffset + col];`)}
          result[laneIndex] = sum;`)}
      }
    `;
  }
}

/** Adds each row's `lanesPerRow` partial sums: `[numRows]`. */
export class MergeSumsProgram extends LayoutProgram {
  variableNames = ['partialSums'];
  shaderKey = 'sparseXentMergeSums';

  constructor(layout: RowLayout) {
    super(layout, [layout.numRows], rowWorkgroups(layout));
  }

  getUserCode(): string {
    return `
      fn main(index : i32) {
        ${forEachRowOfThread(`
          let firstLane = row * uniforms.lanesPerRow;
          var sum = 0.0;
          for (var lane = 0; lane < uniforms.lanesPerRow; lane++) {
            sum += partialSums[firstLane + lane];
          }
          result[row] = sum;`)}
      }
    `;
  }
}
