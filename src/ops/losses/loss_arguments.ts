import {cast, Reduction, Tensor, TensorLike} from '@tensorflow/tfjs-core';

import {argumentError, LOSS_NAME, shapeText} from '../../errors.js';
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

export function checkLabelSmoothing(
    labelSmoothing: unknown, functionName = LOSS_NAME): void {
  if (typeof labelSmoothing !== 'number' || !(labelSmoothing >= 0) ||
      !(labelSmoothing <= 1)) {
    throw argumentError('labelSmoothing',
        `must be a number in [0, 1], but got ${String(labelSmoothing)}.`,
        functionName);
  }
}

const REDUCTIONS = [Reduction.NONE, Reduction.MEAN, Reduction.SUM,
  Reduction.SUM_BY_NONZERO_WEIGHTS];

export function checkReduction(
    reduction: unknown, functionName = LOSS_NAME): void {
  if (!REDUCTIONS.includes(reduction as Reduction)) {
    throw argumentError('reduction',
        `must be a tf.Reduction (NONE, MEAN, SUM or SUM_BY_NONZERO_WEIGHTS), ` +
            `but got ${String(reduction)}.`,
        functionName);
  }
}

export function checkIgnoreIndex(
    ignoreIndex: unknown, functionName = LOSS_NAME): void {
  if (ignoreIndex != null &&
      !(Number.isInteger(ignoreIndex) && (ignoreIndex as number) >= -(2 ** 31) &&
        (ignoreIndex as number) < 2 ** 31)) {
    throw argumentError('ignoreIndex',
        `must be an int32 label value (or undefined), but got ` +
            `${String(ignoreIndex)}.`,
        functionName);
  }
}
