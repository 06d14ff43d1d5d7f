import {add, customGrad, dispose, engine, expandDims, GradSaveFunc, keep, logSumExp, mul, reshape, scalar, square, Tensor, zeros, zerosLike} from '@tensorflow/tfjs-core';

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
 * Also returns `lse` per example (labels' shape) from the same kernel run,
 * as a statistic: no gradient flows through it.
 *
 * When the gradient itself is recorded (a higher-order gradient), the loss
 * is built from differentiable ops instead: the loss plus `tf.logSumExp`.
 */
export function crossEntropyWithZLoss(
    logits: Tensor, labels: Tensor, crossEntropyScale: number,
    zLoss: number): {perExample: Tensor, logSumExp: Tensor} {
  if (engine().isTapeOn() && gradientIsRecorded()) {
    const lse = logSumExp(logits, -1);
    return {
      perExample: add(
          mul(perExampleLoss(logits, labels), scalar(crossEntropyScale)),
          mul(square(lse), scalar(zLoss))),
      logSumExp: withoutGradient(lse),
    };
  }
  const numClasses = logits.shape[logits.rank - 1];
  const features = logits.rank === 2 ?
      logits :
      reshape(logits, [labels.size, numClasses]);
  const labels1d = labels.rank === 1 ? labels : reshape(labels, [labels.size]);
  const aliases = savesAliases();
  let rows: Tensor[] = [];
  let statistic: Tensor|undefined;
  const value = customGrad((...args: Array<Tensor|GradSaveFunc>) => {
    const [features, labels] = args as [Tensor, Tensor];
    const save = args[2] as GradSaveFunc;
    const [loss, rowMax, rowLogSumExp] =
        runKernel(SparseSoftmaxCrossEntropyLoss, {features, labels});
    const lse = reshape(add(rowMax, rowLogSumExp), [labels.size]);
    // Out of the custom gradient's scope, off the tape: a statistic.
    statistic = keep(lse.clone());
    if (aliases) {
      rows = [keep(rowMax), keep(rowLogSumExp), keep(lse)];
    } else {
      save([features, labels, rowMax, rowLogSumExp, lse]);
    }
    return {
      value: zLoss === 0 ? mul(loss, scalar(crossEntropyScale)) :
                           add(mul(loss, scalar(crossEntropyScale)),
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
  // A tensor of this scope again, not a kept one (which no scope frees).
  const lse = reshape(statistic as Tensor, labels.shape);
  (statistic as Tensor).dispose();
  return {
    perExample: labels.rank === 1 ? value : reshape(value, labels.shape),
    logSumExp: lse,
  };
}

/** `x` as a statistic: the same values, a zero gradient. */
function withoutGradient(x: Tensor): Tensor {
  return customGrad((...args: Array<Tensor|GradSaveFunc>) => ({
    value: (args[0] as Tensor).clone(),
    gradFunc: (dy: Tensor) => zerosLike(dy),
  }))(x);
}
