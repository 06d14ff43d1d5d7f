import type {WebGPUProgram} from '@tensorflow/tfjs-backend-webgpu';

import {forEachWorkgroupTask, WORKGROUP_SIZE, WORKGROUP_TASK_VARIABLES, workgroupsFor} from './run_program.js';

/*
 * Programs for split row reductions: one workgroup reduces one slice of one
 * row (a task), its threads striding over the slice and then combining
 * their partial results in workgroup memory. A long row is cut into
 * several slices (see `sliceLayout`), so a small batch of long rows still
 * spreads over many workgroups; a merge program then combines each row's
 * slices, again one workgroup per row. Sizes are uniforms (`SLICE_UNIFORMS`
 * in that order), so no shader text depends on a shape.
 */

/**
 * The most columns one workgroup reduces: 64 per thread. Rows up to this
 * length are one slice; a longer row is cut into `ceil(numClasses / 4096)`
 * slices of equal length (`[1, 2000000]` into 489 workgroups).
 */
export const MAX_SLICE_SIZE = 4096;

/** How rows of `numClasses` columns are cut into slices. */
export interface SliceLayout {
  numRows: number;
  numClasses: number;
  sliceSize: number;
  slicesPerRow: number;
}

export function sliceLayout(numRows: number, numClasses: number): SliceLayout {
  const slicesPerRow = Math.ceil(numClasses / MAX_SLICE_SIZE);
  return {
    numRows, numClasses, slicesPerRow,
    sliceSize: Math.ceil(numClasses / slicesPerRow),
  };
}

/** The uniform values of a sliced program, in `SLICE_UNIFORMS` order. */
export function sliceUniformValues(
    {numRows, numClasses, sliceSize, slicesPerRow}: SliceLayout): number[] {
  return [numRows, numClasses, sliceSize, slicesPerRow];
}

export const SLICE_UNIFORMS =
    'numRows : i32, numClasses : i32, sliceSize : i32, slicesPerRow : i32,';

/** Workgroups for a sliced program: one per slice, at most `MAX_WORKGROUPS`. */
export function sliceWorkgroups(layout: SliceLayout): [number, number, number] {
  return workgroupsFor(layout.numRows * layout.slicesPerRow);
}

/**
 * WGSL: runs `body` once per slice of this workgroup, with `row`,
 * `rowOffset` (the row's first element), `sliceStart`, `sliceEnd` (columns)
 * and `thread` (this thread's index in the workgroup) set. `body` may use
 * `workgroupBarrier` (see `forEachWorkgroupTask`).
 */
