import {cast, div, equal, fill, maximum, scalar, Scalar, sum, Tensor, where} from '@tensorflow/tfjs-core';

/**
 * What `returnPredictions: true` adds to either loss's result: statistics
 * of the same kernel run, through which no gradient flows.
 */
export interface LossPredictions {
  /**
   * int32, the labels' shape: each example's predicted class, the first
   * argmax of its logits row (as `tf.argMax`; of the capped logits with
   * `softcap`), -1 for ignored examples.
   */
  predicted: Tensor;
  /** bool, the labels' shape: `predicted == label`, false when ignored. */
  correct: Tensor;
  /**
   * float32 scalar: the token accuracy, correct kept examples over kept
   * examples (every example without `ignoreIndex`); 0 when none is kept.
   * Per-example and class weights do not enter it.
   */
  accuracy: Scalar;
}

/**
 * The statistics from the kernel's `predicted` (labels' shape), the
 * kernels' labels (ignored ones as class 0) and the `kept` mask.
 */
export function predictionStatistics(
    predicted: Tensor, kernelLabels: Tensor,
    kept: Tensor|undefined): LossPredictions {
  // -1 never equals a kernel label, ignored examples' included (class 0).
  const masked = kept == null ? predicted :
      where(kept, predicted, fill(predicted.shape, -1, 'int32'));
  const correct = equal(masked, kernelLabels);
  const keptCount = kept == null ? scalar(predicted.size) :
                                   sum(cast(kept, 'float32'));
  return {
    predicted: masked,
    correct,
    accuracy: div(sum(cast(correct, 'float32')), maximum(keptCount, 1)),
  };
}
