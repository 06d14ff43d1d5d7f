import type {KernelBackend, TensorInfo} from '@tensorflow/tfjs-core';

import {SparseSoftmaxCrossEntropyWithLogitsGrad, SparseSoftmaxCrossEntropyWithLogitsGradInputs} from '../../kernel_names.js';
import {sparseSoftmaxCrossEntropyWithLogitsGradImpl} from '../SparseSoftmaxCrossEntropyWithLogits_impl.js';
import {kernelConfig} from '../kernel_config.js';
import {backendValues, writeFloat32} from './backend_values.js';
import {copiedGrad} from '../row_passes/copied_row_passes.js';

/**
 * The fused gradient kernel over TypedArrays (backends and wasm row passes
 * as the forward's).
 */
export function sparseSoftmaxCrossEntropyWithLogitsGradCpu(args: {
  inputs: SparseSoftmaxCrossEntropyWithLogitsGradInputs,
  backend: KernelBackend,
}): TensorInfo {
  const {inputs: {backprop, labels, dLoss, dBackprop}, backend} = args;
  const [batch, numClasses] = backprop.shape;
  const values = [
    backendValues(backend, backprop, Float32Array),
    backendValues(backend, labels, Int32Array),
    backendValues(backend, dLoss, Float32Array),
    dBackprop && backendValues(backend, dBackprop, Float32Array), batch,
    numClasses,
  ] as const;
  const dFeatures = copiedGrad(...values) ??
      sparseSoftmaxCrossEntropyWithLogitsGradImpl(...values);
  return writeFloat32(backend, [batch, numClasses], dFeatures);
}

export const sparseSoftmaxCrossEntropyWithLogitsGradCpuConfig = kernelConfig(
    SparseSoftmaxCrossEntropyWithLogitsGrad, 'cpu',
    sparseSoftmaxCrossEntropyWithLogitsGradCpu);
