import type {WebGPUBackend} from '@tensorflow/tfjs-backend-webgpu';
import type {TensorInfo} from '@tensorflow/tfjs-core';

import {rowMaxAndLogSumExp} from './row_reduce.js';
import {LogitReading, RowLayout} from './row_reduce_webgpu.js';
import {runFlatProgram} from './run_program.js';
import {SoftmaxCrossEntropyLossProgram} from './softmax_cross_entropy_webgpu.js';

/**
 * What both forward kernels compute first: each row's `rowMax` and
 * `logSumExp` (`[numRows, 1]`, a split row reduction) and from them `loss`
 * (`[numRows]`, one thread per row; NaN for a label outside
 * `[0, numClasses)`). The caller owns all three, and with
 * `reading.withIndex` `predicted` (see `rowMaxAndLogSumExp`); with
 * `reading.softcap` every program reads the logits capped.
 */
export function lossAndRowResults(
    backend: WebGPUBackend, features: TensorInfo, labels: TensorInfo,
    layout: RowLayout, reading: LogitReading = {}): {
  loss: TensorInfo, rowMax: TensorInfo, logSumExp: TensorInfo,
  predicted?: TensorInfo,
} {
  const {rowMax, logSumExp, predicted} =
      rowMaxAndLogSumExp(backend, features, layout, reading);
  const loss = runFlatProgram(
      backend, new SoftmaxCrossEntropyLossProgram(layout, reading.softcap),
      [features, labels, rowMax, logSumExp]);
  return {loss, rowMax, logSumExp, predicted};
}
