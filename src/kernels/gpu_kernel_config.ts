import type {BackendValues, DataType, KernelBackend, KernelConfig, TensorInfo} from '@tensorflow/tfjs-core';

import {SparseSoftmaxCrossEntropyLoss, SparseSoftmaxCrossEntropyLossGrad, SparseSoftmaxCrossEntropyWithLogits, SparseSoftmaxCrossEntropyWithLogitsGrad} from '../kernel_names.js';

import {kernelConfig} from './kernel_config.js';

/** What a GPU backend offers to make a tensor from values (webgl, webgpu). */
interface TensorInfoMaker {
  makeTensorInfo(shape: number[], dtype: DataType, values?: BackendValues):
      TensorInfo;
}

/** Each kernel's output shapes for `numClasses` classes and no rows. */
const EMPTY_OUTPUT_SHAPES: {[kernelName: string]: (numClasses: number) =>
    number[][]} = {
  [SparseSoftmaxCrossEntropyWithLogits]: numClasses => [[0], [0, numClasses]],
  [SparseSoftmaxCrossEntropyWithLogitsGrad]: numClasses => [[0, numClasses]],
  [SparseSoftmaxCrossEntropyLoss]: () => [[0], [0, 1], [0, 1]],
  [SparseSoftmaxCrossEntropyLossGrad]: numClasses => [[0, numClasses]],
};

/**
 * `kernelConfig` for a GPU kernel (webgl, webgpu): for an empty batch the
 * kernel returns empty float32 outputs without running `kernelFunc`
 * (tfjs's GPU backends cannot dispatch a program over no elements).
 */
export function gpuKernelConfig<
    Inputs extends {features?: TensorInfo, backprop?: TensorInfo},
    Backend extends KernelBackend & TensorInfoMaker,
    Outputs extends TensorInfo|TensorInfo[]>(
    kernelName: string, backendName: 'webgl'|'webgpu',
    kernelFunc: (args: {inputs: Inputs, backend: Backend}) => Outputs):
    KernelConfig {
  return kernelConfig<Inputs, Backend>(kernelName, backendName,
      skippingEmptyBatches(kernelName, kernelFunc));
}

/**
 * Every kernel's first `[batch, numClasses]` input is `features` or, for
 * the op's gradient, `backprop`.
 */
function skippingEmptyBatches<
    Inputs extends {features?: TensorInfo, backprop?: TensorInfo},
    Backend extends KernelBackend & TensorInfoMaker,
    Outputs extends TensorInfo|TensorInfo[]>(
    kernelName: string,
    kernelFunc: (args: {inputs: Inputs, backend: Backend}) => Outputs):
    (args: {inputs: Inputs, backend: Backend}) => Outputs {
  const emptyShapes = EMPTY_OUTPUT_SHAPES[kernelName];
  return function runUnlessEmpty(args) {
    const {inputs: {features, backprop}, backend} = args;
    const [batch, numClasses] = (features ?? backprop as TensorInfo).shape;
    if (batch !== 0) {
      return kernelFunc(args);
    }
    const outputs = emptyShapes(numClasses).map(shape =>
        backend.makeTensorInfo(shape, 'float32', new Float32Array(0)));
    return (outputs.length === 1 ? outputs[0] : outputs) as Outputs;
  };
}
