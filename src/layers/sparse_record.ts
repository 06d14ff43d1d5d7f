import {SparseLossOptions, sparseLossOptions} from './sparse_categorical_crossentropy_from_logits.js';
import {Metrics, savableMetrics} from './sparse_metrics.js';

/**
 * tfjs-layers saves a model's loss only by name, and a loss function has
 * none (it saves `loss: {}`). The package keeps what `compileSparse` needs
 * to compile the model again in the model's user-defined metadata, which
 * `model.save` writes and `tf.loadLayersModel` reads back.
 */
const KEY = 'tfjsSparseSoftmaxCrossEntropy';

export interface SparseRecord {
  /** The options of `sparseCategoricalCrossentropyFromLogits`, per output. */
  losses: SparseLossOptions[];
  /** The compiled metrics by name (`'accuracy'` for the package's). */
  metrics?: Metrics;
  /** Metric functions that could not be saved, by function name. */
  unsavedMetrics: string[];
}

type Model = {
  readonly loss: unknown;
  readonly metrics: unknown;
  readonly outputNames: readonly string[];
  getUserDefinedMetadata(): object|undefined;
  setUserDefinedMetadata(metadata: object): void;
};

/** The record `model` was saved with, if any. */
export function readSparseRecord(model: Model): SparseRecord|undefined {
  const metadata = model.getUserDefinedMetadata() as
      {[KEY]?: SparseRecord}|undefined;
  return metadata?.[KEY];
}

/**
 * Writes (or, if the model is no longer compiled with the package's loss,
 * removes) the record of how `model` is compiled.
 */
export function rememberSparseCompile(model: Model): void {
  const losses = model.outputNames.map((name, i) => {
    const {loss} = model;
    const fn = Array.isArray(loss) ? loss[i] :
        typeof loss === 'object' && loss !== null ?
        (loss as {[name: string]: unknown})[name] :
        loss;
    return sparseLossOptions(fn);
  });
  const metadata: {[key: string]: unknown} = {...model.getUserDefinedMetadata()};
  if (losses.every((options): options is SparseLossOptions => options !== undefined)) {
    const {names, unsaved} = savableMetrics(model.metrics as Metrics|undefined);
    const record: SparseRecord = {losses, unsavedMetrics: unsaved,
      ...(names === undefined ? {} : {metrics: names})};
    if (JSON.stringify(metadata[KEY]) === JSON.stringify(record)) {  // unchanged
      return;
    }
    // Plain JSON, as tfjs-layers requires (no undefined values).
    metadata[KEY] = JSON.parse(JSON.stringify(record));
  } else if (KEY in metadata) {
    delete metadata[KEY];
  } else {
    return;
  }
  model.setUserDefinedMetadata(metadata);
}
