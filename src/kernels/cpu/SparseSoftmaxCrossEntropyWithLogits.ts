import type {KernelBackend, TensorInfo} from '@tensorflow/tfjs-core';

import {invalidLabelError} from '../../errors.js';
import {SparseSoftmaxCrossEntropyWithLogits, SparseSoftmaxCrossEntropyWithLogitsAttrs, SparseSoftmaxCrossEntropyWithLogitsInputs} from '../../kernel_names.js';
import {findInvalidLabel, sparseSoftmaxCrossEntropyWithLogitsImpl} from '../SparseSoftmaxCrossEntropyWithLogits_impl.js';
import {kernelConfig} from '../kernel_config.js';
import {backendValues, writeFloat32} from './backend_values.js';
import {copiedForward} from '../row_passes/copied_row_passes.js';

/**
 * The forward kernel over TypedArrays: rejects out-of-range labels with
 * TensorFlow's CPU error before any output is allocated, then runs the
 * WebAssembly row passes on copies (`row_passes/copied_row_passes.ts`) or,
 * under their size threshold or without WebAssembly SIMD, the JavaScript
 * impl (both given the `softcap` attribute). It reads and writes through
 * the backend's public `readSync` and
 * `write`, which on `cpu` hand over the arrays themselves, so the same
 * kernel is also the fallback (`fallback_kernels.ts`): on a backend without
 * kernels of ours (a custom backend: a copy each way) and on wasm when its
 * heap is not found.
 */
export function sparseSoftmaxCrossEntropyWithLogitsCpu(args: {
  inputs: SparseSoftmaxCrossEntropyWithLogitsInputs,
  backend: KernelBackend,
  attrs?: SparseSoftmaxCrossEntropyWithLogitsAttrs,
}): TensorInfo[] {
  const {inputs: {features, labels}, backend} = args;
  const softcap = args.attrs?.softcap;
  const [batch, numClasses] = features.shape;
  const labelValues = backendValues(backend, labels, Int32Array);
  const badLabel = findInvalidLabel(labelValues, numClasses);
  if (badLabel !== undefined) {
    throw invalidLabelError(badLabel, numClasses, labelValues);
  }
  const featureValues = backendValues(backend, features, Float32Array);
  const {loss, backprop, logSumExp} =
      copiedForward(featureValues, labelValues, batch, numClasses, softcap) ??
      sparseSoftmaxCrossEntropyWithLogitsImpl(featureValues, labelValues,
          batch, numClasses, softcap);
  return [
    writeFloat32(backend, [batch], loss),
    writeFloat32(backend, [batch, numClasses], backprop),
    ...args.attrs?.logSumExp ? [writeFloat32(backend, [batch], logSumExp)] :
                               [],
  ];
}

export const sparseSoftmaxCrossEntropyWithLogitsCpuConfig = kernelConfig(
    SparseSoftmaxCrossEntropyWithLogits, 'cpu',
    sparseSoftmaxCrossEntropyWithLogitsCpu);
