import type {TensorInfo} from '@tensorflow/tfjs-core';

/** TensorFlow's op name; the forward kernel is registered under it. */
export const SparseSoftmaxCrossEntropyWithLogits =
    'SparseSoftmaxCrossEntropyWithLogits';

/**
 * Inputs of the forward kernel: `features` float32 `[batch, numClasses]`,
 * `labels` int32 `[batch]`. Outputs, in order: `loss` float32 `[batch]`,
 * `backprop` float32 `[batch, numClasses]`.
 */
export type SparseSoftmaxCrossEntropyWithLogitsInputs = {
  features: TensorInfo;
  labels: TensorInfo;
};

/**
 * The fused first-order gradient with respect to `features`: one pass that
 * turns the saved `backprop` and the upstream gradients into `dFeatures`.
 * TensorFlow has no such kernel (its gradient is a composite); tfjs needs it
 * so a training step costs a pass over the logits instead of several.
 */
export const SparseSoftmaxCrossEntropyWithLogitsGrad =
    'SparseSoftmaxCrossEntropyWithLogitsGrad';

/**
 * Inputs of the gradient kernel: `backprop` float32 `[batch, numClasses]` (the
 * forward output), `labels` int32 `[batch]`, `dLoss` float32 `[batch]`,
 * `dBackprop` float32 `[batch, numClasses]`. Output: `dFeatures` float32
 * `[batch, numClasses]`.
 */
export type SparseSoftmaxCrossEntropyWithLogitsGradInputs = {
  backprop: TensorInfo;
  labels: TensorInfo;
  dLoss: TensorInfo;
  dBackprop: TensorInfo;
};
