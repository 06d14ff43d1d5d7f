import {dispose, slice, Tensor} from '@tensorflow/tfjs-core';

import {evaluateBatches} from './evaluate_batches.js';
import {labelledBatches, LabelledBatches} from './labelled_batches.js';
import {routeCallbacks} from './route_callbacks.js';
import {routeError} from './route_errors.js';
import {sparseData, SparseData, SparseLabels} from './sparse_data.js';
import {checkSparseModel, SparseModel} from './sparse_model.js';

const FIT_SPARSE = 'fitSparse';

type FitDatasetArgsOf<M> =
    M extends {fitDataset(dataset: never, args: infer A): unknown} ? A : never;
type HistoryOf<M> = M extends {fitDataset(...args: never[]): Promise<infer H>} ?
    H : never;
type CallbacksOf<M> = NonNullable<FitDatasetArgsOf<M> extends {callbacks?: infer C} ? C : never>;
/** One callback: a `tf.Callback` or a plain object of hooks. */
type CallbackOf<M> = CallbacksOf<M> extends infer C ? C extends Array<infer E> ? E : C : never;

/**
 * `model.fit`'s options that `fitSparse` handles itself; every other
 * `fitDataset` option (`verbose`, `initialEpoch`, `classWeight`,
 * `yieldEvery`) is passed through.
 */
export interface SparseFitOptions {
  /** Number of passes over the data; default 1. */
  epochs?: number;
  /** Examples per gradient step (and per validation batch); default 32. */
  batchSize?: number;
  /** Reshuffle the training examples before each epoch; default true. */
  shuffle?: boolean;
  /**
   * Fraction in [0, 1) of the examples, taken from the end before shuffling
   * (as `model.fit` does), to evaluate on after each epoch (`val_*` logs).
   * Ignored when `validationData` is given.
   */
  validationSplit?: number;
  /** `[x, labels]` to evaluate on after each epoch (`val_*` logs). */
  validationData?: [Tensor|Tensor[], SparseLabels|SparseLabels[]];
}

export type FitSparseArgs<M> = SparseFitOptions &
    Omit<FitDatasetArgsOf<M>, 'epochs'|'validationData'|'batchesPerEpoch'|
         'validationBatches'|'validationBatchSize'|'callbacks'> & {
  /**
   * As in `model.fit`: a `tf.Callback`, a plain object of hooks, or an array
   * of either, also mixed (which tfjs-layers 4.x's own `fit` rejects).
   */
  callbacks?: CallbacksOf<M>|Array<CallbackOf<M>>;
};

/**
 * `model.fit(x, labels, args)` for integer class labels: trains a
 * tfjs-layers model compiled with `compileSparse` (or
 * `sparseCategoricalCrossentropyFromLogits()`, or any loss that takes class
 * indices) and resolves to the model's `tf.History`, as `model.fit` does.
 * tfjs-layers 4.x's `model.fit` rejects targets whose shape differs from the
 * model's output for any custom loss, while `model.fitDataset` does not
 * check it; this feeds `fitDataset` batches made from tensors, so callbacks,
 * metrics, `classWeight`, `model.stopTraining` and `History` all behave as
 * in `fit`. Validation runs at the end of each epoch, before the callbacks
 * see the epoch's logs (as in `fit`). A callback that throws stops training
 * after the current step and `fitSparse` rejects with its error.
 *
 * ```js
 * compileSparse(model, {optimizer: 'adam', metrics: ['accuracy']});
 * const history = await fitSparse(model, x, labels,
 *     {epochs: 20, batchSize: 32, validationSplit: 0.2});
 * console.log(history.history.val_acc);
 * ```
 *
 * Before the first step it checks the model (compiled, a loss on every
 * output, no metric that would report a wrong number on integer labels) and
 * the labels (class indices of their output), with errors that name the
 * call to make instead.
 *
 * @param model A compiled `tf.LayersModel` whose outputs are
 *     `[batch, numClasses]` logits.
 * @param x The inputs: one tensor, or one per model input, batch first.
 * @param labels Class indices, `[batch]` or `[batch, 1]`, int32 or integral
 *     float32 (or an array of numbers); one per output for a model with
 *     several outputs.
 * @param args `epochs`, `batchSize`, `shuffle`, `validationSplit`,
 *     `validationData`, `callbacks`, and `fitDataset`'s other options.
 */
