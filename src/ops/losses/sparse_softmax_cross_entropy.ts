import {add, mul, op, Reduction, scalar, Tensor, TensorLike} from '@tensorflow/tfjs-core';

import {argumentError, LOSS_NAME} from '../../errors.js';
import {convertArgument} from '../convert_argument.js';
import {validateShapes} from '../sparse_softmax_cross_entropy_with_logits.js';
import {checkOptionValues} from './loss_arguments.js';
import {checkOptionNames, lossExamples, isOptionsObject, LOSS_OPTION_NAMES, LossWithLogSumExp, optionValues, SparseSoftmaxCrossEntropyOptions} from './loss_options.js';
import {cappedLogits} from './capped_logits.js';
import {crossEntropyWithZLoss, perExampleLoss} from './per_example_loss.js';
import {uniformCrossEntropy} from './uniform_cross_entropy.js';
import {LossPredictions, predictionStatistics} from './prediction_statistics.js';
import {reducePerExample, withoutIgnored} from './weighted_reduction.js';

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
 * // The same in the options form, which also takes zLoss and classWeights:
 * tf.losses.sparseSoftmaxCrossEntropy(labels, logits,
 *     {reduction: tf.Reduction.NONE, ignoreIndex: 0}).print();
 * ```
 *
 * The third argument may be an options object (a plain object:
 * `{weights, labelSmoothing, reduction, ignoreIndex, zLoss, softcap,
 * classWeights, returnLogSumExp, returnPredictions}`,
 * see `SparseSoftmaxCrossEntropyOptions`) instead of the weights; then no
 * further arguments may follow. `zLoss` adds `zLoss * logsumexp(row)^2` to
 * each example's loss (fused: the loss kernel's own log-sum-exp, its
 * gradient in the same kernel); `softcap` (> 0) reads the logits as
 * `softcap * tanh(logits / softcap)` inside the kernels; `classWeights` (float32 `[numClasses]`)
 * weights each example by `classWeights[label]` (times its `weights`), so
 * `MEAN` is PyTorch's weighted mean `sum(w_y * loss) / sum(w_y)`, `SUM` the
 * weighted sum, `NONE` the weighted losses, and `SUM_BY_NONZERO_WEIGHTS`
 * the weighted sum over the count of examples whose weight is nonzero.
 * With `returnLogSumExp: true` it returns `{loss, logSumExp}`: the loss as
 * above and each example's `logsumexp` of its logits row (labels' shape; 0
 * for ignored examples), from the same kernel run; a statistic, through
 * which no gradient flows (for the z-loss use `zLoss`). With
 * `returnPredictions: true` the result also holds `predicted` (each
 * example's first argmax class, int32, -1 when ignored), `correct` (bool)
 * and `accuracy` (the token accuracy over kept examples), found by the
 * loss kernel in the pass that finds each row's maximum (`LossPredictions`).
 *
 * @param labels int32 class indices, the logits' shape minus its last axis.
 * @param logits float32 logits, classes on the last axis.
 * @param weights Optional per-example weights (or the options object) that broadcast to the labels'
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
 *     else a scalar; `{loss, logSumExp}` with `returnLogSumExp`, and
 *     `predicted`, `correct` and `accuracy` too with `returnPredictions`.
 *
 * @doc {heading: 'Training', subheading: 'Losses', namespace: 'losses'}
 */
function sparseSoftmaxCrossEntropy_<O extends Tensor = Tensor>(
    labels: Tensor|TensorLike, logits: Tensor|TensorLike,
    weightsOrOptions?: Tensor|TensorLike|SparseSoftmaxCrossEntropyOptions,
    ...rest: [labelSmoothing?: number, reduction?: Reduction,
      ignoreIndex?: number]): O {
  const options = lossOptions(weightsOrOptions, rest);
  const values = optionValues(options);
  checkOptionValues(values);
  const {labelSmoothing, reduction, zLoss, softcap, returnLogSumExp,
    returnPredictions} = values;
  const $labels = convertArgument(labels, 'labels', 'int32', LOSS_NAME);
  const $logits = convertArgument(logits, 'logits', 'float32', LOSS_NAME);
  validateShapes($logits.shape, $labels.shape, LOSS_NAME, 'logits');
  // Ignored examples run through the kernel with class 0, then are masked
  // out of the loss and the weights (`reducePerExample`).
  const {kept, kernelLabels, weights: $weights} =
      lossExamples($labels, $logits.shape[$logits.rank - 1], options);
  // The fused z-loss path also gives the statistics; otherwise the plain
  // per-example loss (on cpu and wasm it reuses the kernel's backprop).
  const fused =
      zLoss > 0 || returnLogSumExp || returnPredictions || softcap != null ?
      crossEntropyWithZLoss($logits, kernelLabels, 1 - labelSmoothing, zLoss,
          softcap, returnPredictions, returnLogSumExp) :
      undefined;
  let perExample = fused != null ? fused.perExample :
      labelSmoothing > 0 ?
      mul(perExampleLoss($logits, kernelLabels), scalar(1 - labelSmoothing)) :
      perExampleLoss($logits, kernelLabels);
  if (labelSmoothing > 0) {
    perExample = add(perExample,
        mul(uniformCrossEntropy(cappedLogits($logits, softcap)),
            scalar(labelSmoothing)));
  }
  const loss = reducePerExample(perExample, kept, $weights, reduction) as O;
  if (fused == null || !(returnLogSumExp || returnPredictions)) {
    return loss;
  }
  return {
    loss,
    ...(returnLogSumExp ?
            {logSumExp: withoutIgnored(kept, fused.logSumExp!)} : {}),
    ...(returnPredictions ?
            predictionStatistics(fused.predicted!, kernelLabels, kept) : {}),
  } as unknown as O;
}

/**
 * The options of either form: an options object in the weights' place
 * (nothing after it), or the positional weights, labelSmoothing,
 * reduction and ignoreIndex.
 */
function lossOptions(
    weightsOrOptions: Tensor|TensorLike|SparseSoftmaxCrossEntropyOptions|
    undefined,
    rest: [number?, Reduction?, number?]): SparseSoftmaxCrossEntropyOptions {
  if (!isOptionsObject(weightsOrOptions)) {
    const [labelSmoothing, reduction, ignoreIndex] = rest;
    return {weights: weightsOrOptions as Tensor | TensorLike | undefined,
      labelSmoothing, reduction, ignoreIndex};
  }
  if (rest.some(argument => argument !== undefined)) {
    throw argumentError('options', 'must be the last argument (put ' +
        'labelSmoothing, reduction and ignoreIndex in it).', LOSS_NAME);
  }
  checkOptionNames(weightsOrOptions, LOSS_OPTION_NAMES);
  return weightsOrOptions as SparseSoftmaxCrossEntropyOptions;
}

/**
 * The loss's call forms: with `returnLogSumExp: true` and/or
 * `returnPredictions: true` in the options it returns `{loss, ...}` with
 * the statistics asked for, else the loss.
 */
export interface SparseSoftmaxCrossEntropy {
  <O extends Tensor = Tensor>(labels: Tensor|TensorLike,
      logits: Tensor|TensorLike,
      options: SparseSoftmaxCrossEntropyOptions&
      {returnLogSumExp: true, returnPredictions: true}):
      LossWithLogSumExp<O>&LossPredictions;
  <O extends Tensor = Tensor>(labels: Tensor|TensorLike,
      logits: Tensor|TensorLike,
      options: SparseSoftmaxCrossEntropyOptions&{returnPredictions: true}):
      {loss: O}&LossPredictions;
  <O extends Tensor = Tensor>(labels: Tensor|TensorLike,
      logits: Tensor|TensorLike,
      options: SparseSoftmaxCrossEntropyOptions&{returnLogSumExp: true}):
      LossWithLogSumExp<O>;
  <O extends Tensor = Tensor>(labels: Tensor|TensorLike,
      logits: Tensor|TensorLike,
      weightsOrOptions?: Tensor|TensorLike|SparseSoftmaxCrossEntropyOptions,
      labelSmoothing?: number, reduction?: Reduction,
      ignoreIndex?: number): O;
}

export const sparseSoftmaxCrossEntropy: SparseSoftmaxCrossEntropy =
    op({sparseSoftmaxCrossEntropy_}) as SparseSoftmaxCrossEntropy;
