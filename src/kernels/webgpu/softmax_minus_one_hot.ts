import type {WebGPUBackend} from '@tensorflow/tfjs-backend-webgpu';
import type {TensorInfo} from '@tensorflow/tfjs-core';

import {LossUpstream} from '../gpu_row_terms.js';
import {RowLayout} from './row_reduce_webgpu.js';
import {runFlatProgram} from './run_program.js';
import {RowTermsProgram, ScaledSoftmaxMinusOneHotProgram} from './softmax_cross_entropy_webgpu.js';

/**
 * `softmax - onehot(labels)` (`backprop`) from the logits and their row
 * results, or with `upstream` the loss kernel's gradient
 * `(dLoss + dLogSumExp) * softmax - dLoss * onehot`: a one-thread-per-row
 * program gathers each row's terms, then one pass over the logits writes
 * the result. A label outside `[0, numClasses)` gives a NaN row. With
 * `softcap` the logits are read capped and the result carries the cap's
 * slope (`gpu_softcap.ts`); `rowMax` and `logSumExp` are the capped rows'.
 */
export function softmaxMinusOneHot(
    backend: WebGPUBackend, features: TensorInfo, labels: TensorInfo,
    rowMax: TensorInfo, logSumExp: TensorInfo, layout: RowLayout,
    upstream?: LossUpstream, softcap?: number): TensorInfo {
  const rowInputs = [labels, rowMax, logSumExp];
  if (upstream != null) {
    rowInputs.push(upstream.dLoss, upstream.dLogSumExp);
  }
  const rowTerms = runFlatProgram(
      backend, new RowTermsProgram(layout, upstream != null), rowInputs);
  const result = runFlatProgram(
      backend, new ScaledSoftmaxMinusOneHotProgram(layout, softcap),
      [features, rowTerms]);
  backend.disposeData(rowTerms.dataId);
  return result;
}