export function forEachSlice(body: string): string {
  return `
    let thread = i32(localIndex);
    ${forEachWorkgroupTask('uniforms.numRows * uniforms.slicesPerRow', `
      let row = task / uniforms.slicesPerRow;
      let sliceStart = (task - row * uniforms.slicesPerRow) * uniforms.sliceSize;
      let sliceEnd = min(sliceStart + uniforms.sliceSize, uniforms.numClasses);
      let rowOffset = row * uniforms.numClasses;
      ${body}`)}`;
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
 * WGSL: combines every thread's `partial` (a `${type}`) into thread 0's
 * `partialsShared[0]` with `merge`, a tree over workgroup memory. Ends with
 * a barrier, so the workgroup may then read the result and reuse the array.
 */
function reduceWorkgroup(merge: string): string {
  return `
    partialsShared[thread] = partial;
    workgroupBarrier();
    for (var width = ${WORKGROUP_SIZE / 2}; width > 0; width = width / 2) {
      if (thread < width) {
        partialsShared[thread] =
            ${merge}(partialsShared[thread], partialsShared[thread + width]);
      }
      workgroupBarrier();
    }`;
}

function partialsShared(type: string): string {
  return `var<workgroup> partialsShared : array<${type}, ${WORKGROUP_SIZE}>;`;
}

/** The fields every program here shares, as `WebGPUProgram` wants them. */
abstract class SliceProgram implements WebGPUProgram {
  abstract variableNames: string[];
  abstract shaderKey: string;
  outputShape: number[];
  dispatch: [number, number, number];
  dispatchLayout = {x: [0]};
  workgroupSize: [number, number, number] = [WORKGROUP_SIZE, 1, 1];
  uniforms = SLICE_UNIFORMS;

  constructor(outputShape: number[], dispatch: [number, number, number]) {
    this.outputShape = outputShape;
    this.dispatch = dispatch;
  }

  abstract getUserCode(): string;
}

/**
 * First pass over the logits `features` `[numRows, numClasses]`: per slice,
 * its maximum and `sumExp = sum_j exp(x_j - max)` in one read of the
 * logits, online-softmax style: each thread keeps its sum relative to its
 * running maximum and rescales it when a block of 4 logits raises it (one
 * exp per logit plus one per block, no branch). Output: the pairs
 * `(max, sumExp)`, slice after slice, `[numRows * slicesPerRow * 2]`.
 */
export class SliceMaxSumExpProgram extends SliceProgram {
  variableNames = ['features'];
  shaderKey = 'sparseXentSliceMaxSumExp';

  constructor(layout: SliceLayout) {
    super([layout.numRows * layout.slicesPerRow * 2], sliceWorkgroups(layout));
  }

  getUserCode(): string {
    const step = WORKGROUP_SIZE;
    return `
      ${WORKGROUP_TASK_VARIABLES}
      ${partialsShared('vec2<f32>')}
      ${MERGE_MAX_SUM_EXP}

      // The logit at column \`col\` of the row, or -Infinity past the slice.
      fn logitOrNone(rowOffset : i32, col : i32, sliceEnd : i32) -> f32 {
        let logit = features[rowOffset + min(col, sliceEnd - 1)];
        return select(-uniforms.INFINITY, logit, col < sliceEnd);
      }

      fn main(index : i32) {
        ${forEachSlice(`
          var runningMax = -uniforms.INFINITY;
          var sumExp = 0.0;
          var sawNaN = false;
          for (var col = sliceStart + thread; col < sliceEnd;
               col += ${4 * step}) {
            let block = vec4<f32>(
                logitOrNone(rowOffset, col, sliceEnd),
                logitOrNone(rowOffset, col + ${step}, sliceEnd),
                logitOrNone(rowOffset, col + ${2 * step}, sliceEnd),
                logitOrNone(rowOffset, col + ${3 * step}, sliceEnd));
            sawNaN = sawNaN || any(isnanVec4(block));
            let newMax = max(runningMax,
                max(max(block.x, block.y), max(block.z, block.w)));
            let shift = max(newMax, LOWEST_FLOAT);
            sumExp = sumExp * exp(runningMax - shift) +
                dot(exp(block - shift), vec4<f32>(1.0));
            runningMax = newMax;
          }
          let partial = select(vec2<f32>(runningMax, sumExp),
                               vec2<f32>(uniforms.NAN, 0.0), sawNaN);
          ${reduceWorkgroup('mergeMaxSumExp')}
          if (thread == 0) {
            result[2 * task] = partialsShared[0].x;
            result[2 * task + 1] = partialsShared[0].y;
          }
          workgroupBarrier();`)}
      }
    `;
  }
}

/** Which per-row result `MergeSlicesProgram` writes. */
export enum MergedOutput {
  ROW_MAX = 0,
  LOG_SUM_EXP = 1,
}

/**
 * Merges each row's slice pairs from `SliceMaxSumExpProgram` into one
 * `[numRows, 1]` result, `rowMax` or `logSumExp = log(sumExp)` as the
 * `mergedOutput` uniform says (one pipeline for both). A row whose maximum is
 * not finite gets the placeholder logSumExp 0, as on WebGL.
 */
export class MergeSlicesProgram extends SliceProgram {
  variableNames = ['pairs'];
  shaderKey = 'sparseXentMergeSlices';
  override uniforms = `${SLICE_UNIFORMS} mergedOutput : i32,`;

  constructor(layout: SliceLayout) {
    super([layout.numRows, 1], workgroupsFor(layout.numRows));
  }

  getUserCode(): string {
    return `
      ${WORKGROUP_TASK_VARIABLES}
      ${partialsShared('vec2<f32>')}
      ${MERGE_MAX_SUM_EXP}

      fn main(index : i32) {
        let thread = i32(localIndex);
        ${forEachWorkgroupTask('uniforms.numRows', `
          let row = task;
          var partial = vec2<f32>(-uniforms.INFINITY, 0.0);
          for (var sliceIndex = thread; sliceIndex < uniforms.slicesPerRow;
               sliceIndex += ${WORKGROUP_SIZE}) {
            let pair = 2 * (row * uniforms.slicesPerRow + sliceIndex);
            partial = mergeMaxSumExp(
                partial, vec2<f32>(pairs[pair], pairs[pair + 1]));
          }
          ${reduceWorkgroup('mergeMaxSumExp')}
          if (thread == 0) {
            let rowMax = partialsShared[0].x;
            let finite = !isnan(rowMax) && !isinf(rowMax);
            let logSumExp = select(0.0, log(partialsShared[0].y), finite);
            result[row] = select(logSumExp, rowMax,
                                 uniforms.mergedOutput == ${MergedOutput.ROW_MAX});
          }
          workgroupBarrier();`)}
      }
    `;
  }
}

/**
 * Per slice, `sum_j x_j * y_j` of two `[numRows, numClasses]` tensors.
 * Output `[numRows * slicesPerRow]`, the row's sum when a row is one slice;
 * else `MergeSumsProgram` adds each row's slices.
 */
export class SliceDotProgram extends SliceProgram {
  variableNames = ['x', 'y'];
  shaderKey = 'sparseXentSliceDot';

  constructor(layout: SliceLayout) {
    super([layout.numRows * layout.slicesPerRow], sliceWorkgroups(layout));
  }

  getUserCode(): string {
    return `
      ${WORKGROUP_TASK_VARIABLES}
      ${partialsShared('f32')}

      fn add(a : f32, b : f32) -> f32 {
        return a + b;
      }

      fn main(index : i32) {
        ${forEachSlice(`
          var partial = 0.0;
          for (var col = sliceStart + thread; col < sliceEnd;
               col += ${WORKGROUP_SIZE}) {
            partial += x[rowOffset + col] * y[rowOffset + col];
          }
          ${reduceWorkgroup('add')}
          if (thread == 0) {
            result[task] = partialsShared[0];
          }
          workgroupBarrier();`)}
      }
    `;
  }
}

/** Adds each row's `slicesPerRow` partial sums: `[numRows, 1]`. */
export class MergeSumsProgram extends SliceProgram {
  variableNames = ['partialSums'];
  shaderKey = 'sparseXentMergeSums';

  constructor(layout: SliceLayout) {
    super([layout.numRows, 1], workgroupsFor(layout.numRows));
  }

  getUserCode(): string {
    return `
      ${WORKGROUP_TASK_VARIABLES}
      ${partialsShared('f32')}

      fn add(a : f32, b : f32) -> f32 {
        return a + b;
      }

      fn main(index : i32) {
        let thread = i32(localIndex);
        ${forEachWorkgroupTask('uniforms.numRows', `
          var partial = 0.0;
          for (var sliceIndex = thread; sliceIndex < uniforms.slicesPerRow;
               sliceIndex += ${WORKGROUP_SIZE}) {
            partial += partialSums[task * uniforms.slicesPerRow + sliceIndex];
          }
          ${reduceWorkgroup('add')}
          if (thread == 0) {
            result[task] = partialsShared[0];
          }
          workgroupBarrier();`)}
      }
    `;
  }
}
