import {getBackend, reshape, Tensor} from '@tensorflow/tfjs-core';

import {ensureKernelsFor} from '../../fallback_kernels.js';
import {SparseSoftmaxCrossEntropyLoss, SparseSoftmaxCrossEntropyWithLogitsInputs} from '../../kernel_names.js';
import {runKernel} from '../../run_kernel.js';

/**
 * The per-example loss of already validated `logits` (classes on the last
 * axis) and `labels`, with the labels' shape: the `loss` output of
 * `sparseSoftmaxCrossEntropyWithLogits`, computed by the loss-only kernel.
 * A training step through it writes one `[batch, numClasses]` tensor, the
 * gradient, instead of `backprop`, tfjs's zeros gradient for it, and the
 * gradient (see `kernel_names.ts`).
 */
export function perExampleLoss(logits: Tensor, labels: Tensor): Tensor {
  const numClasses = logits.shape[logits.rank - 1];
  const inputs: SparseSoftmaxCrossEntropyWithLogitsInputs = {
    features: logits.rank === 2 ? logits :
                                  reshape(logits, [labels.size, numClasses]),
    labels: labels.rank === 1 ? labels : reshape(labels, [labels.size]),
  };
  ensureKernelsFor(getBackend());
  const [loss] = runKernel(SparseSoftmaxCrossEntropyLoss, inputs);
  return labels.rank === 1 ? loss : reshape(loss, labels.shape);
}
