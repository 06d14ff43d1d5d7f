import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';
import {TensorInfo, util} from '@tensorflow/tfjs-core';

import {SparseSoftmaxCrossEntropyWithLogitsGrad, SparseSoftmaxCrossEntropyWithLogitsGradAttrs, SparseSoftmaxCrossEntropyWithLogitsGradInputs} from '../../kernel_names.js';
import {runFallbackKernel} from '../../fallback_kernels.js';
import {kernelConfig} from '../kernel_config.js';
import {heapOffset, rowPassesFor} from './heap_row_passes.js';

/**
 * The fused gradient kernel on wasm, in place: one pass,
 * `dLoss[:, None] * backprop`, when `dBackprop` is absent or all zeros
 * (checked in the heap), else the full formula (`kernel_names.ts`), with
 * `dLogSumExp` (if any) in the same pass. With
 * `backpropReusable` and no `dBackprop`, that pass writes over `backprop`
 * and returns its data.
 */
export function sparseSoftmaxCrossEntropyWithLogitsGradWasm(args: {
  inputs: SparseSoftmaxCrossEntropyWithLogitsGradInputs,
  backend: BackendWasm,
  attrs?: SparseSoftmaxCrossEntropyWithLogitsGradAttrs,
}): TensorInfo {
  const {inputs: {backprop, labels, dLoss, dBackprop, dLogSumExp}, backend} =
      args;
  const rowPasses = rowPassesFor(backend);
  if (rowPasses == null) {
    return runFallbackKernel(SparseSoftmaxCrossEntropyWithLogitsGrad, args) as
        TensorInfo;
  }
  const [batch, numClasses] = backprop.shape;
  const upstream = dBackprop == null ? 0 : heapOffset(backend, dBackprop);
  const hasUpstream = dBackprop != null &&
      !rowPasses.isAllZero(upstream, util.sizeFromShape(dBackprop.shape));
  const reuse = args.attrs?.backpropReusable === true && dBackprop == null;
  if (reuse) {
    // The caller's saved handle and the result share the data.
    backend.incRef(backprop.dataId);
  }
  const dFeatures = reuse ? {...backprop} :
                            backend.makeOutput([batch, numClasses], 'float32');
  rowPasses.backpropGrad(heapOffset(backend, backprop),
      heapOffset(backend, labels), heapOffset(backend, dLoss), upstream,
      hasUpstream, heapOffset(backend, dFeatures), batch, numClasses,
      dLogSumExp == null ? 0 : heapOffset(backend, dLogSumExp));
  return dFeatures;
}

export const sparseSoftmaxCrossEntropyWithLogitsGradWasmConfig = kernelConfig(
    SparseSoftmaxCrossEntropyWithLogitsGrad, 'wasm',
    sparseSoftmaxCrossEntropyWithLogitsGradWasm);
