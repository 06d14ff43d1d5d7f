// Type-level test, compiled by `npm run typecheck`: a user of
// `@tensorflow/tfjs` gets the op by name and on every Tensor, fully typed,
// and a compile error for `tf.<op>`, which throws "is not a function" under
// ES modules and in bundles (their namespaces are frozen).
import * as tf from '@tensorflow/tfjs';
import {sparseSoftmaxCrossEntropyWithLogits, SparseSoftmaxCrossEntropyWithLogitsResult} from 'tfjs-sparse-softmax-cross-entropy';

const logits: tf.Tensor2D = tf.tensor2d([[1, 2, 3]]);
const labels: tf.Tensor1D = tf.tensor1d([0], 'int32');

const named = sparseSoftmaxCrossEntropyWithLogits(logits, labels);
const loss: tf.Tensor1D = named.loss;
const backprop: tf.Tensor2D = named.backprop;

const chained: SparseSoftmaxCrossEntropyWithLogitsResult<tf.Tensor, tf.Tensor2D> =
    logits.sparseSoftmaxCrossEntropyWithLogits(labels);
const chainedBackprop: tf.Tensor2D = chained.backprop;

const fromArrays = sparseSoftmaxCrossEntropyWithLogits([[1, 2]], [1]);
tf.dispose(fromArrays);
const meanLoss: tf.Scalar = tf.tidy(() => tf.mean(
    sparseSoftmaxCrossEntropyWithLogits(logits, labels).loss));

// @ts-expect-error not on tfjs's namespace: import the op by name
tf.sparseSoftmaxCrossEntropyWithLogits(logits, labels);
// @ts-expect-error labels are required
sparseSoftmaxCrossEntropyWithLogits(logits);
// @ts-expect-error a string is not TensorLike
logits.sparseSoftmaxCrossEntropyWithLogits({labels: 1});
// @ts-expect-error the result has no `value`
const noValue = named.value;

export {loss, backprop, chainedBackprop, meanLoss, noValue};
