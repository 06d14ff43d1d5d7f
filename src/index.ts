/**
 * tfjs-sparse-softmax-cross-entropy: TensorFlow's fused
 * `SparseSoftmaxCrossEntropyWithLogits` for TensorFlow.js. Importing this
 * module registers the kernels and gradient (`./register`).
 */
import './register.js';

export {sparseSoftmaxCrossEntropyWithLogits} from './ops/sparse_softmax_cross_entropy_with_logits.js';
export type {SparseSoftmaxCrossEntropyWithLogitsResult} from './ops/sparse_softmax_cross_entropy_with_logits.js';
export {sparseSoftmaxCrossEntropy} from './ops/losses/sparse_softmax_cross_entropy.js';
export type {LossWithLogSumExp, SparseSoftmaxCrossEntropyOptions} from './ops/losses/loss_options.js';
export type {LossPredictions} from './ops/losses/prediction_statistics.js';
export type {SparseSoftmaxCrossEntropy} from './ops/losses/sparse_softmax_cross_entropy.js';
export {linearSparseSoftmaxCrossEntropy} from './ops/losses/linear_sparse_softmax_cross_entropy.js';
export type {LinearSparseSoftmaxCrossEntropy, LinearSparseSoftmaxCrossEntropyOptions} from './ops/losses/linear_sparse_softmax_cross_entropy.js';
export {compileSparse} from './layers/compile_sparse.js';
export type {CompileSparseArgs} from './layers/compile_sparse.js';
export {fitSparse} from './layers/fit_sparse.js';
export type {FitSparseArgs, SparseFitOptions} from './layers/fit_sparse.js';
export {evaluateSparse} from './layers/evaluate_sparse.js';
export type {EvaluateSparseArgs} from './layers/evaluate_sparse.js';
export {trainOnBatchSparse} from './layers/train_on_batch_sparse.js';
export type {TrainOnBatchSparseArgs} from './layers/train_on_batch_sparse.js';
export type {SparseModel} from './layers/sparse_model.js';
export type {SparseLabels} from './layers/sparse_data.js';
export type {LabelledBatch, LabelledBatches} from './layers/labelled_batches.js';
export {sparseCategoricalCrossentropyFromLogits} from './layers/sparse_categorical_crossentropy_from_logits.js';
export type {SparseLossFunction, SparseLossOptions} from './layers/sparse_categorical_crossentropy_from_logits.js';
export {sparseSoftmaxCrossEntropyWithLogitsGraphOp} from './converter/graph_op.js';
export type {GraphNodeLike} from './converter/graph_op.js';
// Re-exporting from namespaces.js also brings its `declare module`
// augmentation (the chained Tensor#sparseSoftmaxCrossEntropyWithLogits) into
// users' types. Nothing is added to the type of tfjs's `tf` namespace: under
// ES modules and in bundles the op cannot be put there (see namespaces.ts).
export type {SparseSoftmaxCrossEntropyWithLogitsOp} from './namespaces.js';
export {SparseSoftmaxCrossEntropyLoss, SparseSoftmaxCrossEntropyLossGrad, SparseSoftmaxCrossEntropyWithLogits, SparseSoftmaxCrossEntropyWithLogitsGrad} from './kernel_names.js';
export type {SparseSoftmaxCrossEntropyLossGradInputs, SparseSoftmaxCrossEntropyWithLogitsGradInputs, SparseSoftmaxCrossEntropyWithLogitsInputs} from './kernel_names.js';
