import {cast, customGrad, dispose, engine, gather, GradSaveFunc, keep, mul, op, reshape, Reduction, sum, Tensor, TensorLike} from '@tensorflow/tfjs-core';

import {argumentError, LINEAR_LOSS_NAME, shapeText} from '../../errors.js';
import {convertArgument} from '../convert_argument.js';
import {fromKept} from '../kept_tensors.js';
import {ChunkedLoss, chunkedLossAndGradients, chunkedPerExampleLoss, ChunkPlan, defaultRowsPerChunk, LinearGradients, LinearLayer, weightGradientSliceCount} from './linear_chunks.js';
import {joinWeightGradient} from './weight_gradient_slices.js';
import {rowSelection, spreadRows, takeRows} from './rows_to_run.js';
import {checkOptionValues, convertWeights} from './loss_arguments.js';
import {checkOptionNames, lossExamples, LossWithLogSumExp, optionValues, SparseSoftmaxCrossEntropyOptions} from './loss_options.js';
import {LossPredictions, predictionStatistics} from './prediction_statistics.js';
import {perExampleCoefficients, reducePerExample, withoutIgnored} from './weighted_reduction.js';

/**
 * Options of `linearSparseSoftmaxCrossEntropy`: those of
 * `tf.losses.sparseSoftmaxCrossEntropy` (each chunk's loss kernel applies
 * them, and its statistics never need the whole logits), and the layer's.
 */
export interface LinearSparseSoftmaxCrossEntropyOptions extends
    SparseSoftmaxCrossEntropyOptions {
  /** float32 `[V]`, added to the logits. */
  bias?: Tensor|TensorLike;
  /** The kernel is `[V, D]` (a tied embedding matrix) instead of `[D, V]`. */
  transposeKernel?: boolean;
  /**
   * Rows (tokens) per chunk; by default enough for about
   * `max(2^20, min(2^22, D * V))` logits per chunk.
   */
  chunkSize?: number;
}

const OPTION_NAMES = ['bias', 'weights', 'labelSmoothing', 'reduction',
  'ignoreIndex', 'zLoss', 'softcap', 'classWeights', 'returnLogSumExp',
  'returnPredictions', 'transposeKernel', 'chunkSize'];

/**
 * The output layer and the sparse softmax cross entropy, fused: the loss of
 * `logits = matMul(hidden, kernel) + bias` against integer `labels`, equal
 * in value and gradients to
 * `tf.losses.sparseSoftmaxCrossEntropy(labels, logits, weights,
 * labelSmoothing, reduction, ignoreIndex)`, without ever holding the
 * `tokens x V` logits or their gradient: rows run in chunks through the
 * package's fused loss kernels, so memory is `kernel`'s gradient plus a
 * chunk.
 *
 * ```js
 * const hidden = tf.randomNormal([2, 5, 16]);        // [batch, time, D]
 * const kernel = tf.variable(tf.randomNormal([16, 1000], 0, 0.1));
 * const labels = tf.randomUniformInt([2, 5], 0, 1000);
 * tf.losses.linearSparseSoftmaxCrossEntropy(labels, hidden, kernel).print();
 * ```
 *
 * Gradients reach `hidden`, `kernel`, `bias` and `weights` (as in the
 * unfused loss, where tfjs's SUM_BY_NONZERO_WEIGHTS has no gradient for
 * weights). Under a gradient tape with a reduction to a scalar, the
 * gradients are formed while the loss is computed (each chunk's logits are
 * made once); with `Reduction.NONE` the backward pass recomputes each
 * chunk's logits. Gradients of these gradients (second order) are not
 * supported and throw; take them through the unfused loss.
 *
 * Labels outside `[0, V)` behave as in `tf.losses.sparseSoftmaxCrossEntropy`
 * (`cpu` throws TensorFlow's error, listing the labels of the chunk that
 * holds the bad one; `webgl` gives NaN).
 *
 * @param labels int32 class indices, `hidden`'s shape minus its last axis.
 * @param hidden float32 `[..., D]`, the output layer's input.
 * @param kernel float32 `[D, V]` (a Dense layer's kernel), or `[V, D]` with
 *     `options.transposeKernel`.
 * @param options `bias`, `weights`, `labelSmoothing`, `reduction`,
 *     `ignoreIndex`, `zLoss`, `softcap`, `classWeights`, `returnLogSumExp`,
 *     `returnPredictions`, `transposeKernel`, `chunkSize`.
 * @returns The per-example losses (labels' shape) for `Reduction.NONE`,
 *     else a scalar; `{loss, logSumExp}` with `options.returnLogSumExp`,
 *     and `predicted`, `correct` and `accuracy` too with
 *     `options.returnPredictions`.
 *
 * @doc {heading: 'Training', subheading: 'Losses', namespace: 'losses'}
 */
