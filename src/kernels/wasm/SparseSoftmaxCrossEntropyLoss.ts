import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';
import type {TensorInfo} from '@tensorflow/tfjs-core';

import {SparseSoftmaxCrossEntropyLoss, SparseSoftmaxCrossEntropyLossAttrs, SparseSoftmaxCrossEntropyWithLogitsInputs} from '../../kernel_names.js';
import {runFallbackKernel} from '../../fallback_kernels.js';
import {kernelConfig} from '../kernel_config.js';
import {heapOffset, rowPassesFor} from './heap_row_passes.js';
import {checkLabels} from './SparseSoftmaxCrossEntropyWithLogits.js';

/**
 * The loss-only kernel on wasm, in place: labels checked as in the forward
 * kernel, then per row `loss`, `rowMax` and `logSumExp` (and with
 * `predictions` the int32 `predicted`), the logits read capped with
 * `softcap`; nothing of the logits' size is written.
 */
export function sparseSoftmaxCrossEntropyLossWasm(args: {
  inputs: SparseSoftmaxCrossEntropyWithLogitsInputs,
  backend: BackendWasm,
  attrs?: SparseSoftmaxCrossEntropyLossAttrs,
}): TensorInfo[] {
  const {inputs: {features, labels}, backend,
    attrs: {softcap, predictions} = {}} = args;
  const rowPasses = rowPassesFor(backend);
  if (rowPasses == null) {
    return runFallbackKernel(SparseSoftmaxCrossEntropyLoss, args) as
        TensorInfo[];
  }
  const [batch, numClasses] = features.shape;
  checkLabels(rowPasses, backend, labels, numClasses);
  const loss = backend.makeOutput([batch], 'float32');
  const rowMax = backend.makeOutput([batch, 1], 'float32');
  const logSumExp = backend.makeOutput([batch, 1], 'float32');
  const predicted =
      predictions ? backend.makeOutput([batch], 'int32') : undefined;
  rowPasses.lossForward(heapOffset(backend, features),
      heapOffset(backend, labels), heapOffset(backend, loss),
      heapOffset(backend, rowMax), heapOffset(backend, logSumExp), batch,
      numClasses, rowPasses.expConstants,
      predicted == null ? 0 : heapOffset(backend, predicted), softcap ?? 0);
  return predicted == null ? [loss, rowMax, logSumExp] :
                             [loss, rowMax, logSumExp, predicted];
}

export const sparseSoftmaxCrossEntropyLossWasmConfig = kernelConfig(
    SparseSoftmaxCrossEntropyLoss, 'wasm', sparseSoftmaxCrossEntropyLossWasm);
