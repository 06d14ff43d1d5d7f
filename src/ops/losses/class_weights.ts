import {gather, maximum, minimum, mul, scalar, Tensor} from '@tensorflow/tfjs-core';

/**
 * Each example's weight with class weights: `classWeights[label]`, times
 * its entry of `weights` (which broadcast to the labels' shape) if any.
 * `labels` are the kernel's (ignored examples already mapped to class 0;
 * the reduction's mask zeroes them). Labels are clipped into range for the
 * gather only, so an out-of-range label still meets the loss kernel's own
 * check (TensorFlow's error on `cpu`, NaN on `webgl`).
 */
export function exampleWeights(
    classWeights: Tensor, labels: Tensor, weights: Tensor|undefined): Tensor {
  const lastClass = scalar(classWeights.shape[0] - 1, 'int32');
  const labelWeights = gather(classWeights,
      minimum(maximum(labels, scalar(0, 'int32')), lastClass));
  return weights == null ? labelWeights : mul(labelWeights, weights);
}
