import type {WebGPUBackend} from '@tensorflow/tfjs-backend-webgpu';
import type {TensorInfo} from '@tensorflow/tfjs-core';

import {rowMaxAndLogSumExp} from './row_reduce.js';
import {RowLayout} from './row_reduce_webgpu.js';
import {runFlatProgram} from './run_program.js';
import {SoftmaxCrossEntropyLossProgram} from './softmax_cross_entropy_webgpu.js';

/**
 * What both forward kernels compute first: each row's `rowMax` and
 * `logSumExp` (`[numRows, 1]`, a split row reduction) and from them `loss`
 * (`[numRows]`, one thread per row; NaN for a label outside
 * `[0, numClasses)`). The caller owns all three.
 */
export function lossAndRowResults(
    backend: WebGPUBackend, features: TensorInfo, labels: TensorInfo,
    layout: RowLayout):
    {loss: TensorInfo, rowMax: TensorInfo, logSumExp: TensorInfo} {
  const {rowMax, logSumExp} = rowMaxAndLogSumExp(backend, features, layout);
  const loss = runFlatProgram(
      backend, new SoftmaxCrossEntropyLossProgram(layout),
      [features, labels, rowMax, logSumExp]);
  return {loss, rowMax, logSumExp};
}
