import {Reduction, Tensor, TensorLike} from '@tensorflow/tfjs-core';

import {argumentError, LOSS_NAME, shapeText} from '../../errors.js';
import {convertArgument} from '../convert_argument.js';
import {exampleWeights} from './class_weights.js';
import {convertWeights} from './loss_arguments.js';
import {keptExamples, withoutIgnored} from './weighted_reduction.js';

/**
 * Options of `tf.losses.sparseSoftmaxCrossEntropy(labels, logits, options)`,
 * the object form beside the positional one.
 */
export interface SparseSoftmaxCrossEntropyOptions {
  /** Per-example weights that broadcast to the labels' shape. */
  weights?: Tensor|TensorLike;
  /** In [0, 1]; default 0. */
  labelSmoothing?: number;
  /** Default `tf.Reduction.SUM_BY_NONZERO_WEIGHTS`. */
  reduction?: Reduction;
  /** A label value whose examples get zero loss and count as zero weight. */
  ignoreIndex?: number;
  /**
   * PaLM's z-loss scale (Liger's `lse_square_scale`), >= 0; default 0. Adds
   * `zLoss * logsumexp(logits row)^2` to each example's loss, before the
   * example's weight and the reduction.
   */
  zLoss?: number;
  /**
   * Gemma 2's soft-capping, > 0: the kernels read the logits as
   * `softcap * tanh(logits / softcap)` (never a capped copy; label
   * smoothing's row mean aside, which takes one), with its gradient
   * `1 - tanh^2`, on every backend.
   */
  softcap?: number;
  /**
   * float32 `[numClasses]` (PyTorch's `weight`): each example's weight is
   * `classWeights[label]`, times its `weights` entry if any.
   */
  classWeights?: Tensor|TensorLike;
  /**
   * Return `{loss, logSumExp}`: with each example's `logsumexp` of its
   * logits row (labels' shape, 0 for ignored examples) from the same pass,
   * a statistic (no gradient flows through it). Default false.
   */
  returnLogSumExp?: boolean;
  /**
   * Also return each example's `predicted` class (first argmax, -1 when
   * ignored), whether it is `correct`, and the batch's token `accuracy`
   * over kept examples (`LossPredictions`), from the same kernel run.
   * Default false.
   */
  returnPredictions?: boolean;
}

/**
 * The options both losses take beyond their tensors, with their defaults
 * (the checks are `checkOptionValues`'s, in this order).
 */
export function optionValues({
  labelSmoothing = 0,
  reduction = Reduction.SUM_BY_NONZERO_WEIGHTS,
  ignoreIndex,
  zLoss = 0,
  softcap,
  returnLogSumExp = false,
  returnPredictions = false,
}: SparseSoftmaxCrossEntropyOptions) {
  return {labelSmoothing, reduction, ignoreIndex, zLoss, softcap,
    returnLogSumExp, returnPredictions};
}

/** What the losses return with `returnLogSumExp: true`. */
export interface LossWithLogSumExp<O extends Tensor = Tensor> {
  loss: O;
  logSumExp: Tensor;
}

export const LOSS_OPTION_NAMES = ['weights', 'labelSmoothing', 'reduction',
  'ignoreIndex', 'zLoss', 'softcap', 'classWeights', 'returnLogSumExp',
  'returnPredictions'];

/**
 * Whether an argument in the weights' position is the options object: a
 * plain object (an array, a typed array or a tensor are weights).
 */
export function isOptionsObject(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Throws for a non-object or for keys outside `names`. */
export function checkOptionNames(
    options: unknown, names: string[], functionName = LOSS_NAME): void {
  if (typeof options !== 'object' || options === null) {
    throw argumentError('options',
        `must be an object (or undefined), but got ${String(options)}.`,
        functionName);
  }
  const unknown = Object.keys(options).filter(key => !names.includes(key));
  if (unknown.length > 0) {
    throw argumentError('options',
        `has unknown key(s) ${unknown.join(', ')}: expected only ` +
            `${names.join(', ')}.`, functionName);
  }
}

/**
 * `classWeights` as a float32 `[numClasses]` tensor: a tensor must be
 * float32 (`convertArgument`'s check), arrays are converted.
 */
export function convertClassWeights(
    classWeights: Tensor|TensorLike, numClasses: number,
    functionName = LOSS_NAME): Tensor {
  const $classWeights = convertArgument(
      classWeights, 'classWeights', 'float32', functionName);
  if ($classWeights.rank !== 1 || $classWeights.shape[0] !== numClasses) {
    throw argumentError('classWeights',
        `must have shape [numClasses] = [${numClasses}], but got ` +
            `${shapeText($classWeights.shape)}.`, functionName);
  }
  return $classWeights;
}

/** Either loss's examples: see `lossExamples`. */
export interface LossExamples {
  /** Which examples count (bool, labels' shape), without `ignoreIndex` none. */
  kept?: Tensor;
  /** The labels the kernels read: ignored ones as class 0 (always valid). */
  kernelLabels: Tensor;
  /** Each example's weight, `weights` times `classWeights[label]`, if any. */
  weights?: Tensor;
}

/**
 * Either loss's examples from converted, shape-checked `labels` and the
 * options: the mask of `ignoreIndex`, the kernels' labels (the reduction
 * masks the ignored ones out) and the weights with class weights.
 */
export function lossExamples(
    labels: Tensor, numClasses: number,
    {weights, classWeights, ignoreIndex}: SparseSoftmaxCrossEntropyOptions,
    functionName = LOSS_NAME): LossExamples {
  const $weights = weights == null ? undefined :
      convertWeights(weights, labels.shape, functionName);
  const $classWeights = classWeights == null ? undefined :
      convertClassWeights(classWeights, numClasses, functionName);
  const kept = keptExamples(labels, ignoreIndex);
  const kernelLabels = withoutIgnored(kept, labels);
  return {
    kept,
    kernelLabels,
    weights: $classWeights == null ? $weights :
        exampleWeights($classWeights, kernelLabels, $weights),
  };
}
