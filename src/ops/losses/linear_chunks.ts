import {add, concat, expandDims, matMul, mean, mul, ones, reshape, scalar, slice, square, sub, tanh, Tensor, tidy, zeros} from '@tensorflow/tfjs-core';

import {lossFeaturesGradient} from '../../gradients/SparseSoftmaxCrossEntropyLoss_grad.js';
import {SparseSoftmaxCrossEntropyLoss, SparseSoftmaxCrossEntropyLossAttrs} from '../../kernel_names.js';
import {runKernel} from '../../run_kernel.js';
import {cappedLogits} from './capped_logits.js';
import {WeightGradientSlices} from './weight_gradient_slices.js';
import {product} from './matmul_products.js';

/**
 * The output layer and the loss, validated and flattened: `hidden`
 * `[numRows, D]`, `weightMatrix` `[D, V]` (`[V, D]` if
 * `transposeWeightMatrix`), `bias` `[V]` or absent, `labels` int32
 * `[numRows]`, each in `[0, V)` (ignored examples already mapped to
 * class 0).
 */
export interface LinearLayer {
  hidden: Tensor;
  /** The public API's `kernel` (Keras's name for a Dense layer's weights). */
  weightMatrix: Tensor;
  bias?: Tensor;
  labels: Tensor;
  transposeWeightMatrix: boolean;
  labelSmoothing: number;
  /** The z-loss scale (0 for none). */
  zLoss: number;
  /** The logits' soft cap (`SparseSoftmaxCrossEntropyLossAttrs`), if any. */
  softcap?: number;
  /** Whether the loss kernel also finds each row's predicted class. */
  predictions: boolean;
}

/**
 * The per-example loss `[numRows]` and, as statistics, its rows' lse and,
 * with `LinearLayer.predictions`, their predicted classes (int32).
 */
export interface ChunkedLoss {
  perExample: Tensor;
  logSumExp: Tensor;
  predicted?: Tensor;
}

/**
 * How the work is split: rows per chunk, and how many slices the weight
 * matrix's gradient is summed in.
 */
export interface ChunkPlan {
  rowsPerChunk: number;
  weightGradientSliceCount: number;
}

/**
 * Logits written per chunk, by default: as many as the weight matrix has
 * weights, so a chunk's logits and their gradient together hold two weight
 * matrices' worth, but at least 2^20 (small layers run in few chunks) and at
 * most 2^22 (a chunk's tensors stay a few MB whatever the layer).
 *
 * Measured at `[512, 64, 49815]` (two runs of one script, interleaved
 * rounds, this machine): on SwiftShader's WebGL, chunks of 32 rows (half a
 * weight matrix) made a training step 1.08 to 1.20 times the unfused one's
 * and chunks of 64 rows 0.92 to 1.06 times; on `cpu` 64 rows were no slower
 * than 32. Peak bytes rise from 25 to 37 MB there, against the unfused
 * step's 414 MB.
 */
export function defaultRowsPerChunk(depth: number, numClasses: number): number {
  const logitsPerChunk =
      Math.min(2 ** 22, Math.max(2 ** 20, depth * numClasses));
  return Math.max(1, Math.floor(logitsPerChunk / numClasses));
}

/**
 * How many slices the weight matrix's gradient is summed in (see
 * `WeightGradientSlices`): adding a chunk's partial holds the partial slice
 * and the new sum slice beside the running sum, so with `2 D / rowsPerChunk`
 * slices (rounded up) those two hold no more than the chunk's logits did,
 * and the step's peak is not raised. Fewer slices mean fewer programs per
 * chunk (three each: a slice of hidden, a product, an addition).
 */
export function weightGradientSliceCount(depth: number, rowsPerChunk: number):
    number {
  // `WeightGradientSlices` keeps the count within [1, D].
  return Math.ceil(2 * depth / rowsPerChunk);
}

/** The gradients of the layer's parameters, before any upstream scale. */
export interface LinearGradients {
  dHidden: Tensor;
  weightGradientSlices: Tensor[];
  dBias?: Tensor;
}

function numClassesOf(layer: LinearLayer): number {
  return layer.weightMatrix.shape[layer.transposeWeightMatrix ? 0 : 1] as
      number;
}

function depthOf(layer: LinearLayer): number {
  return layer.hidden.shape[1] as number;
}

/** Each chunk's `[begin, size]` rows. */
function rowChunks(numRows: number, rowsPerChunk: number):
    Array<[number, number]> {
  const chunks: Array<[number, number]> = [];
  for (let begin = 0; begin < numRows; begin += rowsPerChunk) {
    chunks.push([begin, Math.min(rowsPerChunk, numRows - begin)]);
  }
  return chunks;
}

