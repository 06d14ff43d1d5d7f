import {dispose, gather, Tensor, tensor1d, tidy, util} from '@tensorflow/tfjs-core';

/** One batch as `LayersModel.fitDataset` expects it. */
export type LabelledBatch = {xs: Tensor|Tensor[], ys: Tensor|Tensor[]};

/**
 * The part of a `tf.data.Dataset` that `LayersModel.fitDataset` and
 * `evaluateDataset` read: `iterator()` (called once per epoch) and `size`
 * (batches per epoch). Implemented here so the package needs no tfjs-data.
 */
export interface Batches {
  readonly size: number;
  iterator(): Promise<{
    next(): Promise<{value: LabelledBatch, done: false}|{value: null, done: true}>,
  }>;
}

/** Batches made from tensors, which can free what they handed out. */
export interface LabelledBatches extends Batches {
  /**
   * Frees the batches handed out and not yet freed: `fitDataset` frees each
   * batch after its step, but not the batch of a step that throws.
   */
  disposeIssued(): void;
}

/**
 * Batches of `xs` (one tensor per model input) and `labels` (one per
 * output), in a fresh random order at each `iterator()` call when `shuffle`
 * is set. Batch tensors are new (fitDataset disposes them after each step);
 * `xs` and `labels` are only read.
 */
export function labelledBatches(
    xs: Tensor[], labels: Tensor[], batchSize: number,
    shuffle: boolean): LabelledBatches {
  const numExamples = labels[0].shape[0];
  const size = Math.ceil(numExamples / batchSize);
  let issued: Tensor[] = [];
  return {
    size,
    disposeIssued() {
      dispose(issued);
      issued = [];
    },
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
          const [batchXs, batchYs] = tidy(() => {
            const rows = tensor1d(indices, 'int32');
            return [xs.map(x => gather(x, rows)),
              labels.map(y => gather(y, rows))];
          });
          issued = issued.filter(t => !t.isDisposed);
          issued.push(...batchXs, ...batchYs);
          const value = {
            xs: batchXs.length === 1 ? batchXs[0] : batchXs,
            ys: batchYs.length === 1 ? batchYs[0] : batchYs,
          };
          return {value, done: false};
        },
      };
    },
  };
}
