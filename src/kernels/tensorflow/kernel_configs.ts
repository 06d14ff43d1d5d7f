import type {KernelConfig} from '@tensorflow/tfjs-core';

import {sparseSoftmaxCrossEntropyLossTensorflowConfig} from './SparseSoftmaxCrossEntropyLoss.js';
import {sparseSoftmaxCrossEntropyLossGradTensorflowConfig} from './SparseSoftmaxCrossEntropyLossGrad.js';
import {sparseSoftmaxCrossEntropyWithLogitsTensorflowConfig} from './SparseSoftmaxCrossEntropyWithLogits.js';
import {sparseSoftmaxCrossEntropyWithLogitsGradTensorflowConfig} from './SparseSoftmaxCrossEntropyWithLogitsGrad.js';

/**
 * The kernels for tfjs-node's `'tensorflow'` backend, registered by
 * `register.ts` under the backend's name whether or not tfjs-node is loaded,
 * before or after it (it is an optional peer and never imported): tfjs looks
 * kernels up by name when they run, and tfjs-node registers no kernel of
 * these names.
 */
export const tensorflowKernelConfigs: KernelConfig[] = [
  sparseSoftmaxCrossEntropyWithLogitsTensorflowConfig,
  sparseSoftmaxCrossEntropyWithLogitsGradTensorflowConfig,
  sparseSoftmaxCrossEntropyLossTensorflowConfig,
  sparseSoftmaxCrossEntropyLossGradTensorflowConfig,
];
