import type {WebGPUBackend} from '@tensorflow/tfjs-backend-webgpu';
import type {TensorInfo} from '@tensorflow/tfjs-core';

import {MergedOutput, MergeSlicesProgram, MergeSumsProgram, SliceDotProgram, SliceLayout, SliceMaxSumExpProgram, sliceUniformValues} from './row_reduce_webgpu.js';
import {intUniforms, runFlatProgram} from './run_program.js';

/**
 * Per row of `features` `[numRows, numClasses]`: `rowMax` and
 * `logSumExp = log(sum_j exp(x_j - rowMax))`, both `[numRows, 1]`. One pass
 * reads the logits and writes a `(max, sumExp)` pair per slice; one small
 * merge program per result then combines each row's pairs.
 */
export function rowMaxAndLogSumExp(
    backend: WebGPUBackend, features: TensorInfo,
    layout: SliceLayout): {rowMax: TensorInfo, logSumExp: TensorInfo} {
  const uniforms = sliceUniformValues(layout);
  const pairs = runFlatProgram(
      backend, new SliceMaxSumExpProgram(layout), [features],
      [layout.numRows * layout.slicesPerRow * 2], intUniforms(...uniforms));
  const merge = (output: MergedOutput) => runFlatProgram(
      backend, new MergeSlicesProgram(layout), [pairs], [layout.numRows, 1],
      intUniforms(...uniforms, output));
  const rowMax = merge(MergedOutput.ROW_MAX);
  const logSumExp = merge(MergedOutput.LOG_SUM_EXP);
  backend.disposeData(pairs.dataId);
  return {rowMax, logSumExp};
}

/**
 * Per row, `sum_j x_j * y_j` of two `[numRows, numClasses]` tensors,
 * `[numRows]` (read flat): one pass of sums per slice, merged when a row
 * has several.
 */
export function rowDot(
    backend: WebGPUBackend, x: TensorInfo, y: TensorInfo,
    layout: SliceLayout): TensorInfo {
  const uniforms = intUniforms(...sliceUniformValues(layout));
  const sums = runFlatProgram(
      backend, new SliceDotProgram(layout), [x, y],
      [layout.numRows * layout.slicesPerRow], uniforms);
  if (layout.slicesPerRow === 1) {
    return sums;
  }
  const rowSums = runFlatProgram(
      backend, new MergeSumsProgram(layout), [sums], [layout.numRows],
      uniforms);
  backend.disposeData(sums.dataId);
  return rowSums;
}