function linearSparseSoftmaxCrossEntropy_<O extends Tensor = Tensor>(
    labels: Tensor|TensorLike, hidden: Tensor|TensorLike,
    kernel: Tensor|TensorLike,
    options: LinearSparseSoftmaxCrossEntropyOptions = {}): O {
  checkOptionNames(options, OPTION_NAMES, LINEAR_LOSS_NAME);
  const {transposeKernel = false, chunkSize} = options;
  const values = optionValues(options);
  checkOptionValues({transposeKernel, chunkSize, ...values}, LINEAR_LOSS_NAME);
  const {labelSmoothing, reduction, ignoreIndex, zLoss, softcap,
    returnLogSumExp, returnPredictions} = values;
  const $labels = convertArgument(labels, 'labels', 'int32', LINEAR_LOSS_NAME);
  const $hidden = convertArgument(hidden, 'hidden', 'float32', LINEAR_LOSS_NAME);
  const $kernel = convertArgument(kernel, 'kernel', 'float32', LINEAR_LOSS_NAME);
  const $bias = options.bias == null ? undefined :
      convertArgument(options.bias, 'bias', 'float32', LINEAR_LOSS_NAME);
  const [depth, numClasses] =
      validateLayerShapes($labels, $hidden, $kernel, $bias, transposeKernel);
  const numRows = $labels.size;
  const weights = options.weights == null ? undefined :
      convertWeights(options.weights, $labels.shape, LINEAR_LOSS_NAME);
  // Rows that contribute nothing are left out of the matmul: the layer
  // runs on the others, and each result is spread back with zeros. Rows of
  // weight 0 run under a tape (the weights' gradient reads their loss) and
  // for the statistics (they read their rows). Found before any op uses
  // the labels: on the GPU backends that uploads them.
  const selection = rowSelection($labels, ignoreIndex, weights,
      !engine().isTapeOn() && !returnLogSumExp && !returnPredictions);
  const {kept, kernelLabels, weights: $weights} = lossExamples(
      $labels, numClasses, {...options, weights}, LINEAR_LOSS_NAME);
  const rowsPerChunk = chunkSize ?? defaultRowsPerChunk(depth, numClasses);
  const layer: LinearLayer = {
    hidden: reshape($hidden, [numRows, depth]),
    weightMatrix: $kernel,
    bias: $bias,
    labels: reshape(kernelLabels, [numRows]),
    transposeWeightMatrix: transposeKernel,
    labelSmoothing,
    zLoss,
    softcap,
    predictions: returnPredictions,
  };
  const plan: ChunkPlan = {
    rowsPerChunk,
    weightGradientSliceCount: weightGradientSliceCount(depth, rowsPerChunk),
  };

  let statistics: RowStatistics;
  const runLayer: LinearLayer = selection == null ? layer : {
    ...layer,
    hidden: takeRows(layer.hidden, selection),
    labels: gather(layer.labels, selection.rows),
  };
  const spread = (values: Tensor) =>
      selection == null ? values : spreadRows(values, selection);
  let loss: Tensor;
  if (!engine().isTapeOn()) {
    const {perExample, ...rowStatistics} =
        chunkedPerExampleLoss(runLayer, plan);
    statistics = rowStatistics;
    loss = reducePerExample(reshape(spread(perExample), $labels.shape), kept,
        $weights, reduction);
  } else if (reduction === Reduction.NONE) {
    let perExample: Tensor;
    [perExample, statistics] = recomputingPerExampleLoss(runLayer, plan);
    loss = reducePerExample(reshape(spread(perExample), $labels.shape), kept,
        $weights, reduction);
  } else {
    // The reduction is linear in the per-example losses: the loss is
    // `sum(coefficients * perExample)`, with the coefficients made by tfjs
    // ops from the weights (so the weights' gradient is tfjs's own).
    const coefficients =
        perExampleCoefficients($labels.shape, kept, $weights, reduction);
    [loss, statistics] = scalarLossWithGradients(runLayer, plan,
        selection == null ? coefficients : takeRows(coefficients, selection));
  }
  if (!returnLogSumExp && !returnPredictions) {
    return loss as O;
  }
  // Per example again (rows left out of the matmul are ignored ones here).
  const perRow = (values: Tensor) => reshape(spread(values), $labels.shape);
  return {
    loss,
    ...(returnLogSumExp ?
            {logSumExp: withoutIgnored(kept, perRow(statistics.logSumExp))} :
            {}),
    ...(returnPredictions ?
            predictionStatistics(
                cast(perRow(cast(statistics.predicted!, 'float32')), 'int32'),
                kernelLabels, kept) :
            {}),
  } as unknown as O;
}

