import {cast, dispose, reshape, Tensor, TensorLike} from '@tensorflow/tfjs-core';

import {shapeText} from '../errors.js';
import {convertArgument} from '../ops/convert_argument.js';
import {routeError} from './route_errors.js';
import {numClassesOf, OutputLoss, SparseModel} from './sparse_model.js';

/** Labels for one output: class indices, `[batch]` or `[batch, 1]`. */
export type SparseLabels = Tensor|TensorLike;

/** Inputs and labels ready to batch: one tensor per model input and output. */
export interface SparseData {
  xs: Tensor[];
  labels: Tensor[];
  /** The tensors made here, for the caller to free. */
  owned: Tensor[];
}

/**
 * Checks `x` and `labels` against `model` and turns the labels into
 * `[batch]` tensors of the dtype each output's loss takes (int32 for the
 * package's loss): Keras's sparse targets, `[batch]` or `[batch, 1]`,
 * int32 or integral float32, one per output (an array of them for a model
 * with several outputs). The labels are read once to check that they are
 * class indices of the output they belong to (except an ignored index):
 * a wrong label fails here with its position, before any training step.
 * The caller's tensors are only read.
 */
export async function sparseData(
    model: SparseModel, x: Tensor|Tensor[], labels: SparseLabels|SparseLabels[],
    outputLosses: OutputLoss[], functionName: string,
    names = {x: 'x', labels: 'labels'}): Promise<SparseData> {
  const xs = checkInputs(model, x, functionName, names.x);
  const numExamples = xs[0].shape[0];
  const numOutputs = model.outputs.length;
  const labelList = numOutputs === 1 &&
          !(Array.isArray(labels) && labels.length === 1 && labels[0] instanceof Tensor) ?
      [labels as SparseLabels] :
      labels;
  if (!Array.isArray(labelList) || labelList.length !== numOutputs) {
    throw routeError(functionName, names.labels,
        `must be an array of ${numOutputs} label tensors, one per model ` +
            `output (${model.outputNames.join(', ')}).`);
  }
  const owned: Tensor[] = [];
  try {
    const converted: Tensor[] = [];
    for (let i = 0; i < numOutputs; i++) {
      const where = numOutputs > 1 ? `${names.labels}[${i}]` : names.labels;
      converted.push(await classLabels(labelList[i] as SparseLabels, numExamples,
          numClassesOf(model, i), outputLosses[i], functionName, where, owned));
    }
    return {xs, labels: converted, owned};
  } catch (error) {
    dispose(owned);
    throw error;
  }
}

function checkInputs(model: SparseModel, x: Tensor|Tensor[],
    functionName: string, argument: string): Tensor[] {
  const xs = Array.isArray(x) ? x : [x];
  if (xs.length !== model.inputs.length) {
    throw routeError(functionName, argument,
        `must hold ${model.inputs.length} tensor(s), one per model input, ` +
            `but holds ${xs.length}.`);
  }
  xs.forEach((t, i) => {
    const where = xs.length > 1 ? `${argument}[${i}]` : argument;
    if (!(t instanceof Tensor) || t.isDisposed || t.rank === 0) {
      throw routeError(functionName, argument,
          `must be a Tensor or an array of Tensors with a batch axis, but ` +
              `${where} is ${t instanceof Tensor ?
                  (t.isDisposed ? 'disposed' : 'a scalar') : String(t)}.`);
    }
    if (t.shape[0] !== xs[0].shape[0]) {
      throw routeError(functionName, argument,
          `must have the same number of examples in every input, but ` +
              `${where} has shape ${shapeText(t.shape)} and ${argument}[0] ` +
              `${shapeText(xs[0].shape)}.`);
    }
  });
  return xs;
}

/** One output's labels as a `[batch]` tensor of the loss's dtype, checked. */
async function classLabels(
    labels: SparseLabels, numExamples: number, numClasses: number|null,
    outputLoss: OutputLoss, functionName: string, where: string,
    owned: Tensor[]): Promise<Tensor> {
  let tensor: Tensor;
  if (labels instanceof Tensor) {
    if (labels.isDisposed || (labels.dtype !== 'int32' && labels.dtype !== 'float32')) {
      throw routeError(functionName, where,
          `must be int32 (or integral float32) class indices, but got a ` +
              `${labels.isDisposed ? 'disposed' : labels.dtype} Tensor.`);
    }
    tensor = labels;
  } else {
    tensor = convertArgument(labels, 'labels', 'int32', functionName);
    owned.push(tensor);
  }
  const {shape} = tensor;
  if (!(shape.length === 1 || (shape.length === 2 && shape[1] === 1))) {
    const oneHot = shape.length === 2 && shape[1] === numClasses;
    throw routeError(functionName, where,
        `must be class indices of shape [${numExamples}] or ` +
            `[${numExamples}, 1], but got shape ${shapeText(shape)}` +
            (oneHot ? ` (one-hot targets: train on them with model.fit and ` +
                 `a loss that takes them, or pass tf.argMax(${where}, 1)).` :
                      '.'));
  }
  if (shape[0] !== numExamples) {
    throw routeError(functionName, where,
        `must have one label per example (${numExamples}, the inputs' first ` +
            `dimension), but got shape ${shapeText(shape)}.`);
  }
  checkValues(await tensor.data(), tensor.dtype, numClasses, outputLoss,
      functionName, where);
  if (shape.length === 2) {
    tensor = reshape(tensor, [numExamples]);
    owned.push(tensor);
  }
  const dtype = outputLoss.dtype ?? tensor.dtype;
  if (tensor.dtype !== dtype) {
    tensor = cast(tensor, dtype);
    owned.push(tensor);
  }
  return tensor;
}

function checkValues(
    values: ArrayLike<number>, dtype: string, numClasses: number|null,
    {checkRange, ignoreIndex}: OutputLoss, functionName: string,
    where: string): void {
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (dtype !== 'int32' && !Number.isInteger(value)) {
      throw routeError(functionName, where,
          `must hold class indices, but ${where}[${i}] is ${value}, not an ` +
              `integer.`);
    }
    if (checkRange && numClasses != null && value !== ignoreIndex &&
        !(value >= 0 && value < numClasses)) {
      throw routeError(functionName, where,
          `must hold class indices in [0, ${numClasses}) (the output's ` +
              `last dimension${ignoreIndex === undefined ? '' :
                  `, or the ignored index ${ignoreIndex}`}), but ` +
              `${where}[${i}] is ${value}.`);
    }
  }
}
