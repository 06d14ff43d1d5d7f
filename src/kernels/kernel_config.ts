import type {KernelBackend, KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';

/**
 * A KernelConfig from a kernel function typed with its own inputs and
 * backend: the one place those types are widened to tfjs's generic KernelFunc.
 */
export function kernelConfig<Inputs, Backend extends KernelBackend>(
    kernelName: string, backendName: string,
    kernelFunc: (args: {inputs: Inputs, backend: Backend}) =>
        TensorInfo | TensorInfo[]): KernelConfig {
  return {
    kernelName,
    backendName,
    kernelFunc: kernelFunc as unknown as KernelFunc,
  };
}
