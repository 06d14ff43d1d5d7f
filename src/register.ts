/**
 * The package's only side effects: registers the kernels for each backend and
 * the gradient with tfjs, and adds the op to tfjs's namespaces and to
 * `Tensor.prototype` (see `namespaces.ts`).
 */
import {getGradient, getKernel, registerGradient, registerKernel} from '@tensorflow/tfjs-core';

import {attachToNamespaces} from './namespaces.js';
import {sparseSoftmaxCrossEntropyWithLogitsGradConfig} from './gradients/SparseSoftmaxCrossEntropyWithLogits_grad.js';
import {sparseSoftmaxCrossEntropyWithLogitsCpuConfig} from './kernels/cpu/SparseSoftmaxCrossEntropyWithLogits.js';
import {sparseSoftmaxCrossEntropyWithLogitsGradCpuConfig} from './kernels/cpu/SparseSoftmaxCrossEntropyWithLogitsGrad.js';
import {sparseSoftmaxCrossEntropyWithLogitsWebglConfig} from './kernels/webgl/SparseSoftmaxCrossEntropyWithLogits.js';
import {sparseSoftmaxCrossEntropyWithLogitsGradWebglConfig} from './kernels/webgl/SparseSoftmaxCrossEntropyWithLogitsGrad.js';

for (const kernel of [
       sparseSoftmaxCrossEntropyWithLogitsCpuConfig,
       sparseSoftmaxCrossEntropyWithLogitsGradCpuConfig,
       sparseSoftmaxCrossEntropyWithLogitsWebglConfig,
       sparseSoftmaxCrossEntropyWithLogitsGradWebglConfig,
     ]) {
  // A second copy of this package (say, its CommonJS and ESM builds both
  // loaded) finds its kernels registered already; tfjs would warn.
  if (getKernel(kernel.kernelName, kernel.backendName) == null) {
    registerKernel(kernel);
  }
}
if (getGradient(sparseSoftmaxCrossEntropyWithLogitsGradConfig.kernelName) ==
    null) {
  registerGradient(sparseSoftmaxCrossEntropyWithLogitsGradConfig);
}
attachToNamespaces();
