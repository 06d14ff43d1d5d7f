import {dispose, Scalar, scalar, Tensor} from '@tensorflow/tfjs-core';

import {evaluateBatches} from './evaluate_batches.js';
import {labelledBatches} from './labelled_batches.js';
import {routeError} from './route_errors.js';
import {sparseData, SparseLabels} from './sparse_data.js';
import {checkSparseModel, SparseModel} from './sparse_model.js';

const EVALUATE_SPARSE = 'evaluateSparse';

export interface EvaluateSparseArgs {
  /** Examples per evaluation batch; default 32. */
  batchSize?: number;
}

/**
 * `model.evaluate(x, labels, args)` for integer class labels: the loss and
 * the compiled metrics over all examples, as scalars in
 * `model.metricsNames` order (one scalar if there is only the loss), for a
 * model compiled as for `fitSparse`. `model.evaluate` rejects targets whose
 * shape differs from the model's output for any custom loss; this feeds
 * `model.evaluateDataset` instead (one batch at a time: for a model with
 * several outputs, tfjs-layers 4.x's evaluation returns its values out of
 * `metricsNames` order, which this puts right). The caller disposes the
 * scalars.
 *
 * ```js
 * const [loss, accuracy] = await evaluateSparse(model, x, labels);
 * ```
 *
 * @param model A compiled `tf.LayersModel` whose outputs are logits.
 * @param x The inputs: one tensor, or one per model input, batch first.
 * @param labels Class indices, as for `fitSparse`.
 * @param args `batchSize`.
 */
export async function evaluateSparse(
    model: SparseModel, x: Tensor|Tensor[],
    labels: SparseLabels|SparseLabels[],
    args: EvaluateSparseArgs = {}): Promise<Scalar|Scalar[]> {
  const {batchSize = 32} = args;
  if (!(Number.isInteger(batchSize) && batchSize > 0)) {
    throw routeError(EVALUATE_SPARSE, 'args',
        `must have a positive integer batchSize, but got ${batchSize}.`);
  }
  const outputLosses = checkSparseModel(model, EVALUATE_SPARSE);
  const data = await sparseData(model, x, labels, outputLosses, EVALUATE_SPARSE);
  const batches = labelledBatches(data.xs, data.labels, batchSize, false);
  try {
    const values = await evaluateBatches(model, batches);
    const scalars = values.map(value => scalar(value));
    return scalars.length === 1 ? scalars[0] : scalars;
  } finally {
    batches.disposeIssued();
    dispose(data.owned);
  }
}
