import {engine, op, reshape, Tensor, TensorLike} from '@tensorflow/tfjs-core';

import {argumentError, OP_NAME, shapeText} from '../errors.js';
import {SparseSoftmaxCrossEntropyWithLogits} from '../kernel_names.js';
import {runKernel} from '../run_kernel.js';
import {convertArgument} from './convert_argument.js';
import {recordedOutputs} from './recorded_outputs.js';

/**
 * The op's two outputs, in TensorFlow's order. A type literal (not an
 * interface) so it is a TensorContainer: `tf.tidy` and `tf.dispose` take it.
 */
export type SparseSoftmaxCrossEntropyWithLogitsResult<
    L extends Tensor = Tensor, B extends Tensor = Tensor> = {
  /** Per-example loss `logsumexp(features) - features[label]`, labels' shape. */
  loss: L;
  /** `softmax(features) - onehot(labels)`, features' shape. */
  backprop: B;
};

/**
 * Computes softmax cross entropy between `features` (logits) and integer
 * class `labels`, fused: TensorFlow's `SparseSoftmaxCrossEntropyWithLogits`.
 * No one-hot matrix is built; the row max is subtracted so large logits stay
 * exact.
 *
 * For each row `x` of logits with label `y`:
 * `loss = logsumexp(x) - x[y]` and `backprop = softmax(x) - onehot(y)`
 * (the gradient of `loss` with respect to `x`).
 *
 * ```js
 * const logits = tf.tensor2d([[1, 2, 3], [1, 2, 3]]);
 * const labels = tf.tensor1d([2, 0], 'int32');
 * const {loss, backprop} = sparseSoftmaxCrossEntropyWithLogits(logits, labels);
 * loss.print();      // [0.407606, 2.4076059]
 * backprop.print();  // [[0.0900306, 0.2447285, -0.3347591], ...]
 * // The same, chained: logits.sparseSoftmaxCrossEntropyWithLogits(labels).
 * // Not tf.sparseSoftmaxCrossEntropyWithLogits: ES module namespaces are
 * // frozen (see namespaces.ts), so the types do not declare it.
 * ```
 *
 * Both outputs are differentiable (also to second and higher order); the
 * labels get a zero gradient.
 *
 * Labels outside `[0, numClasses)`: the `cpu` backend throws TensorFlow's
 * error; `webgl` and `webgpu`, like TensorFlow's GPU kernel, do not check
 * (that would need a read-back) and return NaN for that row's loss and
 * backprop, other rows exact. `wasm` runs in place on its heap and throws as
 * `cpu` does. tfjs-node's `tensorflow` runs TensorFlow's own kernel and
 * ops in TensorFlow's memory and throws TensorFlow's error. A backend
 * without kernels of this package (a custom backend) runs the `cpu`
 * kernels, which read the data back through the backend, and behaves as
 * `cpu`.
 *
 * @param features float32 logits of rank >= 1, classes on the last axis,
 *     at least one class. Higher ranks are flattened to 2-D and restored.
 * @param labels int32 class indices with the features' shape minus its last
 *     axis (a scalar for rank-1 features).
 * @returns `{loss, backprop}`: `loss` float32 with the labels' shape,
 *     `backprop` float32 with the features' shape.
 *
 * @doc {heading: 'Training', subheading: 'Losses', namespace: 'losses'}
 */
function sparseSoftmaxCrossEntropyWithLogits_<L extends Tensor = Tensor,
                                              B extends Tensor = Tensor>(
    features: B|TensorLike, labels: L|TensorLike):
    SparseSoftmaxCrossEntropyWithLogitsResult<L, B> {
  const $features = convertArgument(features, 'features', 'float32');
  const $labels = convertArgument(labels, 'labels', 'int32');
  const [batch, numClasses] = validateShapes($features.shape, $labels.shape);

  const features2d = reshapeIfNeeded($features, [batch, numClasses]);
  const labels1d = reshapeIfNeeded($labels, [batch]);
  const {loss, backprop} = engine().isTapeOn() ?
      recordedOutputs(features2d, labels1d) :
      kernelOutputs(features2d, labels1d);
  return {
    loss: reshapeIfNeeded(loss, $labels.shape) as L,
    backprop: reshapeIfNeeded(backprop, $features.shape) as B,
  };
}

function kernelOutputs(features: Tensor, labels: Tensor):
    {loss: Tensor, backprop: Tensor} {
  const [loss, backprop] =
      runKernel(SparseSoftmaxCrossEntropyWithLogits, {features, labels});
  return {loss, backprop};
}

/**
 * `reshape` only when the shape changes: each reshape is one more tensor on
 * the tape and, in a training step, one more `[batch, numClasses]` tensor
 * (plus its saved copy and its gradient) that tfjs counts in memory.
 */
function reshapeIfNeeded<T extends Tensor>(x: T, shape: number[]): Tensor {
  return x.shape.length === shape.length &&
          x.shape.every((size, axis) => size === shape[axis]) ?
      x :
      reshape(x, shape);
}

/**
 * Checks the shapes as TensorFlow does (with its wording) and returns the
 * 2-D `[batch, numClasses]` the kernel runs on. Errors name `functionName`
 * and call the logits `featuresName` (the loss calls them `logits`).
 */
export function validateShapes(
    featuresShape: number[], labelsShape: number[], functionName = OP_NAME,
    featuresName: 'features'|'logits' = 'features'): [number, number] {
  const rank = featuresShape.length;
  if (rank === 0) {
    throw argumentError(featuresName,
        '`logits` cannot be a scalar: expected rank >= 1 with classes on ' +
            'the last axis, but got a scalar.', functionName);
  }
  if (labelsShape.length !== rank - 1) {
    throw argumentError('labels',
        '`labels.shape.rank` must equal `logits.shape.rank - 1`: expected ' +
            `rank ${rank - 1} for ${featuresName} of shape ` +
            `${shapeText(featuresShape)}, but got rank ${labelsShape.length} ` +
            `(shape ${shapeText(labelsShape)}).`, functionName);
  }
  const leadingShape = featuresShape.slice(0, -1);
  if (leadingShape.some((size, axis) => size !== labelsShape[axis])) {
    throw argumentError('labels',
        'logits and labels must have the same first dimension: expected ' +
            `shape ${shapeText(leadingShape)} to match ${featuresName} of ` +
            `shape ${shapeText(featuresShape)}, but got ` +
            `${shapeText(labelsShape)}.`, functionName);
  }
  const numClasses = featuresShape[rank - 1];
  if (numClasses === 0) {
    throw argumentError(featuresName,
        'Must have at least one class: expected a last axis of size >= 1, ' +
            `but got shape ${shapeText(featuresShape)}.`, functionName);
  }
  const batch = leadingShape.reduce((product, size) => product * size, 1);
  return [batch, numClasses];
}

export const sparseSoftmaxCrossEntropyWithLogits =
    op({sparseSoftmaxCrossEntropyWithLogits_});
