import type {BackendValues, DataType, KernelBackend, KernelConfig, TensorInfo} from '@tensorflow/tfjs-core';

import {SparseSoftmaxCrossEntropyLoss, SparseSoftmaxCrossEntropyLossAttrs, SparseSoftmaxCrossEntropyLossGrad, SparseSoftmaxCrossEntropyWithLogits, SparseSoftmaxCrossEntropyWithLogitsGrad} from '../kernel_names.js';

import {kernelConfig} from './kernel_config.js';

/** What a GPU backend offers to make a tensor from values (webgl, webgpu). */
interface TensorInfoMaker {
  makeTensorInfo(shape: number[], dtype: DataType, values?: BackendValues):
      TensorInfo;
}

/**
 * Each kernel's outputs for `numClasses` classes and no rows: shapes, float32
 * but `predicted` (the loss kernel's fourth output with `predictions`).
 */
const EMPTY_OUTPUT_SHAPES: {[kernelName: string]: (numClasses: number,
    attrs?: SparseSoftmaxCrossEntropyLossAttrs) => number[][]} = {
  [SparseSoftmaxCrossEntropyWithLogits]: numClasses => [[0], [0, numClasses]],
  [SparseSoftmaxCrossEntropyWithLogitsGrad]: numClasses => [[0, numClasses]],
  [SparseSoftmaxCrossEntropyLoss]: (_, attrs) =>
      attrs?.predictions === true ? [[0], [0, 1], [0, 1], [0]] :
                                    [[0], [0, 1], [0, 1]],
  [SparseSoftmaxCrossEntropyLossGrad]: numClasses => [[0, numClasses]],
};

/** What a GPU kernel function takes: the loss kernels also take attrs. */
interface KernelArgs<Inputs, Backend> {
  inputs: Inputs;
  backend: Backend;
  attrs?: SparseSoftmaxCrossEntropyLossAttrs;
}

/**
 * `kernelConfig` for a GPU kernel (webgl, webgpu): for an empty batch the
 * kernel returns empty float32 outputs without running `kernelFunc`
 * (tfjs's GPU backends cannot dispatch a program over no elements), int32
 * for `predicted`.
 */
export function gpuKernelConfig<
    Inputs extends {features?: TensorInfo, backprop?: TensorInfo},
    Backend extends KernelBackend & TensorInfoMaker,
    Outputs extends TensorInfo|TensorInfo[]>(
    kernelName: string, backendName: 'webgl'|'webgpu',
    kernelFunc: (args: KernelArgs<Inputs, Backend>) => Outputs):
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
    kernelFunc: (args: KernelArgs<Inputs, Backend>) => Outputs):
    (args: KernelArgs<Inputs, Backend>) => Outputs {
  const emptyShapes = EMPTY_OUTPUT_SHAPES[kernelName];
  return function runUnlessEmpty(args) {
    const {inputs: {features, backprop}, backend, attrs} = args;
    const [batch, numClasses] = (features ?? backprop as TensorInfo).shape;
    if (batch !== 0) {
      return kernelFunc(args);
    }
    const outputs = emptyShapes(numClasses, attrs).map((shape, i) =>
        i === 3 ? backend.makeTensorInfo(shape, 'int32', new Int32Array(0)) :
                  backend.makeTensorInfo(shape, 'float32', new Float32Array(0)));
    return (outputs.length === 1 ? outputs[0] : outputs) as Outputs;
  };
}
