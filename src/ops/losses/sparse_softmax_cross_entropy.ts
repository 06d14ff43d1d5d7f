import {add, mul, notEqual, op, Reduction, scalar, Tensor, TensorLike, where, zerosLike} from '@tensorflow/tfjs-core';

import {LOSS_NAME} from '../../errors.js';
import {convertArgument} from '../convert_argument.js';
import {validateShapes} from '../sparse_softmax_cross_entropy_with_logits.js';
import {checkIgnoreIndex, checkLabelSmoothing, checkReduction, convertWeights} from './loss_arguments.js';
import {perExampleLoss} from './per_example_loss.js';
import {uniformCrossEntropy} from './uniform_cross_entropy.js';
import {reducePerExample} from './weighted_reduction.js';

/**
 * Computes the softmax cross entropy loss between integer class `labels`
 * and `logits`: `tf.losses.softmaxCrossEntropy` for class indices, fused.
 * Value and gradient equal
 * `tf.losses.softmaxCrossEntropy(tf.oneHot(labels, numClasses), logits,
 * weights, labelSmoothing, reduction)`, but no one-hot matrix is built and
 * large logits stay exact.
 *
 * ```js
 * const labels = tf.tensor1d([2, 0], 'int32');
 * const logits = tf.tensor2d([[1, 2, 3], [1, 2, 3]]);
 * tf.losses.sparseSoftmaxCrossEntropy(labels, logits).print();  // 1.4076059
 * // Per example, with the second example ignored:
 * tf.losses.sparseSoftmaxCrossEntropy(labels, logits, undefined, 0,
 *     tf.Reduction.NONE, 0).print();  // [0.4076059, 0]
 * ```
 *
 * @param labels int32 class indices, the logits' shape minus its last axis.
 * @param logits float32 logits, classes on the last axis.
 * @param weights Optional per-example weights that broadcast to the labels'
 *     shape (a scalar, or one weight per example).
 * @param labelSmoothing In [0, 1]. If greater than 0, the targets become
 *     `onehot * (1 - labelSmoothing) + labelSmoothing / numClasses`, with
 *     `numClasses` the logits' last axis (`tf.losses.softmaxCrossEntropy`
 *     reads `shape[1]`, which differs only for logits of rank 3 and up).
 * @param reduction How the per-example losses are reduced, as in
 *     `tf.losses.computeWeightedLoss`; defaults to
 *     `tf.Reduction.SUM_BY_NONZERO_WEIGHTS`.
 * @param ignoreIndex Optional label value (PyTorch's `ignore_index`) whose
 *     examples get zero loss and zero gradient and count as zero weight, so
 *     the mean reductions leave them out. It may lie outside
 *     `[0, numClasses)`; every other label must lie inside.
 * @returns The per-example losses (labels' shape) for `Reduction.NONE`,
 *     else a scalar.
 *
 * @doc {heading: 'Training', subheading: 'Losses', namespace: 'losses'}
 */
function sparseSoftmaxCrossEntropy_<O extends Tensor = Tensor>(
    labels: Tensor|TensorLike, logits: Tensor|TensorLike,
    weights?: Tensor|TensorLike, labelSmoothing = 0,
    reduction = Reduction.SUM_BY_NONZERO_WEIGHTS, ignoreIndex?: number): O {
  const $labels = convertArgument(labels, 'labels', 'int32', LOSS_NAME);
  const $logits = convertArgument(logits, 'logits', 'float32', LOSS_NAME);
  validateShapes($logits.shape, $labels.shape, LOSS_NAME, 'logits');
  const $weights =
      weights == null ? undefined : convertWeights(weights, $labels.shape);
  checkLabelSmoothing(labelSmoothing);
  checkReduction(reduction);
  checkIgnoreIndex(ignoreIndex);

  // Ignored examples run through the kernel with class 0 (always valid),
  // then are masked out of the loss and the weights (`reducePerExample`).
  const kept = ignoreIndex == null ?
      undefined :
      notEqual($labels, scalar(ignoreIndex, 'int32'));
  const kernelLabels =
      kept == null ? $labels : where(kept, $labels, zerosLike($labels));
  let perExample = perExampleLoss($logits, kernelLabels);
  if (labelSmoothing > 0) {
    perExample = add(mul(perExample, scalar(1 - labelSmoothing)),
        mul(uniformCrossEntropy($logits), scalar(labelSmoothing)));
  }
  return reducePerExample(perExample, kept, $weights, reduction) as O;
}

export const sparseSoftmaxCrossEntropy = op({sparseSoftmaxCrossEntropy_});
