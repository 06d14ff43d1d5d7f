import {getKernel, KernelBackend, registerKernel} from '@tensorflow/tfjs-core';

import {SparseSoftmaxCrossEntropyWithLogits, SparseSoftmaxCrossEntropyWithLogitsGrad, SparseSoftmaxCrossEntropyWithLogitsGradInputs, SparseSoftmaxCrossEntropyWithLogitsInputs} from './kernel_names.js';
import {sparseSoftmaxCrossEntropyWithLogitsCpu} from './kernels/cpu/SparseSoftmaxCrossEntropyWithLogits.js';
import {sparseSoftmaxCrossEntropyWithLogitsGradCpu} from './kernels/cpu/SparseSoftmaxCrossEntropyWithLogitsGrad.js';
import {kernelConfig} from './kernels/kernel_config.js';

/**
 * Makes sure `backendName` can run the op: a backend with no kernel of ours
 * (wasm, webgpu, tfjs-node's `tensorflow`, or a custom backend, whenever it
 * was loaded) gets the cpu kernels, which read and write through
 * the backend's public `readSync`/`write`, the first time the op runs
 * on it. A backend with its own forward kernel (cpu, webgl) is left alone:
 * without its own gradient kernel, the gradient falls back to tfjs ops, which
 * suits a GPU better than a read-back.
 *
 * Called by the op and by the gradient before they run the forward kernel,
 * so "Kernel not registered" never reaches users.
 */
export function ensureKernelsFor(backendName: string): void {
  if (getKernel(SparseSoftmaxCrossEntropyWithLogits, backendName) != null) {
    return;
  }
  registerKernel(kernelConfig<SparseSoftmaxCrossEntropyWithLogitsInputs,
                              KernelBackend>(
      SparseSoftmaxCrossEntropyWithLogits, backendName,
      sparseSoftmaxCrossEntropyWithLogitsCpu));
  if (getKernel(SparseSoftmaxCrossEntropyWithLogitsGrad, backendName) == null) {
    registerKernel(kernelConfig<SparseSoftmaxCrossEntropyWithLogitsGradInputs,
                                KernelBackend>(
        SparseSoftmaxCrossEntropyWithLogitsGrad, backendName,
        sparseSoftmaxCrossEntropyWithLogitsGradCpu));
  }
}
