import {gather, Tensor, tensor1d, tidy, util} from '@tensorflow/tfjs-core';

/** One batch as `LayersModel.fitDataset` expects it. */
export type LabelledBatch = {xs: Tensor|Tensor[], ys: Tensor};

/**
 * The part of a `tf.data.Dataset` that `LayersModel.fitDataset` and
 * `evaluateDataset` read: `iterator()` (called once per epoch) and `size`
 * (batches per epoch). Implemented here so the package needs no tfjs-data.
 */
export interface LabelledBatches {
  readonly size: number;
  iterator(): Promise<{
    next(): Promise<{value: LabelledBatch, done: false}|{value: null, done: true}>,
  }>;
}

/**
 * Batches of `xs` (one tensor per model input) and `labels`, in a fresh
 * random order at each `iterator()` call when `shuffle` is set. Batch tensors
 * are new (fitDataset disposes them after each step); `xs` and `labels` are
 * only read.
 */
export function labelledBatches(
    xs: Tensor[], labels: Tensor, batchSize: number,
    shuffle: boolean): LabelledBatches {
  const numExamples = labels.shape[0];
  const size = Math.ceil(numExamples / batchSize);
  return {
    size,
    async iterator() {
      const order = shuffle ? util.createShuffledIndices(numExamples) :
                              Uint32Array.from({length: numExamples}, (_, i) => i);
      let batch = 0;
      return {
        async next() {
          if (batch === size) {
            return {value: null, done: true};
          }
          const indices = Int32Array.from(
              order.subarray(batch * batchSize, (batch + 1) * batchSize));
          batch++;
          const value = tidy(() => {
            const rows = tensor1d(indices, 'int32');
            const batchXs = xs.map(x => gather(x, rows));
            return {
              xs: batchXs.length === 1 ? batchXs[0] : batchXs,
              ys: gather(labels, rows),
            };
          });
          return {value, done: false};
        },
      };
    },
  };
}
