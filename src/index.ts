/**
 * tfjs-sparse-softmax-cross-entropy: TensorFlow's fused
 * `SparseSoftmaxCrossEntropyWithLogits` for TensorFlow.js. Importing this
 * module registers the kernels and gradient (`./register`).
 */
import './register.js';

export {sparseSoftmaxCrossEntropyWithLogits} from './ops/sparse_softmax_cross_entropy_with_logits.js';
export type {SparseSoftmaxCrossEntropyWithLogitsResult} from './ops/sparse_softmax_cross_entropy_with_logits.js';
// Re-exporting from namespaces.js also brings its `declare module`
// augmentations (tf.<op>, Tensor#<op>) into users' types.
export type {SparseSoftmaxCrossEntropyWithLogitsOp} from './namespaces.js';
export {SparseSoftmaxCrossEntropyWithLogits, SparseSoftmaxCrossEntropyWithLogitsGrad} from './kernel_names.js';
export type {SparseSoftmaxCrossEntropyWithLogitsGradInputs, SparseSoftmaxCrossEntropyWithLogitsInputs} from './kernel_names.js';
