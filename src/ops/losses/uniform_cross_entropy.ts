import {add, concat, fill, log, mean, neg, reshape, slice, Tensor} from '@tensorflow/tfjs-core';

import {sparseSoftmaxCrossEntropyWithLogits} from '../sparse_softmax_cross_entropy_with_logits.js';

/**
 * Per row of `logits` (classes on the last axis), the cross entropy of
 * `softmax(logits)` against the uniform distribution: `logsumexp(x) - mean(x)`.
 * Label smoothing adds this term, so the loss needs it without a one-hot
 * matrix, exact for large logits, and differentiable to every order.
 *
 * It is read off one more run of the fused op. Append to each row a column
 * holding the row mean `c = mean(x)` and ask for that column's loss: with
 * `t = logsumexp(x) - mean(x)`,
 *
 *     loss'      = logsumexp([x, c]) - c  = softplus(t)
 *     backprop'  = softmax([x, c])_c - 1  = -sigmoid(t)    (that column)
 *
 * so `t = loss' + log(-backprop')`. `t >= log(numClasses)` makes
 * `-backprop' >= 1/2`: the log is well conditioned, and large logits stay
 * exact because the fused op subtracts the row max. Only the fused op, a
 * mean, a concat, a slice and a log are involved, all of whose gradients
 * read saved inputs, so higher-order gradients stay right.
 */
export function uniformCrossEntropy(logits: Tensor): Tensor {
  const rank = logits.rank;
  const numClasses = logits.shape[rank - 1];
  const withRowMean = concat([logits, mean(logits, -1, true)], -1);
  const rowMeanColumn = fill(logits.shape.slice(0, -1), numClasses, 'int32');
  const {loss, backprop} =
      sparseSoftmaxCrossEntropyWithLogits(withRowMean, rowMeanColumn);
  const begin = logits.shape.map((_, axis) => axis === rank - 1 ? numClasses : 0);
  const size = logits.shape.map((_, axis) => axis === rank - 1 ? 1 : -1);
  const rowMeanBackprop = reshape(slice(backprop, begin, size), loss.shape);
  return add(loss, log(neg(rowMeanBackprop)));
}