/** A chunk's logits, `hidden[rows] . weightMatrix + bias`, `[rows, V]`. */
function chunkLogits(layer: LinearLayer, hiddenChunk: Tensor): Tensor {
  const logitsProduct = product(hiddenChunk, layer.weightMatrix, false,
      layer.transposeWeightMatrix);
  if (layer.bias == null) {
    return logitsProduct;
  }
  const logits = add(logitsProduct, layer.bias);
  logitsProduct.dispose();
  return logits;
}

/**
 * The loss-only kernel on a chunk: `[loss, rowMax, logSumExp]`, and
 * `predicted` with `layer.predictions`.
 */
function chunkLoss(layer: LinearLayer, logits: Tensor, labels: Tensor):
    Tensor[] {
  const attrs: SparseSoftmaxCrossEntropyLossAttrs =
      {softcap: layer.softcap, predictions: layer.predictions};
  return runKernel(SparseSoftmaxCrossEntropyLoss, {features: logits, labels},
      attrs);
}

/** A chunk's statistics: its rows' lse, and their predicted classes. */
function chunkStatistics(lossOutputs: Tensor[]): Tensor[] {
  return [rowLogSumExp(lossOutputs), ...lossOutputs.slice(3)];
}

/** The chunks' statistics joined: `ChunkedLoss` without `perExample`. */
function joinStatistics(layer: LinearLayer, chunks: Tensor[][]):
    Omit<ChunkedLoss, 'perExample'> {
  return {
    logSumExp: joinRows(chunks.map(([lse]) => lse), [0]),
    predicted: layer.predictions ?
        joinRows(chunks.map(([, predicted]) => predicted), [0], 'int32') :
        undefined,
  };
}

/**
 * A chunk's per-example loss with label smoothing `s` and z-loss `z`:
 * `(1 - s) * crossEntropy + s * (lse - mean(x)) + z * lse^2`, with
 * `lse = logsumexp(x)`; the second term is the cross entropy against the
 * uniform distribution (as in `uniform_cross_entropy.ts`), both it and the
 * z-loss read off the kernel's row results. With a soft cap, `x` is the
 * capped logits (their row mean taken from a capped copy of the chunk).
 */
function smoothedLoss(
    layer: LinearLayer, logits: Tensor, lossOutputs: Tensor[]): Tensor {
  const [loss] = lossOutputs;
  const {labelSmoothing: smoothing, zLoss} = layer;
  let total = smoothing === 0 ? loss : mul(loss, scalar(1 - smoothing));
  if (smoothing === 0 && zLoss === 0) {
    return total;
  }
  const lse = rowLogSumExp(lossOutputs);
  if (smoothing > 0) {
    const uniform = sub(lse, reshape(
        mean(cappedLogits(logits, layer.softcap), 1), [loss.size]));
    total = add(total, mul(uniform, scalar(smoothing)));
  }
  if (zLoss > 0) {
    total = add(total, mul(square(lse), scalar(zLoss)));
  }
  return total;
}

/** `logsumexp(x)` per row, `[rows]`, from the loss kernel's row outputs. */
export function rowLogSumExp([loss, rowMax, logSumExp]: Tensor[]): Tensor {
  return reshape(add(rowMax, logSumExp), [loss.size]);
}

/**
 * The gradient of `sum(rowScales * perExampleLoss)` with respect to a
 * chunk's logits, in one kernel: `(1 - s) * rowScale` on the cross entropy
 * and `(s + 2 z lse) * rowScale` on the log-sum-exp, less `s * rowScale / V`
 * for the uniform term's mean (times the cap's derivative
 * `1 - tanh(x / softcap)^2` with a soft cap; the kernel applies it to the
 * rest).
 */
function chunkLogitsGradient(
    layer: LinearLayer, logits: Tensor, labels: Tensor,
    lossOutputs: Tensor[], rowScales: Tensor): Tensor {
  const [, rowMax, logSumExp] = lossOutputs;
  const {labelSmoothing: smoothing, zLoss} = layer;
  const rows = labels.shape[0];
  const dLoss = smoothing === 0 ? rowScales :
                                  mul(rowScales, scalar(1 - smoothing));
  let lseScales = smoothing === 0 ? undefined :
                                    mul(rowScales, scalar(smoothing));
  if (zLoss > 0) {
    const zScales =
        mul(mul(rowScales, rowLogSumExp(lossOutputs)), scalar(2 * zLoss));
    lseScales = lseScales == null ? zScales : add(lseScales, zScales);
  }
  const dLogSumExp =
      lseScales == null ? zeros([rows, 1]) : expandDims(lseScales, 1);
  // Never recorded (a custom gradient's forward runs with recording paused,
  // and its backward checks it is first order), so this runs the loss's
  // gradient kernel where the backend has one.
  const dLogits = lossFeaturesGradient(
      {features: logits, labels, rowMax, logSumExp}, dLoss, dLogSumExp,
      layer.softcap);
  if (smoothing === 0) {
    return dLogits;
  }
  const uniformMean =
      mul(expandDims(rowScales, 1), scalar(smoothing / numClassesOf(layer)));
  const {softcap} = layer;
  return sub(dLogits, softcap == null ? uniformMean : mul(uniformMean,
      sub(scalar(1), square(tanh(mul(logits, scalar(1 / softcap)))))));
}

