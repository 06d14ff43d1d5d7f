import {getKernel, KernelConfig, registerKernel} from '@tensorflow/tfjs-core';

import {sparseSoftmaxCrossEntropyLossCpuConfig} from './kernels/cpu/SparseSoftmaxCrossEntropyLoss.js';
import {sparseSoftmaxCrossEntropyLossGradCpuConfig} from './kernels/cpu/SparseSoftmaxCrossEntropyLossGrad.js';
import {sparseSoftmaxCrossEntropyWithLogitsCpuConfig} from './kernels/cpu/SparseSoftmaxCrossEntropyWithLogits.js';
import {sparseSoftmaxCrossEntropyWithLogitsGradCpuConfig} from './kernels/cpu/SparseSoftmaxCrossEntropyWithLogitsGrad.js';

/**
 * Each forward kernel with its gradient kernel, as the cpu backend has them.
 */
const TYPED_ARRAY_KERNEL_GROUPS: Array<[KernelConfig, ...KernelConfig[]]> = [
  [sparseSoftmaxCrossEntropyWithLogitsCpuConfig,
    sparseSoftmaxCrossEntropyWithLogitsGradCpuConfig],
  [sparseSoftmaxCrossEntropyLossCpuConfig,
    sparseSoftmaxCrossEntropyLossGradCpuConfig],
];

/**
 * Makes sure `backendName` can run the op: a backend with no kernel of ours
 * (tfjs-node's `tensorflow`, or a custom backend, whenever it was loaded)
 * gets the cpu kernels, which read and write through the backend's public
 * `readSync`/`write`, the first time the op runs on it. A backend with its
 * own forward kernel (cpu, webgl, webgpu, wasm) is left alone:
 * without its own gradient kernel, the gradient falls back to tfjs ops, which
 * suits a GPU better than a read-back.
 *
 * Called by the op and by the gradient before they run the forward kernel,
 * so "Kernel not registered" never reaches users.
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
