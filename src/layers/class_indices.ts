import {cast, squeeze, Tensor} from '@tensorflow/tfjs-core';

import {shapeText} from '../errors.js';

/**
 * Keras's sparse targets as int32 class indices: `[batch]` or `[batch, 1]`
 * (for `[batch, numClasses]` outputs), int32 or integral floats (what
 * `tf.data` makes of numbers). Targets shaped like the output are one-hot
 * targets given to a sparse loss or metric: the error says which route
 * takes them. Call inside a `tidy`.
 */
export function classIndices(
    yTrue: Tensor, yPred: Tensor, functionName: string): Tensor {
  const numClasses = yPred.shape[yPred.rank - 1];
  if (yTrue.rank === yPred.rank && numClasses > 1 &&
      yTrue.shape[yTrue.rank - 1] === numClasses) {
    throw new Error(`${functionName}: got targets of shape ` +
        `${shapeText(yTrue.shape)}, the output's shape: one-hot targets? ` +
        `It takes integer class indices ([batch] or [batch, 1]); train on ` +
        `them with fitSparse(model, x, labels) (model.fit rejects them). ` +
        `For one-hot targets, compile with loss ` +
        `tf.losses.softmaxCrossEntropy and train with model.fit.`);
  }
  const indices = yTrue.rank === yPred.rank && yTrue.shape[yTrue.rank - 1] === 1 ?
      squeeze(yTrue, [yTrue.rank - 1]) :
      yTrue;
  return indices.dtype === 'int32' ? indices : cast(indices, 'int32');
}
