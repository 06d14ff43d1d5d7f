import type {KernelConfig} from '@tensorflow/tfjs-core';

import {sparseSoftmaxCrossEntropyLossWasmConfig} from './SparseSoftmaxCrossEntropyLoss.js';
import {sparseSoftmaxCrossEntropyLossGradWasmConfig} from './SparseSoftmaxCrossEntropyLossGrad.js';
import {sparseSoftmaxCrossEntropyWithLogitsWasmConfig} from './SparseSoftmaxCrossEntropyWithLogits.js';
import {sparseSoftmaxCrossEntropyWithLogitsGradWasmConfig} from './SparseSoftmaxCrossEntropyWithLogitsGrad.js';

/**
 * The wasm kernels, registered by `register.ts` under the backend's name
 * whether or not tfjs-backend-wasm is loaded (it is an optional peer, and
 * only its types are imported): tfjs looks kernels up by name when they run.
 */
export const wasmKernelConfigs: KernelConfig[] = [
  sparseSoftmaxCrossEntropyWithLogitsWasmConfig,
  sparseSoftmaxCrossEntropyWithLogitsGradWasmConfig,
  sparseSoftmaxCrossEntropyLossWasmConfig,
  sparseSoftmaxCrossEntropyLossGradWasmConfig,
];
