/**
 * The package's only side effects: registers the kernels for each backend and
 * their gradients with tfjs, adds the op to tfjs's namespaces and to
 * `Tensor.prototype` (see `namespaces.ts`), and registers it with
 * tfjs-converter where that is visible without importing it (see
 * `register_with_visible_converters.ts`).
 */
import {getGradient, getKernel, registerGradient, registerKernel} from '@tensorflow/tfjs-core';

import {attachToNamespaces} from './namespaces.js';
import {registerWithVisibleConverters} from './register_with_visible_converters.js';
import {sparseSoftmaxCrossEntropyLossGradConfig} from './gradients/SparseSoftmaxCrossEntropyLoss_grad.js';
import {sparseSoftmaxCrossEntropyWithLogitsGradConfig} from './gradients/SparseSoftmaxCrossEntropyWithLogits_grad.js';
import {sparseSoftmaxCrossEntropyLossCpuConfig} from './kernels/cpu/SparseSoftmaxCrossEntropyLoss.js';
import {sparseSoftmaxCrossEntropyLossGradCpuConfig} from './kernels/cpu/SparseSoftmaxCrossEntropyLossGrad.js';
import {sparseSoftmaxCrossEntropyWithLogitsCpuConfig} from './kernels/cpu/SparseSoftmaxCrossEntropyWithLogits.js';
import {sparseSoftmaxCrossEntropyWithLogitsGradCpuConfig} from './kernels/cpu/SparseSoftmaxCrossEntropyWithLogitsGrad.js';
import {sparseSoftmaxCrossEntropyLossWebglConfig} from './kernels/webgl/SparseSoftmaxCrossEntropyLoss.js';
import {sparseSoftmaxCrossEntropyLossGradWebglConfig} from './kernels/webgl/SparseSoftmaxCrossEntropyLossGrad.js';
import {sparseSoftmaxCrossEntropyWithLogitsWebglConfig} from './kernels/webgl/SparseSoftmaxCrossEntropyWithLogits.js';
import {sparseSoftmaxCrossEntropyWithLogitsGradWebglConfig} from './kernels/webgl/SparseSoftmaxCrossEntropyWithLogitsGrad.js';
import {sparseSoftmaxCrossEntropyLossWebgpuConfig} from './kernels/webgpu/SparseSoftmaxCrossEntropyLoss.js';
import {sparseSoftmaxCrossEntropyLossGradWebgpuConfig} from './kernels/webgpu/SparseSoftmaxCrossEntropyLossGrad.js';
import {sparseSoftmaxCrossEntropyWithLogitsWebgpuConfig} from './kernels/webgpu/SparseSoftmaxCrossEntropyWithLogits.js';
import {sparseSoftmaxCrossEntropyWithLogitsGradWebgpuConfig} from './kernels/webgpu/SparseSoftmaxCrossEntropyWithLogitsGrad.js';
import {tensorflowKernelConfigs} from './kernels/tensorflow/kernel_configs.js';
import {wasmKernelConfigs} from './kernels/wasm/kernel_configs.js';

for (const kernel of [
       sparseSoftmaxCrossEntropyWithLogitsCpuConfig,
       sparseSoftmaxCrossEntropyWithLogitsGradCpuConfig,
       sparseSoftmaxCrossEntropyWithLogitsWebglConfig,
       sparseSoftmaxCrossEntropyWithLogitsGradWebglConfig,
       sparseSoftmaxCrossEntropyLossCpuConfig,
       sparseSoftmaxCrossEntropyLossGradCpuConfig,
       sparseSoftmaxCrossEntropyLossWebglConfig,
       sparseSoftmaxCrossEntropyLossGradWebglConfig,
       sparseSoftmaxCrossEntropyWithLogitsWebgpuConfig,
       sparseSoftmaxCrossEntropyWithLogitsGradWebgpuConfig,
       sparseSoftmaxCrossEntropyLossWebgpuConfig,
       sparseSoftmaxCrossEntropyLossGradWebgpuConfig,
       ...wasmKernelConfigs,
       ...tensorflowKernelConfigs,
     ]) {
  // A second copy of this package (say, its CommonJS and ESM builds both
  // loaded) finds its kernels registered already; tfjs would warn.
  if (getKernel(kernel.kernelName, kernel.backendName) == null) {
    registerKernel(kernel);
  }
}
for (const gradient of [
       sparseSoftmaxCrossEntropyWithLogitsGradConfig,
       sparseSoftmaxCrossEntropyLossGradConfig,
     ]) {
  if (getGradient(gradient.kernelName) == null) {
    registerGradient(gradient);
  }
}
attachToNamespaces();
registerWithVisibleConverters();
