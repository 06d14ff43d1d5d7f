/**
 * tfjs-sparse-softmax-cross-entropy: TensorFlow's fused
 * `SparseSoftmaxCrossEntropyWithLogits` for TensorFlow.js. Importing this
 * module registers the kernels and gradient (`./register`).
 */
import './register';

export {sparseSoftmaxCrossEntropyWithLogits, SparseSoftmaxCrossEntropyWithLogitsResult} from './ops/sparse_softmax_cross_entropy_with_logits';
export {SparseSoftmaxCrossEntropyWithLogits, SparseSoftmaxCrossEntropyWithLogitsGrad, SparseSoftmaxCrossEntropyWithLogitsGradInputs, SparseSoftmaxCrossEntropyWithLogitsInputs} from './kernel_names';
