import {getKernel, KernelBackend, KernelConfig, KernelFunc, registerKernel, TensorInfo} from '@tensorflow/tfjs-core';

import {sparseSoftmaxCrossEntropyLossCpuConfig} from './kernels/cpu/SparseSoftmaxCrossEntropyLoss.js';
import {sparseSoftmaxCrossEntropyLossGradCpuConfig} from './kernels/cpu/SparseSoftmaxCrossEntropyLossGrad.js';
import {sparseSoftmaxCrossEntropyWithLogitsCpuConfig} from './kernels/cpu/SparseSoftmaxCrossEntropyWithLogits.js';
import {sparseSoftmaxCrossEntropyWithLogitsGradCpuConfig} from './kernels/cpu/SparseSoftmaxCrossEntropyWithLogitsGrad.js';

/**
 * The fallback, the one thing this package calls by that name: the cpu
 * kernels (`kernels/cpu/`), which read and write through a backend's public
 * `readSync` and `write`, run on a backend whose own kernel of ours cannot:
 *
 * - a backend with no kernel of ours (a custom backend, whenever it was
 *   loaded; tfjs-node's `tensorflow` has its own, `kernels/tensorflow/`)
 *   gets them registered the first time a kernel of ours runs there
 *   (`ensureKernelsFor`, called by `runKernel`);
 * - the wasm kernels run them where they cannot find the backend's heap
 *   (`runFallbackKernel`; see `wasmHeap` in `tfjs_internals.ts`).
 */

/** Each forward kernel with its gradient kernel, as cpu has them. */
const TYPED_ARRAY_KERNEL_GROUPS: Array<[KernelConfig, ...KernelConfig[]]> = [
  [sparseSoftmaxCrossEntropyWithLogitsCpuConfig,
    sparseSoftmaxCrossEntropyWithLogitsGradCpuConfig],
  [sparseSoftmaxCrossEntropyLossCpuConfig,
    sparseSoftmaxCrossEntropyLossGradCpuConfig],
];

/**
 * Makes sure `backendName` can run the op: a backend with no forward
 * kernel of ours gets the cpu kernels (forward and gradient). A backend with
 * its own forward kernel (cpu, webgl, webgpu, wasm) is left alone: without
 * its own gradient kernel, the gradient uses tfjs ops, which suits a GPU
 * better than a read-back.
 */
export function ensureKernelsFor(backendName: string): void {
  for (const [forward, ...companions] of TYPED_ARRAY_KERNEL_GROUPS) {
    if (getKernel(forward.kernelName, backendName) != null) {
      continue;
    }
    for (const {kernelName, kernelFunc} of [forward, ...companions]) {
      if (getKernel(kernelName, backendName) == null) {
        registerKernel({kernelName, backendName, kernelFunc});
      }
    }
  }
}

/**
 * Runs the cpu kernel registered as `kernelName` on `args.backend` (whose
 * data it reads through `readSync`).
 */
export function runFallbackKernel(
    kernelName: string, args: {inputs: object, backend: KernelBackend}):
    TensorInfo|TensorInfo[] {
  const config = TYPED_ARRAY_KERNEL_GROUPS.flat().find(
      kernel => kernel.kernelName === kernelName);
  if (config == null) {
    throw new Error(`no fallback kernel named ${kernelName}`);
  }
  return config.kernelFunc(args as unknown as Parameters<KernelFunc>[0]);
}
