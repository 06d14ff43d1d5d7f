import {Batches, LabelledBatch} from './labelled_batches.js';
import type {SparseModel} from './sparse_model.js';

/**
 * The loss and metrics of `model` over `batches`, as numbers in
 * `model.metricsNames` order: each batch goes through
 * `model.evaluateDataset` alone and the means are weighted by batch size
 * here. Two reasons not to hand it all the batches at once: a batch that
 * throws then leaves no running sums (tensors) behind, and tfjs-layers 4.x
 * returns, for a model with N > 1 outputs, N running totals of the loss
 * before the metrics (N - 1 values more than `metricsNames`, which shifts
 * every `val_*` log of its own `fit`), which is put right here.
 */
export async function evaluateBatches(
    model: SparseModel, batches: Batches): Promise<number[]> {
  const names = model.metricsNames;
  const sums = new Array<number>(names.length).fill(0);
  let numExamples = 0;
  const iterator = await batches.iterator();
  for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
    const batch = next.value;
    const batchSize = (Array.isArray(batch.xs) ? batch.xs[0] : batch.xs).shape[0];
    const result = await model.evaluateDataset(oneBatch(batch), {} as never) as
        {data(): Promise<ArrayLike<number>>, dispose(): void}|
        Array<{data(): Promise<ArrayLike<number>>, dispose(): void}>;
    const scalars = Array.isArray(result) ? result : [result];
    const values = await Promise.all(scalars.map(async s => (await s.data())[0]));
    scalars.forEach(s => s.dispose());
    inNameOrder(values, names.length, model.outputs.length)
        .forEach((value, i) => sums[i] += value * batchSize);
    numExamples += batchSize;
  }
  return sums.map(sum => sum / numExamples);
}

/** tfjs-layers' evaluation outputs, in `metricsNames` order. */
function inNameOrder(
    values: number[], numNames: number, numOutputs: number): number[] {
  if (numOutputs > 1 && values.length === numNames + numOutputs - 1) {
    // [loss_0, loss_0 + loss_1, ..., total, per-output losses, metrics]
    return [values[numOutputs - 1], ...values.slice(numOutputs)];
  }
  return values;
}

/** A dataset of one batch. */
function oneBatch(batch: LabelledBatch): Batches {
  return {
    size: 1,
    async iterator() {
      let done = false;
      return {
        async next() {
          if (done) {
            return {value: null, done: true};
          }
          done = true;
          return {value: batch, done: false};
        },
      };
    },
  };
}
