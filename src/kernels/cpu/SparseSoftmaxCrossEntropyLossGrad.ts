import type {KernelBackend, TensorInfo} from '@tensorflow/tfjs-core';

import {SparseSoftmaxCrossEntropyLossAttrs, SparseSoftmaxCrossEntropyLossGrad, SparseSoftmaxCrossEntropyLossGradInputs} from '../../kernel_names.js';
import {sparseSoftmaxCrossEntropyLossGradImpl} from '../SparseSoftmaxCrossEntropyLoss_impl.js';
import {kernelConfig} from '../kernel_config.js';
import {backendValues, writeFloat32} from './backend_values.js';
import {copiedLossGrad} from '../row_passes/copied_row_passes.js';

/**
 * The loss-only gradient kernel over TypedArrays (backends as the
 * forward's), its `softcap` passed on.
 */
export function sparseSoftmaxCrossEntropyLossGradCpu(args: {
  inputs: SparseSoftmaxCrossEntropyLossGradInputs,
  backend: KernelBackend,
  attrs?: SparseSoftmaxCrossEntropyLossAttrs,
}): TensorInfo {
  const {
    inputs: {features, labels, rowMax, logSumExp, dLoss, dLogSumExp},
    backend,
    attrs: {softcap} = {},
  } = args;
  const [batch, numClasses] = features.shape;
  const values = [
    backendValues(backend, features, Float32Array),
    backendValues(backend, labels, Int32Array),
    backendValues(backend, rowMax, Float32Array),
    backendValues(backend, logSumExp, Float32Array),
    backendValues(backend, dLoss, Float32Array),
    backendValues(backend, dLogSumExp, Float32Array), batch, numClasses,
    softcap,
  ] as const;
  const dFeatures = copiedLossGrad(...values) ??
      sparseSoftmaxCrossEntropyLossGradImpl(...values);
  return writeFloat32(backend, [batch, numClasses], dFeatures);
}

export const sparseSoftmaxCrossEntropyLossGradCpuConfig = kernelConfig(
    SparseSoftmaxCrossEntropyLossGrad, 'cpu',
    sparseSoftmaxCrossEntropyLossGradCpu);
