import type {Optimizer} from '@tensorflow/tfjs-core';

import {routeError} from './route_errors.js';
import {sparseCategoricalCrossentropyFromLogits, SparseLossOptions} from './sparse_categorical_crossentropy_from_logits.js';
import {Metrics, sparseMetrics} from './sparse_metrics.js';
import type {SparseModel} from './sparse_model.js';
import {readSparseRecord, rememberSparseCompile} from './sparse_record.js';

const COMPILE_SPARSE = 'compileSparse';

export interface CompileSparseArgs extends SparseLossOptions {
  /**
   * As in `model.compile`; by default the model's own (a model loaded with
   * `includeOptimizer` comes back with its optimizer and its state).
   */
  optimizer?: string|Optimizer;
  /**
   * As in `model.compile`, except that `'accuracy'`/`'acc'` are sparse
   * accuracy and `'crossentropy'`/`'ce'` the cross-entropy of the logits
   * (history keys `acc`, `ce`). By default the metrics saved with the model.
   */
  metrics?: Metrics;
}

/**
 * `model.compile` for a model whose outputs are logits and whose labels are
 * integer class indices: the loss is `sparseCategoricalCrossentropyFromLogits`
 * (with `labelSmoothing` and `ignoreIndex`) on every output, and
 * `metrics: ['accuracy']` means sparse accuracy (tfjs-layers maps it to
 * categorical accuracy for any custom loss, a wrong number on integer
 * labels).
 *
 * It also records the loss and metrics in the model's user-defined metadata,
 * which `model.save` writes: tfjs-layers cannot save a loss function. After
 * `tf.loadLayersModel`, `compileSparse(model)` compiles the model again as it
 * was saved, keeping the loaded optimizer (saved with
 * `{includeOptimizer: true}`) or taking `optimizer`.
 *
 * ```js
 * compileSparse(model, {optimizer: tf.train.adam(0.05), metrics: ['accuracy']});
 * await fitSparse(model, x, labels, {epochs: 20});
 * await model.save(url, {includeOptimizer: true});
 * const loaded = await tf.loadLayersModel(url);
 * compileSparse(loaded);  // loss, metrics and optimizer state as saved
 * ```
 *
 * @param model A `tf.LayersModel` whose outputs are `[batch, numClasses]`
 *     logits.
 * @param args `optimizer`, `metrics`, `labelSmoothing`, `ignoreIndex`.
 */
export function compileSparse(
    model: SparseModel, args: CompileSparseArgs = {}): void {
  const record = readSparseRecord(model);
  const optimizer = args.optimizer ?? model.optimizer;
  if (optimizer == null) {
    throw routeError(COMPILE_SPARSE, 'args',
        `needs an optimizer: the model has none (it was never compiled, or ` +
            `was saved without {includeOptimizer: true}). Pass one: ` +
            `compileSparse(model, {optimizer: 'adam'}).`);
  }
  const given = args.labelSmoothing !== undefined || args.ignoreIndex !== undefined;
  // A Sequential model names its outputs only once built (by compile).
  const lossOptions = model.outputs.map((_, i) => given ?
      {labelSmoothing: args.labelSmoothing, ignoreIndex: args.ignoreIndex} :
      record?.losses[i] ?? {});
  // One function for every output when they agree: tfjs-layers saves a
  // single loss function (as `{}`) but throws on an array of them.
  const sameOptions = lossOptions.every(
      options => JSON.stringify(options) === JSON.stringify(lossOptions[0]));
  const losses = (sameOptions ? [lossOptions[0]] : lossOptions)
      .map(options => sparseCategoricalCrossentropyFromLogits(options));
  let metrics = args.metrics ?? record?.metrics ??
      (model.metrics as Metrics|undefined);
  if (args.metrics === undefined && record !== undefined &&
      record.unsavedMetrics.length > 0) {
    console.warn(`${COMPILE_SPARSE}: the model was compiled with metric ` +
        `functions that cannot be saved (${record.unsavedMetrics.join(', ')}): ` +
        `pass them again with compileSparse(model, {metrics: [...]}).`);
  }
  metrics = sparseMetrics(metrics, lossOptions[0].ignoreIndex);
  model.compile({
    optimizer,
    loss: losses.length === 1 ? losses[0] : losses,
    ...(metrics === undefined ? {} : {metrics}),
  } as never);
  rememberSparseCompile(model);
}
