/**
 * tfjs-sparse-softmax-cross-entropy: TensorFlow's fused
 * `SparseSoftmaxCrossEntropyWithLogits` for TensorFlow.js. Importing this
 * module registers the kernels and gradient (`./register`).
 */
import './register.js';
// Keeps the `declare module` augmentations (tf.<op>, Tensor#<op>) in the
// emitted index.d.ts, so TypeScript users see them.
import './namespaces.js';

export {sparseSoftmaxCrossEntropyWithLogits} from './ops/sparse_softmax_cross_entropy_with_logits.js';
export type {SparseSoftmaxCrossEntropyWithLogitsResult} from './ops/sparse_softmax_cross_entropy_with_logits.js';
export {SparseSoftmaxCrossEntropyWithLogits, SparseSoftmaxCrossEntropyWithLogitsGrad} from './kernel_names.js';
export type {SparseSoftmaxCrossEntropyWithLogitsGradInputs, SparseSoftmaxCrossEntropyWithLogitsInputs} from './kernel_names.js';
