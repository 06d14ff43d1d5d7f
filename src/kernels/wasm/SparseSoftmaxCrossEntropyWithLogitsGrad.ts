import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';
import {TensorInfo, util} from '@tensorflow/tfjs-core';

import {SparseSoftmaxCrossEntropyWithLogitsGrad, SparseSoftmaxCrossEntropyWithLogitsGradInputs} from '../../kernel_names.js';
import {runFallbackKernel} from '../../fallback_kernels.js';
import {kernelConfig} from '../kernel_config.js';
import {heapOffset, rowPassesFor} from './heap_row_passes.js';

/**
 * The fused gradient kernel on wasm, in place: one pass,
 * `dLoss[:, None] * backprop`, when `dBackprop` is absent or all zeros
 * (checked in the heap), else the full formula (`kernel_names.ts`).
 */
export function sparseSoftmaxCrossEntropyWithLogitsGradWasm(args: {
  inputs: SparseSoftmaxCrossEntropyWithLogitsGradInputs,
  backend: BackendWasm,
}): TensorInfo {
  const {inputs: {backprop, labels, dLoss, dBackprop}, backend} = args;
  const rowPasses = rowPassesFor(backend);
  if (rowPasses == null) {
    return runFallbackKernel(SparseSoftmaxCrossEntropyWithLogitsGrad, args) as
        TensorInfo;
  }
  const [batch, numClasses] = backprop.shape;
  const upstream = dBackprop == null ? 0 : heapOffset(backend, dBackprop);
  const hasUpstream = dBackprop != null &&
      !rowPasses.isAllZero(upstream, util.sizeFromShape(dBackprop.shape));
  const dFeatures = backend.makeOutput([batch, numClasses], 'float32');
  rowPasses.backpropGrad(heapOffset(backend, backprop),
      heapOffset(backend, labels), heapOffset(backend, dLoss), upstream,
      hasUpstream, heapOffset(backend, dFeatures), batch, numClasses);
  return dFeatures;
}

export const sparseSoftmaxCrossEntropyWithLogitsGradWasmConfig = kernelConfig(
    SparseSoftmaxCrossEntropyWithLogitsGrad, 'wasm',
    sparseSoftmaxCrossEntropyWithLogitsGradWasm);