/** The chunked pass's statistics (`ChunkedLoss` without the loss). */
type RowStatistics = Omit<ChunkedLoss, 'perExample'>;

/**
 * Keeps statistics made inside a custom gradient's forward pass (whose
 * scope frees all but its value), to hand them to the caller's scope with
 * `escapedStatistics`.
 */
function keepStatistics({logSumExp, predicted}: RowStatistics):
    RowStatistics {
  return {logSumExp: keep(logSumExp), predicted: predicted && keep(predicted)};
}

/** Kept statistics re-made as ordinary tensors of this scope. */
function escapedStatistics(kept: RowStatistics): RowStatistics {
  return {logSumExp: fromKept(kept.logSumExp)!,
    predicted: fromKept(kept.predicted)};
}

/**
 * The scalar loss `sum(coefficients * perExample)`, its gradients formed in
 * the same pass (Liger-Kernel's approach): a training step makes each
 * chunk's logits once, three matMuls in all as in the unfused step. The
 * gradients wait, saved, for the backward pass, which only scales them by
 * the upstream scalar.
 *
 * Measured (`cpu`, `[256, 64, 49815]`, three interleaved rounds): this step
 * took 9.0 to 18.7 s, the same loss through `Reduction.NONE` and `sum`
 * (which recomputes the logits in the backward pass, a fourth matMul and a
 * second loss kernel per chunk) 1.43 to 1.49 times as long in each round.
 * `Reduction.NONE` must recompute: its upstream is per example and unknown
 * until the backward pass, and saving each chunk's logits would hold them
 * all.
 */
function scalarLossWithGradients(
    layer: LinearLayer, plan: ChunkPlan, coefficients: Tensor):
    [Tensor, RowStatistics] {
  const hasBias = layer.bias != null;
  let statistics: RowStatistics|undefined;
  const fused = customGrad((...args: Array<Tensor|GradSaveFunc>) => {
    const save = args[args.length - 1] as GradSaveFunc;
    const {perExample, gradients, ...rowStatistics} =
        chunkedLossAndGradients(layer, coefficients, plan);
    statistics = keepStatistics(rowStatistics);
    const value = sum(mul(coefficients, perExample));
    save([perExample, gradients.dHidden,
      ...(gradients.dBias == null ? [] : [gradients.dBias]),
      ...gradients.weightGradientSlices]);
    return {
      value,
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        checkFirstOrder();
        const [savedPerExample, dHidden, ...rest] = saved;
        const dBias = hasBias ? rest[0] : undefined;
        const weightGradientSlices = hasBias ? rest.slice(1) : rest;
        const grads = [
          mul(dHidden, dy),
          joinWeightGradient(
              weightGradientSlices, layer.transposeWeightMatrix, dy),
        ];
        if (dBias != null) {
          grads.push(mul(dBias, dy));
        }
        grads.push(mul(savedPerExample, dy));
        return grads;
      },
    };
  });
  const inputs = [layer.hidden, layer.weightMatrix,
    ...(layer.bias == null ? [] : [layer.bias]), coefficients];
  const loss = fused(...inputs);
  return [loss, escapedStatistics(statistics!)];
}

/**
 * The per-example losses, `[numRows]`; the backward pass recomputes each
 * chunk's logits and forms the gradients with the upstream per example.
 */
function recomputingPerExampleLoss(layer: LinearLayer, plan: ChunkPlan):
    [Tensor, RowStatistics] {
  const hasBias = layer.bias != null;
  let statistics: RowStatistics|undefined;
  const fused = customGrad((...args: Array<Tensor|GradSaveFunc>) => {
    const save = args[args.length - 1] as GradSaveFunc;
    // The op's own tensors (flattened labels and hidden) are freed when it
    // returns; the backward pass reads saved copies.
    save([layer.hidden, layer.weightMatrix,
      ...(layer.bias == null ? [] : [layer.bias]), layer.labels]);
    const {perExample, ...rowStatistics} = chunkedPerExampleLoss(layer, plan);
    statistics = keepStatistics(rowStatistics);
    return {
      value: perExample,
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        checkFirstOrder();
        const savedLayer: LinearLayer = {
          ...layer,
          hidden: saved[0],
          weightMatrix: saved[1],
          bias: hasBias ? saved[2] : undefined,
          labels: saved[saved.length - 1],
        };
        const {perExample, logSumExp, predicted, gradients} =
            chunkedLossAndGradients({...savedLayer, predictions: false}, dy,
                plan);
        dispose([perExample, logSumExp, ...(predicted ? [predicted] : [])]);
        return gradientList(savedLayer, gradients);
      },
    };
  });
  const inputs = [layer.hidden, layer.weightMatrix,
    ...(layer.bias == null ? [] : [layer.bias])];
  const perExample = fused(...inputs);
  return [perExample, escapedStatistics(statistics!)];
}

