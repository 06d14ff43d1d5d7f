import {engine, getBackend, getKernel, NamedAttrMap, NamedTensorMap, Tensor, TensorInfo} from '@tensorflow/tfjs-core';

import {ensureKernelsFor} from './fallback_kernels.js';

/**
 * `engine().runKernel` with typed inputs and a multi-output result: the one
 * place the kernels' TensorInfo inputs are cast to the engine's tensor map,
 * and the one place a kernel of ours is made available on the active
 * backend (`ensureKernelsFor`), so "Kernel not registered" never reaches
 * users whatever backend runs.
 */
export function runKernel<Inputs extends {[name: string]: TensorInfo}>(
    kernelName: string, inputs: Inputs, attrs?: object): Tensor[] {
  ensureKernelsFor(getBackend());
  const outputs = engine().runKernel(kernelName,
      inputs as unknown as NamedTensorMap, attrs as NamedAttrMap|undefined);
  return Array.isArray(outputs) ? outputs : [outputs];
}

/**
 * Whether `runKernel(kernelName, ...)` runs a kernel on the active backend
 * (after `ensureKernelsFor`). False only for a gradient kernel on a backend
 * that has a forward kernel of its own but not that gradient: the gradients
 * then use tfjs ops.
 */
export function hasKernel(kernelName: string): boolean {
  const backendName = getBackend();
  ensureKernelsFor(backendName);
  return getKernel(kernelName, backendName) != null;
}
