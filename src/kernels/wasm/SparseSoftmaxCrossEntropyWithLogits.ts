import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';
import type {TensorInfo} from '@tensorflow/tfjs-core';

import {invalidLabelError} from '../../errors.js';
import {SparseSoftmaxCrossEntropyWithLogits, SparseSoftmaxCrossEntropyWithLogitsAttrs, SparseSoftmaxCrossEntropyWithLogitsInputs} from '../../kernel_names.js';
import {findInvalidLabel} from '../SparseSoftmaxCrossEntropyWithLogits_impl.js';
import {runFallbackKernel} from '../../fallback_kernels.js';
import {kernelConfig} from '../kernel_config.js';
import {heapOffset, int32View, rowPassesFor} from './heap_row_passes.js';
import type {RowPasses} from '../row_passes/row_passes.js';

/**
 * The forward kernel on wasm, in place in the backend's heap: the labels are
 * checked through a view of the heap (TensorFlow's CPU error, before any
 * output is allocated), then the row passes write `loss` and `backprop`
 * (with `softcap`, through the cap) into outputs the backend allocated.
 * Nothing is copied out of the heap.
 */
export function sparseSoftmaxCrossEntropyWithLogitsWasm(args: {
  inputs: SparseSoftmaxCrossEntropyWithLogitsInputs,
  backend: BackendWasm,
  attrs?: SparseSoftmaxCrossEntropyWithLogitsAttrs,
}): TensorInfo[] {
  const {inputs: {features, labels}, backend} = args;
  const rowPasses = rowPassesFor(backend);
  if (rowPasses == null) {
    return runFallbackKernel(SparseSoftmaxCrossEntropyWithLogits, args) as
        TensorInfo[];
  }
  const [batch, numClasses] = features.shape;
  checkLabels(rowPasses, backend, labels, numClasses);
  const loss = backend.makeOutput([batch], 'float32');
  const backprop = backend.makeOutput([batch, numClasses], 'float32');
  const logSumExp = args.attrs?.logSumExp ?
      [backend.makeOutput([batch], 'float32')] : [];
  rowPasses.forward(heapOffset(backend, features), heapOffset(backend, labels),
      heapOffset(backend, loss), heapOffset(backend, backprop), batch,
      numClasses, rowPasses.expConstants,
      logSumExp.length === 0 ? 0 : heapOffset(backend, logSumExp[0]),
      args.attrs?.softcap ?? 0);
  return [loss, backprop, ...logSumExp];
}

/** Throws TensorFlow's CPU error for a label outside `[0, numClasses)`. */
export function checkLabels(rowPasses: RowPasses, backend: BackendWasm,
    labels: TensorInfo, numClasses: number): void {
  const labelValues = int32View(rowPasses, backend, labels);
  const badLabel = findInvalidLabel(labelValues, numClasses);
  if (badLabel !== undefined) {
    throw invalidLabelError(badLabel, numClasses, labelValues);
  }
}

export const sparseSoftmaxCrossEntropyWithLogitsWasmConfig = kernelConfig(
    SparseSoftmaxCrossEntropyWithLogits, 'wasm',
    sparseSoftmaxCrossEntropyWithLogitsWasm);
