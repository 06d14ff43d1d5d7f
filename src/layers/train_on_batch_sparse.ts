import {dispose, Tensor} from '@tensorflow/tfjs-core';

import {labelledBatches} from './labelled_batches.js';
import {sparseData, SparseLabels} from './sparse_data.js';
import {checkSparseModel, SparseModel} from './sparse_model.js';

const TRAIN_ON_BATCH_SPARSE = 'trainOnBatchSparse';

export interface TrainOnBatchSparseArgs {
  /** As in `model.fit`: a weight per class, or per output a weight per class. */
  classWeight?: {[classIndex: string]: number}|Array<{[classIndex: string]: number}>;
}

/**
 * `model.trainOnBatch(x, labels)` for integer class labels: one gradient
 * step on the whole batch, resolving to the loss and metrics of that step
 * (a number, or numbers in `model.metricsNames` order), for a model compiled
 * as for `fitSparse`. `model.trainOnBatch` rejects targets whose shape
 * differs from the model's output for any custom loss; this runs one step
 * of `model.fitDataset` (no callbacks; `model.history` is left as it was).
 *
 * ```js
 * const [loss, accuracy] = await trainOnBatchSparse(model, xBatch, labelBatch);
 * ```
 *
 * @param model A compiled `tf.LayersModel` whose outputs are logits.
 * @param x The batch's inputs: one tensor, or one per model input.
 * @param labels Class indices, as for `fitSparse`.
 * @param args `classWeight`.
 */
export async function trainOnBatchSparse(
    model: SparseModel, x: Tensor|Tensor[],
    labels: SparseLabels|SparseLabels[],
    args: TrainOnBatchSparseArgs = {}): Promise<number|number[]> {
  const outputLosses = checkSparseModel(model, TRAIN_ON_BATCH_SPARSE);
  const data = await sparseData(
      model, x, labels, outputLosses, TRAIN_ON_BATCH_SPARSE);
  const batch = labelledBatches(
      data.xs, data.labels, Math.max(1, data.xs[0].shape[0]), false);
  const history = model.history;
  let logs: {[name: string]: number} = {};
  try {
    await model.fitDataset(batch, {
      epochs: 1,
      verbose: 0,
      yieldEvery: 'never',
      ...(args.classWeight === undefined ? {} : {classWeight: args.classWeight}),
      callbacks: {
        onBatchEnd: (_: number, batchLogs: {[name: string]: number}) => {
          logs = batchLogs;
        },
      },
    } as never);
  } finally {
    model.history = history;
    batch.disposeIssued();
    dispose(data.owned);
  }
  const values = Object.keys(logs).filter(key => key !== 'batch' && key !== 'size')
      .map(key => logs[key]);
  return values.length === 1 ? values[0] : values;
}
