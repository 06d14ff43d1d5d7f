import {add, customGrad, dispose, engine, expandDims, GradSaveFunc, keep, logSumExp, mul, reshape, scalar, square, Tensor, zeros} from '@tensorflow/tfjs-core';

import {lossFeaturesGradient} from '../../gradients/SparseSoftmaxCrossEntropyLoss_grad.js';
import {SparseSoftmaxCrossEntropyLoss} from '../../kernel_names.js';
import {runKernel} from '../../run_kernel.js';
import {gradientIsRecorded, saveWithoutCopy, savesAliases} from '../../tfjs_internals.js';
import {perExampleLoss} from './per_example_loss.js';

/**
 * Per example of validated `logits` (classes on the last axis) and
 * `labels`: `crossEntropyScale * crossEntropy + zLoss * lse^2`, with
 * `lse = logsumexp(logits row)` (PaLM's z-loss). Both terms come from one
 * run of the loss-only kernel (`lse = rowMax + logSumExp`, its row outputs),
 * and the gradient is one run of its gradient kernel with
 * `dLoss = upstream * crossEntropyScale` and
 * `dLogSumExp = upstream * 2 * zLoss * lse`: no pass over the logits beyond
 * the plain loss's.
 *
 * When the gradient itself is recorded (a higher-order gradient), it is
 * built from differentiable ops instead: the loss plus `tf.logSumExp`.
 */
export function crossEntropyWithZLoss(
    logits: Tensor, labels: Tensor, crossEntropyScale: number,
    zLoss: number): Tensor {
  if (engine().isTapeOn() && gradientIsRecorded()) {
    return add(mul(perExampleLoss(logits, labels), scalar(crossEntropyScale)),
        mul(square(logSumExp(logits, -1)), scalar(zLoss)));
  }
  const numClasses = logits.shape[logits.rank - 1];
  const features = logits.rank === 2 ?
      logits :
      reshape(logits, [labels.size, numClasses]);
  const labels1d = labels.rank === 1 ? labels : reshape(labels, [labels.size]);
  const aliases = savesAliases();
  let rows: Tensor[] = [];
  const value = customGrad((...args: Array<Tensor|GradSaveFunc>) => {
    const [features, labels] = args as [Tensor, Tensor];
    const save = args[2] as GradSaveFunc;
    const [loss, rowMax, rowLogSumExp] =
        runKernel(SparseSoftmaxCrossEntropyLoss, {features, labels});
    const lse = reshape(add(rowMax, rowLogSumExp), [labels.size]);
    if (aliases) {
      rows = [keep(rowMax), keep(rowLogSumExp), keep(lse)];
    } else {
      save([features, labels, rowMax, rowLogSumExp, lse]);
    }
    return {
      value: add(mul(loss, scalar(crossEntropyScale)),
          mul(square(lse), scalar(zLoss))),
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [features, labels, rowMax, logSumExp, lse] = saved;
        const dLoss = mul(dy, scalar(crossEntropyScale));
        const dLogSumExp = expandDims(mul(mul(dy, lse), scalar(2 * zLoss)), 1);
        return [
          lossFeaturesGradient({features, labels, rowMax, logSumExp}, dLoss,
              dLogSumExp),
          zeros(labels.shape, 'float32'),
        ];
      },
    };
  })(features, labels1d);
  if (aliases) {
    saveWithoutCopy(value, [features, labels1d, ...rows]);
    dispose(rows);
  }
  return labels.rank === 1 ? value : reshape(value, labels.shape);
}
