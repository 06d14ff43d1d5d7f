import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';
import type {TensorInfo} from '@tensorflow/tfjs-core';

import {SparseSoftmaxCrossEntropyLossAttrs, SparseSoftmaxCrossEntropyLossGrad, SparseSoftmaxCrossEntropyLossGradInputs} from '../../kernel_names.js';
import {runFallbackKernel} from '../../fallback_kernels.js';
import {kernelConfig} from '../kernel_config.js';
import {heapOffset, rowPassesFor} from './heap_row_passes.js';

/**
 * The loss-only gradient kernel on wasm, in place: one pass that rebuilds
 * the softmax from `rowMax` and `logSumExp` as it writes `dFeatures`, the
 * logits read capped with `softcap`.
 */
export function sparseSoftmaxCrossEntropyLossGradWasm(args: {
  inputs: SparseSoftmaxCrossEntropyLossGradInputs,
  backend: BackendWasm,
  attrs?: SparseSoftmaxCrossEntropyLossAttrs,
}): TensorInfo {
  const {
    inputs: {features, labels, rowMax, logSumExp, dLoss, dLogSumExp},
    backend,
    attrs: {softcap} = {},
  } = args;
  const rowPasses = rowPassesFor(backend);
  if (rowPasses == null) {
    return runFallbackKernel(SparseSoftmaxCrossEntropyLossGrad, args) as
        TensorInfo;
  }
  const [batch, numClasses] = features.shape;
  const dFeatures = backend.makeOutput([batch, numClasses], 'float32');
  rowPasses.lossGrad(heapOffset(backend, features), heapOffset(backend, labels),
      heapOffset(backend, rowMax), heapOffset(backend, logSumExp),
      heapOffset(backend, dLoss), heapOffset(backend, dLogSumExp),
      heapOffset(backend, dFeatures), batch, numClasses,
      rowPasses.expConstants, softcap ?? 0);
  return dFeatures;
}

export const sparseSoftmaxCrossEntropyLossGradWasmConfig = kernelConfig(
    SparseSoftmaxCrossEntropyLossGrad, 'wasm',
    sparseSoftmaxCrossEntropyLossGradWasm);
