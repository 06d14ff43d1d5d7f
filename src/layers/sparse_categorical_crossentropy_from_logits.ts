import {Reduction, Tensor, tidy} from '@tensorflow/tfjs-core';

import {sparseSoftmaxCrossEntropy} from '../ops/losses/sparse_softmax_cross_entropy.js';
import {checkIgnoreIndex, checkLabelSmoothing} from '../ops/losses/loss_arguments.js';
import {classIndices} from './class_indices.js';

const LOSS = 'sparseCategoricalCrossentropyFromLogits';

export interface SparseLossOptions {
  /** As in `tf.losses.sparseSoftmaxCrossEntropy`; default 0. */
  labelSmoothing?: number;
  /** As in `tf.losses.sparseSoftmaxCrossEntropy`; default none. */
  ignoreIndex?: number;
}

export type SparseLossFunction = (yTrue: Tensor, yPred: Tensor) => Tensor;

/**
 * The options of every loss function this module made, so the package's
 * routes recognise the loss a model was compiled with (and save it).
 */
const madeLosses = new WeakMap<object, Required<Pick<SparseLossOptions,
    'labelSmoothing'>>&SparseLossOptions>();

/** The options `fn` was made with, if `fn` is one of this module's losses. */
export function sparseLossOptions(fn: unknown): SparseLossOptions|undefined {
  return typeof fn === 'function' ? madeLosses.get(fn) : undefined;
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
 * `compileSparse(model, {optimizer, metrics})` compiles with it and makes
 * `metrics: ['accuracy']` mean sparse accuracy. Train with `fitSparse`,
 * `trainOnBatchSparse` or `model.fitDataset` and evaluate with
 * `evaluateSparse` or `model.evaluateDataset`: `model.fit`, `evaluate` and
 * `trainOnBatch` reject targets whose shape differs from the model's output
 * for any custom loss.
 *
 * Like Keras, the targets may be `[batch]` or `[batch, 1]`, and float
 * targets (what `tf.data` pipelines make of numbers) are cast to int32;
 * one-hot targets get an error naming the routes for them. The loss is per
 * example (ignored examples give 0); tfjs-layers then averages it over the
 * whole batch, so with `ignoreIndex` ignored examples still count in the
 * batch mean's denominator.
 */
export function sparseCategoricalCrossentropyFromLogits(
    options: SparseLossOptions = {}): SparseLossFunction {
  const {labelSmoothing = 0, ignoreIndex} = options;
  checkLabelSmoothing(labelSmoothing, LOSS);
  checkIgnoreIndex(ignoreIndex, LOSS);
  const loss: SparseLossFunction = (yTrue, yPred) => tidy(
      () => sparseSoftmaxCrossEntropy(classIndices(yTrue, yPred, LOSS), yPred,
          undefined, labelSmoothing, Reduction.NONE, ignoreIndex));
  madeLosses.set(loss, {labelSmoothing, ignoreIndex});
  return loss;
}
