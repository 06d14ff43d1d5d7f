import type {WebGPUBackend} from '@tensorflow/tfjs-backend-webgpu';
import type {TensorInfo} from '@tensorflow/tfjs-core';

import {LaneDotProgram, LaneMaxSumExpProgram, LogitReading, MergedOutput, MergeLanesProgram, MergeSumsProgram, RowLayout} from './row_reduce_webgpu.js';
import {runFlatProgram} from './run_program.js';

/**
 * Per row of `features` `[numRows, numClasses]`: `rowMax` and
 * `logSumExp = log(sum_j exp(x_j - rowMax))`, both `[numRows, 1]`. One pass
 * reads the logits and writes a `(max, sumExp)` pair per lane (a thread's
 * share of a row); one small merge program per result then combines each
 * row's pairs.
 *
 * `reading` (`LogitReading`): `softcap` reads the logits capped (a
 * uniform); `withIndex` carries each maximum's first column through both
 * programs, and a third merge writes `predicted`, int32 `[numRows]`.
 */
export function rowMaxAndLogSumExp(
    backend: WebGPUBackend, features: TensorInfo, layout: RowLayout,
    reading: LogitReading = {}):
    {rowMax: TensorInfo, logSumExp: TensorInfo, predicted?: TensorInfo} {
  const withIndex = reading.withIndex === true;
  const pairs = runFlatProgram(
      backend, new LaneMaxSumExpProgram(layout, reading), [features]);
  const merge = (output: MergedOutput) => runFlatProgram(
      backend, new MergeLanesProgram(layout, output, withIndex), [pairs],
      output === MergedOutput.PREDICTED ? 'int32' : 'float32');
  const rowMax = merge(MergedOutput.ROW_MAX);
  const logSumExp = merge(MergedOutput.LOG_SUM_EXP);
  const predicted = withIndex ? merge(MergedOutput.PREDICTED) : undefined;
  backend.disposeData(pairs.dataId);
  return {rowMax, logSumExp, predicted};
}

/**
 * Per row, `sum_j x_j * y_j` of two `[numRows, numClasses]` tensors,
 * `[numRows]` (read flat): one pass of sums per lane, merged when a row
 * has several.
 */
export function rowDot(
    backend: WebGPUBackend, x: TensorInfo, y: TensorInfo,
    layout: RowLayout): TensorInfo {
  const sums = runFlatProgram(backend, new LaneDotProgram(layout), [x, y]);
  if (layout.lanesPerRow === 1) {
    return sums;
  }
  const rowSums =
      runFlatProgram(backend, new MergeSumsProgram(layout), [sums]);
  backend.disposeData(sums.dataId);
  return rowSums;
}
