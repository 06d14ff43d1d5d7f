import {cast, Reduction, squeeze, Tensor, tidy} from '@tensorflow/tfjs-core';

import {sparseSoftmaxCrossEntropy} from '../ops/losses/sparse_softmax_cross_entropy.js';
import {checkIgnoreIndex, checkLabelSmoothing} from '../ops/losses/loss_arguments.js';

export interface SparseLossOptions {
  /** As in `tf.losses.sparseSoftmaxCrossEntropy`; default 0. */
  labelSmoothing?: number;
  /** As in `tf.losses.sparseSoftmaxCrossEntropy`; default none. */
  ignoreIndex?: number;
}

/**
 * A tfjs-layers loss function (`model.compile({loss})`) for a model whose
 * last layer outputs logits and whose targets are integer class indices:
 * Keras's `SparseCategoricalCrossentropy(from_logits=True)`, fused.
 *
 * ```js
 * model.compile({
 *   optimizer: 'adam',
 *   loss: sparseCategoricalCrossentropyFromLogits(),
 *   metrics: [tf.metrics.sparseCategoricalAccuracy],
 * });
 * await fitSparse(model, x, labels, {epochs: 10});
 * ```
 *
 * Train with `fitSparse` or `model.fitDataset`: `model.fit` rejects targets
 * whose shape differs from the model's output for any custom loss.
 *
 * Like Keras, the targets may be `[batch]` or `[batch, 1]`, and float
 * targets (what `tf.data` pipelines make of numbers) are cast to int32. The
 * loss is per example (ignored examples give 0); tfjs-layers then averages it
 * over the whole batch, so with `ignoreIndex` ignored examples still count in
 * the batch mean's denominator.
 */
export function sparseCategoricalCrossentropyFromLogits(
    options: SparseLossOptions = {}): (yTrue: Tensor, yPred: Tensor) => Tensor {
  const {labelSmoothing = 0, ignoreIndex} = options;
  checkLabelSmoothing(labelSmoothing);
  checkIgnoreIndex(ignoreIndex);
  return (yTrue, yPred) => tidy(() => {
    const labels = yTrue.rank === yPred.rank && yTrue.shape[yTrue.rank - 1] === 1 ?
        squeeze(yTrue, [yTrue.rank - 1]) :
        yTrue;
    return sparseSoftmaxCrossEntropy(
        labels.dtype === 'int32' ? labels : cast(labels, 'int32'), yPred,
        undefined, labelSmoothing, Reduction.NONE, ignoreIndex);
  });
}