export async function fitSparse<M extends SparseModel>(
    model: M, x: Tensor|Tensor[], labels: SparseLabels|SparseLabels[],
    args: FitSparseArgs<M> = {} as FitSparseArgs<M>): Promise<HistoryOf<M>> {
  const {epochs = 1, batchSize = 32, shuffle = true, validationSplit = 0,
    validationData, callbacks, ...fitDatasetArgs} = args;
  checkOptions(epochs, batchSize, validationSplit, validationData);
  const outputLosses = checkSparseModel(model, FIT_SPARSE);
  const owned: Tensor[] = [];
  const batchSets: LabelledBatches[] = [];
  try {
    let train = await sparseData(model, x, labels, outputLosses, FIT_SPARSE);
    owned.push(...train.owned);
    let validation: SparseData|undefined;
    if (validationData !== undefined) {
      validation = await sparseData(model, validationData[0],
          validationData[1], outputLosses, FIT_SPARSE,
          {x: 'validationData[0]', labels: 'validationData[1]'});
      owned.push(...validation.owned);
    } else if (validationSplit > 0) {
      [train, validation] = split(train, validationSplit);
      owned.push(...train.owned, ...validation.owned);
    }
    const dataset = labelledBatches(train.xs, train.labels, batchSize, shuffle);
    batchSets.push(dataset);
    let validationBatches: LabelledBatches|undefined;
    if (validation !== undefined) {
      validationBatches = labelledBatches(
          validation.xs, validation.labels, batchSize, false);
      batchSets.push(validationBatches);
    }
    const {verbose = 1, initialEpoch = 0} =
        fitDatasetArgs as {verbose?: number, initialEpoch?: number};
    const names = [...model.metricsNames];
    const params = {epochs, initialEpoch, samples: null, steps: dataset.size,
      batchSize: null, verbose, doValidation: validation !== undefined,
      metrics: validation === undefined ? names :
                                          [...names, ...names.map(n => `val_${n}`)]};
    const validate = validationBatches === undefined ? undefined :
        async () => {
          const values = await evaluateBatches(model, validationBatches);
          return Object.fromEntries(names.map((name, i) => [`val_${name}`, values[i]]));
        };
    const route = routeCallbacks(model, callbacks, params, validate);
    const history = await (model.fitDataset(dataset, {
      ...fitDatasetArgs,
      epochs,
      callbacks: route.callbacks,
    } as never) as Promise<HistoryOf<M>>);
    route.rethrow();
    return history;
  } finally {
    batchSets.forEach(batches => batches.disposeIssued());
    dispose(owned);
  }
}

/** The first part for training, the last `validationSplit` for validation, as `model.fit` splits. */
function split(data: SparseData, validationSplit: number): [SparseData, SparseData] {
  const numExamples = data.labels[0].shape[0];
  const splitAt = Math.floor(numExamples * (1 - validationSplit));
  if (splitAt === 0 || splitAt === numExamples) {
    throw routeError(FIT_SPARSE, 'config',
        `has validationSplit ${validationSplit}, which leaves no ` +
            `${splitAt === 0 ? 'training' : 'validation'} examples out of ` +
            `${numExamples}.`);
  }
  const part = (begin: number, size: number): SparseData => {
    const xs = data.xs.map(t => slice(t, begin, size));
    const labels = data.labels.map(t => slice(t, begin, size));
    return {xs, labels, owned: [...xs, ...labels]};
  };
  return [part(0, splitAt), part(splitAt, -1)];
}

function checkOptions(epochs: number, batchSize: number,
    validationSplit: number, validationData: unknown): void {
  if (!(Number.isInteger(epochs) && epochs > 0)) {
    throw routeError(FIT_SPARSE, 'config',
        `must have a positive integer epochs, but got ${epochs}.`);
  }
  if (!(Number.isInteger(batchSize) && batchSize > 0)) {
    throw routeError(FIT_SPARSE, 'config',
        `must have a positive integer batchSize, but got ${batchSize}.`);
  }
  if (!(validationSplit >= 0 && validationSplit < 1)) {
    throw routeError(FIT_SPARSE, 'config',
        `must have validationSplit in [0, 1), but got ${validationSplit}.`);
  }
  if (validationData !== undefined &&
      !(Array.isArray(validationData) && validationData.length === 2)) {
    throw routeError(FIT_SPARSE, 'config',
        `must have validationData as [x, labels], but got ` +
            `${String(validationData)}.`);
  }
}
