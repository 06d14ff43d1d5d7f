import {customGrad, dispose, GradSaveFunc, keep, reshape, Tensor, zeros, zerosLike} from '@tensorflow/tfjs-core';

import {lossFeaturesGradient} from '../../gradients/SparseSoftmaxCrossEntropyLoss_grad.js';

import {SparseSoftmaxCrossEntropyLoss} from '../../kernel_names.js';
import {runKernel} from '../../run_kernel.js';
import {saveWithoutCopy, savesAliases} from '../../tfjs_internals.js';

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
  const features = logits.rank === 2 ?
      logits :
      reshape(logits, [labels.size, numClasses]);
  const labels1d = labels.rank === 1 ? labels : reshape(labels, [labels.size]);
  const loss = savesAliases() ?
      lossSavingAliases(features, labels1d) :
      runKernel(SparseSoftmaxCrossEntropyLoss, {features, labels: labels1d})[0];
  return labels.rank === 1 ? loss : reshape(loss, labels.shape);
}

/**
 * The loss kernel recorded for a first-order gradient with aliases of the
 * logits and its row outputs saved, instead of the clones tfjs's kernel
 * gradient config would make: on `wasm` a clone (`Identity`) copies the data,
 * which for the logits is a `[batch, numClasses]` copy per training step.
 * The gradient is the kernel gradient config's (`lossFeaturesGradient`);
 * `logSumExp` is not an output here, so its upstream is zeros.
 */
function lossSavingAliases(features: Tensor, labels: Tensor): Tensor {
  let rows: Tensor[] = [];
  const loss = customGrad((...args: Array<Tensor|GradSaveFunc>) => {
    const [features, labels] = args as [Tensor, Tensor];
    const [loss, rowMax, logSumExp] =
        runKernel(SparseSoftmaxCrossEntropyLoss, {features, labels});
    rows = [keep(rowMax), keep(logSumExp)];
    return {
      value: loss,
      gradFunc: (dLoss: Tensor, saved: Tensor[]) => {
        const [features, labels, rowMax, logSumExp] = saved;
        return [
          lossFeaturesGradient({features, labels, rowMax, logSumExp}, dLoss,
              zerosLike(logSumExp)),
          zeros(labels.shape, 'float32'),
        ];
      },
    };
  })(features, labels);
  saveWithoutCopy(loss, [features, labels, ...rows]);
  dispose(rows);
  return loss;
}