function gradientList(layer: LinearLayer, gradients: LinearGradients):
    Tensor[] {
  const grads = [gradients.dHidden,
    joinWeightGradient(
        gradients.weightGradientSlices, layer.transposeWeightMatrix)];
  if (gradients.dBias != null) {
    grads.push(gradients.dBias);
  }
  return grads;
}

/**
 * The fused gradients are built from kernels, not from differentiable ops:
 * a gradient of them would silently miss the second-order terms.
 */
function checkFirstOrder(): void {
  if (engine().isTapeOn()) {
    throw new Error(`${LINEAR_LOSS_NAME}: gradients of its gradients ` +
        '(second and higher order) are not supported; take them through ' +
        'tf.losses.sparseSoftmaxCrossEntropy(labels, ' +
        'tf.add(tf.matMul(hidden, kernel), bias)).');
  }
}

/**
 * Checks the layer's shapes and returns `[D, V]`: `hidden` `[..., D]`,
 * `kernel` `[D, V]` (or `[V, D]`), `bias` `[V]`, labels `hidden`'s shape
 * without its last axis, at least one class.
 */
function validateLayerShapes(
    labels: Tensor, hidden: Tensor, kernel: Tensor, bias: Tensor|undefined,
    transposeKernel: boolean): [number, number] {
  const fail = (argument: 'labels'|'hidden'|'kernel'|'bias', message: string) =>
      argumentError(argument, message, LINEAR_LOSS_NAME);
  if (hidden.rank === 0) {
    throw fail('hidden', 'must have rank >= 1 (D on the last axis), but ' +
        'got a scalar.');
  }
  const layout = transposeKernel ? '[V, D] (transposeKernel)' : '[D, V]';
  if (kernel.rank !== 2) {
    throw fail('kernel', `must be a matrix ${layout}, but got shape ` +
        `${shapeText(kernel.shape)}.`);
  }
  const depth = hidden.shape[hidden.rank - 1];
  const [kernelDepth, numClasses] =
      transposeKernel ? [kernel.shape[1], kernel.shape[0]] : kernel.shape;
  if (kernelDepth !== depth) {
    throw fail('kernel', `must be ${layout} with D = ${depth} (hidden's ` +
        `last axis), but got shape ${shapeText(kernel.shape)}.`);
  }
  if (numClasses === 0) {
    throw fail('kernel', `must have V >= 1 classes, but got shape ` +
        `${shapeText(kernel.shape)}.`);
  }
  if (bias != null && (bias.rank !== 1 || bias.shape[0] !== numClasses)) {
    throw fail('bias', `must have shape [V] = [${numClasses}], but got ` +
        `${shapeText(bias.shape)}.`);
  }
  const leadingShape = hidden.shape.slice(0, -1);
  if (labels.rank !== leadingShape.length ||
      leadingShape.some((size, axis) => size !== labels.shape[axis])) {
    throw fail('labels', `must have hidden's shape without D, ` +
        `${shapeText(leadingShape)}, but got ${shapeText(labels.shape)}.`);
  }
  return [depth, numClasses];
}

/**
 * The linear loss's call forms: with `returnLogSumExp: true` and/or
 * `returnPredictions: true` in the options it returns `{loss, ...}` with
 * the statistics asked for, else the loss.
 */
export interface LinearSparseSoftmaxCrossEntropy {
  <O extends Tensor = Tensor>(labels: Tensor|TensorLike,
      hidden: Tensor|TensorLike, kernel: Tensor|TensorLike,
      options: LinearSparseSoftmaxCrossEntropyOptions&
      {returnLogSumExp: true, returnPredictions: true}):
      LossWithLogSumExp<O>&LossPredictions;
  <O extends Tensor = Tensor>(labels: Tensor|TensorLike,
      hidden: Tensor|TensorLike, kernel: Tensor|TensorLike,
      options: LinearSparseSoftmaxCrossEntropyOptions&
      {returnPredictions: true}): {loss: O}&LossPredictions;
  <O extends Tensor = Tensor>(labels: Tensor|TensorLike,
      hidden: Tensor|TensorLike, kernel: Tensor|TensorLike,
      options: LinearSparseSoftmaxCrossEntropyOptions&
      {returnLogSumExp: true}): LossWithLogSumExp<O>;
  <O extends Tensor = Tensor>(labels: Tensor|TensorLike,
      hidden: Tensor|TensorLike, kernel: Tensor|TensorLike,
      options?: LinearSparseSoftmaxCrossEntropyOptions): O;
}

export const linearSparseSoftmaxCrossEntropy:
    LinearSparseSoftmaxCrossEntropy =
    op({linearSparseSoftmaxCrossEntropy_}) as LinearSparseSoftmaxCrossEntropy;
