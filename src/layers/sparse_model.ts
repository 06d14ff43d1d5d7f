import {Batches} from './labelled_batches.js';
import {COMPILE_HINT, routeError} from './route_errors.js';
import {sparseLossOptions} from './sparse_categorical_crossentropy_from_logits.js';
import {metricsOfOutput, Metrics, oneHotMetrics} from './sparse_metrics.js';
import {rememberSparseCompile} from './sparse_record.js';

/**
 * What the package's routes use of a `tf.LayersModel`, all of it public
 * tfjs-layers API (typed structurally: the package does not import
 * tfjs-layers).
 */
export interface SparseModel {
  fitDataset(dataset: Batches, args: never): Promise<unknown>;
  evaluateDataset(dataset: Batches, args: never): Promise<unknown>;
  compile(args: never): void;
  readonly optimizer: unknown;
  readonly loss: unknown;
  readonly metrics: unknown;
  readonly metricsNames: readonly string[];
  history: unknown;
  stopTraining: boolean;
  readonly inputs: readonly unknown[];
  readonly outputs: ReadonlyArray<{readonly shape: ReadonlyArray<number|null>}>;
  readonly outputNames: readonly string[];
  readonly outputLayers: ReadonlyArray<OutputLayer>;
  getUserDefinedMetadata(): object|undefined;
  setUserDefinedMetadata(metadata: object): void;
}

interface OutputLayer {
  readonly name: string;
  getClassName(): string;
  getConfig(): {[key: string]: unknown};
}

/** tfjs-layers' own sparse loss, which takes probabilities, by its names. */
const TFJS_SPARSE_LOSS = ['sparseCategoricalCrossentropy',
  'sparse_categorical_crossentropy'];

/** The loss compiled for output `index`, as `model.compile` received it. */
function lossOfOutput(model: SparseModel, index: number): unknown {
  const {loss} = model;
  if (Array.isArray(loss)) {
    return loss[index];
  }
  if (typeof loss === 'object' && loss !== null) {
    return (loss as {[name: string]: unknown})[model.outputNames[index]];
  }
  return loss;
}

/** The number of classes output `index` scores (its last dimension). */
export function numClassesOf(model: SparseModel, index: number): number|null {
  const {shape} = model.outputs[index];
  return shape[shape.length - 1];
}

/** What a route needs to know of each output's loss to check labels. */
export interface OutputLoss {
  /** Labels must lie in [0, numClasses), except this one (ignored). */
  checkRange: boolean;
  ignoreIndex?: number;
  /**
   * The dtype the loss takes the labels in: int32 for the package's loss,
   * float32 for tfjs-layers' sparse loss (it floors them); a loss of the
   * user's own gets them as given.
   */
  dtype?: 'int32'|'float32';
}

const warned = new WeakSet<object>();

/**
 * Checks that `model` is compiled for integer labels, before a route of
 * `functionName` feeds it any: compiled, a loss for every output (a loaded
 * model has none: tfjs-layers cannot save a function loss), no loss that
 * takes one-hot targets, and no metric that would report a wrong number on
 * integer labels. Warns (once per model) when tfjs-layers'
 * `'sparseCategoricalCrossentropy'`, which takes probabilities, is compiled
 * on an output without softmax. Records the package's loss in the model's
 * metadata so that `model.save` keeps it for `compileSparse`.
 */
export function checkSparseModel(
    model: SparseModel, functionName: string): OutputLoss[] {
  if (model.optimizer == null) {
    throw routeError(functionName, 'model',
        `is not compiled. Compile it with ${COMPILE_HINT}; after ` +
            `tf.loadLayersModel, compileSparse(model) restores the loss and ` +
            `metrics saved with it.`);
  }
  const metrics = model.metrics as Metrics|undefined;
  const outputLosses = model.outputNames.map((outputName, i) => {
    const loss = lossOfOutput(model, i);
    const where = model.outputNames.length > 1 ? ` for output '${outputName}'` : '';
    if (loss == null) {
      throw routeError(functionName, 'model',
          `has no loss${where}: tfjs-layers cannot save a loss function, so ` +
              `a model loaded with tf.loadLayersModel comes back without it. ` +
              `Call compileSparse(model) once after loading (it restores the ` +
              `loss and metrics the package saved with the model and keeps ` +
              `the loaded optimizer), or compile it with ${COMPILE_HINT}.`);
    }
    const isTfjsSparse = typeof loss === 'string' && TFJS_SPARSE_LOSS.includes(loss);
    if (typeof loss === 'string' && !isTfjsSparse) {
      throw routeError(functionName, 'model',
          `is compiled with loss '${loss}'${where}, which does not take ` +
              `integer class labels. For one-hot or real-valued targets, use ` +
              `model.fit / model.evaluate; for integer labels, compile with ` +
              `${COMPILE_HINT}.`);
    }
    const wrongMetrics = oneHotMetrics(
        metricsOfOutput(metrics, model.outputNames, i), isTfjsSparse);
    if (wrongMetrics.length > 0) {
      throw routeError(functionName, 'model',
          `is compiled with metrics ${wrongMetrics.join(', ')}${where}, ` +
              `which tfjs-layers computes on one-hot targets (with the ` +
              `package's loss it maps 'accuracy' to categoricalAccuracy): ` +
              `on integer labels it reports a wrong number. Compile with ` +
              `compileSparse(model, {optimizer, metrics: ['accuracy']}), ` +
              `where 'accuracy' is sparse accuracy, or pass ` +
              `tf.metrics.sparseCategoricalAccuracy.`);
    }
    if (isTfjsSparse && !endsInSoftmax(model.outputLayers[i]) &&
        !warned.has(model)) {
      warned.add(model);
      console.warn(`${functionName}: the model is compiled with ` +
          `tfjs-layers' '${loss}', which takes probabilities, but its ` +
          `output layer '${model.outputLayers[i].name}' has no softmax ` +
          `(it outputs logits): that loss clips them to [1e-7, 1 - 1e-7] ` +
          `and trains badly. Compile with loss: ` +
          `sparseCategoricalCrossentropyFromLogits(), or add ` +
          `activation: 'softmax' to the output layer.`);
    }
    const options = sparseLossOptions(loss);
    return {checkRange: isTfjsSparse || options !== undefined,
      ignoreIndex: options?.ignoreIndex,
      dtype: isTfjsSparse ? 'float32' as const :
          options !== undefined ? 'int32' as const : undefined};
  });
  rememberSparseCompile(model);
  return outputLosses;
}

/** Whether `layer` ends in a softmax (its activation, or a Softmax layer). */
function endsInSoftmax(layer: OutputLayer): boolean {
  return layer.getClassName() === 'Softmax' ||
      layer.getConfig()['activation'] === 'softmax';
}
