import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';
import type {TensorInfo} from '@tensorflow/tfjs-core';

import {SparseSoftmaxCrossEntropyWithLogitsGrad, SparseSoftmaxCrossEntropyWithLogitsGradInputs} from '../../kernel_names.js';
import {sparseSoftmaxCrossEntropyWithLogitsGradImpl} from '../SparseSoftmaxCrossEntropyWithLogits_impl.js';
import {kernelConfig} from '../kernel_config.js';
import {cpuValues} from './cpu_values.js';

export function sparseSoftmaxCrossEntropyWithLogitsGradCpu(args: {
  inputs: SparseSoftmaxCrossEntropyWithLogitsGradInputs,
  backend: MathBackendCPU,
}): TensorInfo {
  const {inputs: {backprop, labels, dLoss, dBackprop}, backend} = args;
  const [batch, numClasses] = backprop.shape;
  const dFeatures = sparseSoftmaxCrossEntropyWithLogitsGradImpl(
      cpuValues(backend, backprop, Float32Array),
      cpuValues(backend, labels, Int32Array),
      cpuValues(backend, dLoss, Float32Array),
      cpuValues(backend, dBackprop, Float32Array), batch, numClasses);
  return backend.makeTensorInfo([batch, numClasses], 'float32', dFeatures);
}

export const sparseSoftmaxCrossEntropyWithLogitsGradCpuConfig =
    kernelConfig(SparseSoftmaxCrossEntropyWithLogitsGrad, 'cpu', sparseSoftmaxCrossEntropyWithLogitsGradCpu);
