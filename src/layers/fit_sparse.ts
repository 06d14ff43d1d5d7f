import {dispose, slice, Tensor, TensorLike} from '@tensorflow/tfjs-core';

import {argumentError} from '../errors.js';
import {convertArgument} from '../ops/convert_argument.js';
import {labelledBatches, LabelledBatches} from './labelled_batches.js';

const FIT_SPARSE = 'fitSparse';

/**
 * What `fitSparse` needs of a model: tfjs-layers' `LayersModel.fitDataset`
 * (typed structurally, so the package does not depend on tfjs-layers).
 */
export interface SparseFitModel {
  fitDataset(dataset: LabelledBatches, args: never): Promise<unknown>;
}

type FitDatasetArgsOf<M> =
    M extends {fitDataset(dataset: never, args: infer A): unknown} ? A : never;
type HistoryOf<M> = M extends {fitDataset(...args: never[]): Promise<infer H>} ?
    H : never;

/**
 * `model.fit`'s options that `fitSparse` handles itself; every other
 * `fitDataset` option (`callbacks`, `verbose`, `initialEpoch`, `classWeight`,
 * `yieldEvery`) is passed through.
 */
export interface SparseFitOptions {
  /** Number of passes over the data; default 1. */
  epochs?: number;
  /** Examples per gradient step; default 32. */
  batchSize?: number;
  /** Reshuffle the training examples before each epoch; default true. */
  shuffle?: boolean;
  /**
   * Fraction in [0, 1) of the examples, taken from the end before shuffling
   * (as `model.fit` does), to evaluate on after each epoch (`val_*` logs).
   */
  validationSplit?: number;
}

export type FitSparseArgs<M> = SparseFitOptions &
    Omit<FitDatasetArgsOf<M>, 'epochs'|'validationData'|'batchesPerEpoch'|
         'validationBatches'|'validationBatchSize'>;

/**
 * `model.fit(x, labels, args)` for integer class labels: trains a
 * tfjs-layers model compiled with `sparseCategoricalCrossentropyFromLogits()`
 * (or any loss that takes class indices) and resolves to the model's
 * `tf.History`. tfjs-layers 4.x's `model.fit` rejects targets whose shape
 * differs from the model's output for any custom loss, while
 * `model.fitDataset` does not check it; this feeds `fitDataset` batches made
 * from tensors, so callbacks, metrics, `model.stopTraining` and `History`
 * all behave as in `fit`.
 *
 * ```js
 * model.compile({optimizer: 'adam',
 *     loss: sparseCategoricalCrossentropyFromLogits()});
 * const history = await fitSparse(model, x, labels,
 *     {epochs: 20, batchSize: 32, validationSplit: 0.2});
 * console.log(history.history.val_loss);
 * ```
 *
 * @param model A compiled `tf.LayersModel` with one output.
 * @param x The inputs: one tensor, or one per model input, batch first.
 * @param labels int32 class indices, batch first (`[batch]` for
 *     `[batch, numClasses]` logits).
 * @param args `epochs`, `batchSize`, `shuffle`, `validationSplit`, and
 *     `fitDataset`'s other options.
 */
export function fitSparse<M extends SparseFitModel>(
    model: M, x: Tensor|Tensor[], labels: Tensor|TensorLike,
    args: FitSparseArgs<M> = {} as FitSparseArgs<M>): Promise<HistoryOf<M>> {
  const {epochs = 1, batchSize = 32, shuffle = true, validationSplit = 0,
    ...fitDatasetArgs} = args;
  const xs = Array.isArray(x) ? x : [x];
  const $labels = convertArgument(labels, 'labels', 'int32', FIT_SPARSE);
  const owned = $labels === labels ? [] : [$labels];
  try {
    checkBatches(xs, $labels);
    checkOptions(batchSize, validationSplit);
    const numExamples = $labels.shape[0];
    const splitAt = Math.floor(numExamples * (1 - validationSplit));
    if (validationSplit > 0 && (splitAt === 0 || splitAt === numExamples)) {
      throw argumentError('config',
          `has validationSplit ${validationSplit}, which leaves no ` +
              `${splitAt === 0 ? 'training' : 'validation'} examples out of ` +
              `${numExamples}.`,
          FIT_SPARSE);
    }
    let trainXs = xs;
    let trainLabels = $labels;
    let validationData: LabelledBatches|undefined;
    if (validationSplit > 0) {
      trainXs = xs.map(t => slice(t, 0, splitAt));
      trainLabels = slice($labels, 0, splitAt);
      const validationXs = xs.map(t => slice(t, splitAt, -1));
      const validationLabels = slice($labels, splitAt, -1);
      owned.push(...trainXs, trainLabels, ...validationXs, validationLabels);
      validationData = labelledBatches(
          validationXs, validationLabels, batchSize, false);
    }
    const dataset = labelledBatches(trainXs, trainLabels, batchSize, shuffle);
    return (model.fitDataset(dataset, {
             ...fitDatasetArgs,
             epochs,
             ...(validationData === undefined ? {} : {validationData}),
           } as never) as Promise<HistoryOf<M>>)
        .finally(() => dispose(owned));
  } catch (error) {
    dispose(owned);
    throw error;
  }
}

function checkBatches(xs: Tensor[], labels: Tensor): void {
  if (labels.rank === 0) {
    throw argumentError('labels',
        'must have a batch axis, but got a scalar.', FIT_SPARSE);
  }
  const numExamples = labels.shape[0];
  xs.forEach((t, i) => {
    if (!(t instanceof Tensor) || t.rank === 0 || t.shape[0] !== numExamples) {
      throw argumentError('x',
          `must be a Tensor or an array of Tensors with ${numExamples} ` +
              `examples (the labels' first dimension), but ` +
              `${xs.length > 1 ? `x[${i}]` : 'x'} has shape ` +
              `${t instanceof Tensor ? `[${t.shape}]` : String(t)}.`,
          FIT_SPARSE);
    }
  });
}

function checkOptions(batchSize: number, validationSplit: number): void {
  if (!(Number.isInteger(batchSize) && batchSize > 0)) {
    throw argumentError('config',
        `must have a positive integer batchSize, but got ${batchSize}.`,
        FIT_SPARSE);
  }
  if (!(validationSplit >= 0 && validationSplit < 1)) {
    throw argumentError('config',
        `must have validationSplit in [0, 1), but got ${validationSplit}.`,
        FIT_SPARSE);
  }
}
