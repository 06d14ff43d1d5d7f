// Type-level test, compiled by `npm run typecheck`: a user of
// `@tensorflow/tfjs` sees the op on `tf` and on every Tensor, fully typed.
import * as tf from '@tensorflow/tfjs';
import {sparseSoftmaxCrossEntropyWithLogits, SparseSoftmaxCrossEntropyWithLogitsResult} from 'tfjs-sparse-softmax-cross-entropy';

const logits: tf.Tensor2D = tf.tensor2d([[1, 2, 3]]);
const labels: tf.Tensor1D = tf.tensor1d([0], 'int32');

const viaNamespace = tf.sparseSoftmaxCrossEntropyWithLogits(logits, labels);
const loss: tf.Tensor1D = viaNamespace.loss;
const backprop: tf.Tensor2D = viaNamespace.backprop;

const chained: SparseSoftmaxCrossEntropyWithLogitsResult<tf.Tensor, tf.Tensor2D> =
    logits.sparseSoftmaxCrossEntropyWithLogits(labels);
const chainedBackprop: tf.Tensor2D = chained.backprop;

const named = sparseSoftmaxCrossEntropyWithLogits([[1, 2]], [1]);
tf.dispose(named);
const meanLoss: tf.Scalar = tf.tidy(() => tf.mean(
    tf.sparseSoftmaxCrossEntropyWithLogits(logits, labels).loss));

// @ts-expect-error labels are required
tf.sparseSoftmaxCrossEntropyWithLogits(logits);
// @ts-expect-error a string is not TensorLike
logits.sparseSoftmaxCrossEntropyWithLogits({labels: 1});
// @ts-expect-error the result has no `value`
const noValue = viaNamespace.value;

export {loss, backprop, chainedBackprop, meanLoss, noValue};
