/**
 * tfjs-sparse-softmax-cross-entropy: TensorFlow's fused
 * `SparseSoftmaxCrossEntropyWithLogits` for TensorFlow.js. Importing this
 * module registers the kernels and gradient (`./register`).
 */
import './register.js';

export {sparseSoftmaxCrossEntropyWithLogits} from './ops/sparse_softmax_cross_entropy_with_logits.js';
export type {SparseSoftmaxCrossEntropyWithLogitsResult} from './ops/sparse_softmax_cross_entropy_with_logits.js';
export {sparseSoftmaxCrossEntropy} from './ops/losses/sparse_softmax_cross_entropy.js';
export {linearSparseSoftmaxCrossEntropy} from './ops/losses/linear_sparse_softmax_cross_entropy.js';
export type {LinearSparseSoftmaxCrossEntropyOptions} from './ops/losses/linear_sparse_softmax_cross_entropy.js';
export {fitSparse} from './layers/fit_sparse.js';
export type {FitSparseArgs, SparseFitModel, SparseFitOptions} from './layers/fit_sparse.js';
export type {LabelledBatch, LabelledBatches} from './layers/labelled_batches.js';
export {sparseCategoricalCrossentropyFromLogits} from './layers/sparse_categorical_crossentropy_from_logits.js';
export type {SparseLossOptions} from './layers/sparse_categorical_crossentropy_from_logits.js';
export {sparseSoftmaxCrossEntropyWithLogitsGraphOp} from './converter/graph_op.js';
export type {GraphNodeLike} from './converter/graph_op.js';
// Re-exporting from namespaces.js also brings its `declare module`
// augmentation (the chained Tensor#sparseSoftmaxCrossEntropyWithLogits) into
// users' types. Nothing is added to the type of tfjs's `tf` namespace: under
// ES modules and in bundles the op cannot be put there (see namespaces.ts).
export type {SparseSoftmaxCrossEntropyWithLogitsOp} from './namespaces.js';
export {SparseSoftmaxCrossEntropyLoss, SparseSoftmaxCrossEntropyLossGrad, SparseSoftmaxCrossEntropyWithLogits, SparseSoftmaxCrossEntropyWithLogitsGrad} from './kernel_names.js';
export type {SparseSoftmaxCrossEntropyLossGradInputs, SparseSoftmaxCrossEntropyWithLogitsGradInputs, SparseSoftmaxCrossEntropyWithLogitsInputs} from './kernel_names.js';
