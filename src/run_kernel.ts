import {engine, NamedTensorMap, Tensor, TensorInfo} from '@tensorflow/tfjs-core';

/**
 * `engine().runKernel` with typed inputs and a multi-output result: the one
 * place the kernels' TensorInfo inputs are cast to the engine's tensor map.
 */
export function runKernel<Inputs extends {[name: string]: TensorInfo}>(
    kernelName: string, inputs: Inputs): Tensor[] {
  const outputs = engine().runKernel(
      kernelName, inputs as unknown as NamedTensorMap);
  return Array.isArray(outputs) ? outputs : [outputs];
}