/**
 * The per-example loss `[numRows]` and each row's log-sum-exp, chunk by
 * chunk, with no gradients.
 */
export function chunkedPerExampleLoss(
    layer: LinearLayer, plan: ChunkPlan): ChunkedLoss {
  const numRows = layer.labels.shape[0];
  const chunks = rowChunks(numRows, plan.rowsPerChunk).map(
      ([begin, rows]) => tidy(() => {
        const hiddenChunk = slice(layer.hidden, [begin, 0], [rows, -1]);
        const labels = slice(layer.labels, [begin], [rows]);
        const logits = chunkLogits(layer, hiddenChunk);
        const lossOutputs = chunkLoss(layer, logits, labels);
        return [smoothedLoss(layer, logits, lossOutputs),
          ...chunkStatistics(lossOutputs)];
      }));
  return {
    perExample: joinRows(chunks.map(([loss]) => loss), [0]),
    ...joinStatistics(layer, chunks.map(chunk => chunk.slice(1))),
  };
}

/**
 * The per-example loss and the gradients of `sum(rowScales * loss)` with
 * respect to `hidden`, `weightMatrix` and `bias`, in one pass over row
 * chunks: each chunk's logits are formed once, their gradient from the same
 * kernel results, and both are freed before the next chunk.
 */
export function chunkedLossAndGradients(
    layer: LinearLayer, rowScales: Tensor, plan: ChunkPlan):
    ChunkedLoss&{gradients: LinearGradients} {
  const numRows = layer.labels.shape[0];
  const depth = depthOf(layer);
  const numClasses = numClassesOf(layer);
  const weightGradient = new WeightGradientSlices(depth, numClasses,
      layer.transposeWeightMatrix, plan.weightGradientSliceCount);
  const losses: Tensor[] = [];
  const statistics: Tensor[][] = [];
  const hiddenGradients: Tensor[] = [];
  let dBias: Tensor|undefined;
  for (const [begin, rows] of rowChunks(numRows, plan.rowsPerChunk)) {
    // What the chunk's scope returns outlives it; all else is freed.
    const kept = tidy(() => {
      const hiddenChunk = slice(layer.hidden, [begin, 0], [rows, -1]);
      const labels = slice(layer.labels, [begin], [rows]);
      const logits = chunkLogits(layer, hiddenChunk);
      const lossOutputs = chunkLoss(layer, logits, labels);
      const loss = smoothedLoss(layer, logits, lossOutputs);
      const dLogits = chunkLogitsGradient(layer, logits, labels, lossOutputs,
          slice(rowScales, [begin], [rows]));
      logits.dispose();
      const dHidden =
          product(dLogits, layer.weightMatrix, false,
              !layer.transposeWeightMatrix);
      let biasSum = dBias;
      if (layer.bias != null) {
        // A column sum as a product with ones: tfjs's cpu `sum` over the
        // first axis transposes the chunk first, and costs more than this.
        const chunkBias =
            reshape(matMul(ones([1, rows]), dLogits), [numClasses]);
        biasSum = dBias == null ? chunkBias : add(dBias, chunkBias);
        dBias?.dispose();
      }
      weightGradient.addChunk(hiddenChunk, dLogits);
      return {loss, statistics: chunkStatistics(lossOutputs), dHidden,
        biasSum, weightGradientSums: weightGradient.slices()};
    });
    losses.push(kept.loss);
    statistics.push(kept.statistics);
    hiddenGradients.push(kept.dHidden);
    dBias = kept.biasSum;
  }
  if (layer.bias != null && dBias == null) {
    dBias = zeros([numClasses]);
  }
  const gradients: LinearGradients = {
    dHidden: joinRows(hiddenGradients, [0, depth]),
    weightGradientSlices: weightGradient.slices(),
    dBias,
  };
  return {perExample: joinRows(losses, [0]), ...joinStatistics(layer, statistics),
    gradients};
}

/** Row chunks joined (and freed), or an empty tensor of `emptyShape`. */
function joinRows(
    chunks: Tensor[], emptyShape: number[],
    emptyDtype: 'float32'|'int32' = 'float32'): Tensor {
  if (chunks.length === 0) {
    return zeros(emptyShape, emptyDtype);
  }
  if (chunks.length === 1) {
    return chunks[0];
  }
  const joined = concat(chunks, 0);
  chunks.forEach(chunk => chunk.dispose());
  return joined;
}
