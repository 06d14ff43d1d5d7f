import {cast, Reduction, Tensor, TensorLike} from '@tensorflow/tfjs-core';

import {argumentError, ArgumentName, LOSS_NAME, shapeText} from '../../errors.js';
import {convertArgument} from '../convert_argument.js';

/**
 * The loss's `weights` as a float32 tensor, checked to broadcast to the
 * per-example loss shape (the labels' shape) without growing it. Like
 * `tf.losses.*`, int32 and bool weights are accepted and cast.
 */
export function convertWeights(
    weights: Tensor|TensorLike, lossShape: number[],
    functionName = LOSS_NAME): Tensor {
  const $weights = weights instanceof Tensor &&
          (weights.dtype === 'int32' || weights.dtype === 'bool') &&
          !weights.isDisposed ?
      cast(weights, 'float32') :
      convertArgument(weights, 'weights', 'float32', functionName);
  const offset = lossShape.length - $weights.rank;
  if (offset < 0 ||
      $weights.shape.some(
          (size, axis) => size !== 1 && size !== lossShape[offset + axis])) {
    throw argumentError('weights',
        `must broadcast to the per-example loss shape ` +
            `${shapeText(lossShape)} (the labels' shape), but got shape ` +
            `${shapeText($weights.shape)}.`,
        functionName);
  }
  return $weights;
}

const REDUCTIONS: unknown[] = [Reduction.NONE, Reduction.MEAN, Reduction.SUM,
  Reduction.SUM_BY_NONZERO_WEIGHTS];

const isNumber = (value: unknown): value is number => typeof value === 'number';

/**
 * The losses' scalar options: each name's test, and what the error says
 * it must be. One table, so every option's error reads the same.
 */
const OPTION_CHECKS: {[name: string]: [(value: unknown) => boolean, string]} = {
  labelSmoothing: [value => isNumber(value) && value >= 0 && value <= 1,
    'a number in [0, 1]'],
  reduction: [value => REDUCTIONS.includes(value),
    'a tf.Reduction (NONE, MEAN, SUM or SUM_BY_NONZERO_WEIGHTS)'],
  ignoreIndex: [value => value == null || (Number.isInteger(value) &&
      (value as number) >= -(2 ** 31) && (value as number) < 2 ** 31),
  'an int32 label value (or undefined)'],
  zLoss: [value => isNumber(value) && value >= 0 && value < Infinity,
    'a finite number >= 0'],
  softcap: [value => value == null ||
      (isNumber(value) && value > 0 && value < Infinity),
  'a finite number > 0'],
  returnLogSumExp: [value => typeof value === 'boolean', 'a boolean'],
  returnPredictions: [value => typeof value === 'boolean', 'a boolean'],
  transposeKernel: [value => typeof value === 'boolean', 'a boolean'],
  chunkSize: [value => value == null ||
      (Number.isInteger(value) && (value as number) >= 1),
  'a positive integer (rows per chunk)'],
};

/** Throws the argument error of the first option in `values` that fails. */
export function checkOptionValues(
    values: {[name: string]: unknown}, functionName = LOSS_NAME): void {
  for (const [name, value] of Object.entries(values)) {
    const [test, expected] = OPTION_CHECKS[name];
    if (!test(value)) {
      throw argumentError(name as ArgumentName,
          `must be ${expected}, but got ${String(value)}.`, functionName);
    }
  }
}

export function checkLabelSmoothing(
    labelSmoothing: unknown, functionName = LOSS_NAME): void {
  checkOptionValues({labelSmoothing}, functionName);
}

export function checkIgnoreIndex(
    ignoreIndex: unknown, functionName = LOSS_NAME): void {
  checkOptionValues({ignoreIndex}, functionName);
}
