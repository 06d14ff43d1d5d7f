import {getKernel, KernelBackend, registerKernel} from '@tensorflow/tfjs-core';

import {SparseSoftmaxCrossEntropyWithLogits, SparseSoftmaxCrossEntropyWithLogitsGrad, SparseSoftmaxCrossEntropyWithLogitsGradInputs, SparseSoftmaxCrossEntropyWithLogitsInputs} from './kernel_names.js';
import {sparseSoftmaxCrossEntropyWithLogitsFallback} from './kernels/fallback/SparseSoftmaxCrossEntropyWithLogits.js';
import {sparseSoftmaxCrossEntropyWithLogitsGradFallback} from './kernels/fallback/SparseSoftmaxCrossEntropyWithLogitsGrad.js';
import {kernelConfig} from './kernels/kernel_config.js';

/**
 * Makes sure `backendName` can run the op: a backend with no kernel of ours
 * (wasm, webgpu, tfjs-node's `tensorflow`, or a custom backend, whenever it
 * was loaded) gets the generic read-back kernels the first time the op runs
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
      sparseSoftmaxCrossEntropyWithLogitsFallback));
  if (getKernel(SparseSoftmaxCrossEntropyWithLogitsGrad, backendName) == null) {
    registerKernel(kernelConfig<SparseSoftmaxCrossEntropyWithLogitsGradInputs,
                                KernelBackend>(
        SparseSoftmaxCrossEntropyWithLogitsGrad, backendName,
        sparseSoftmaxCrossEntropyWithLogitsGradFallback));
  }
}
