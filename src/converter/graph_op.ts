import type {Tensor} from '@tensorflow/tfjs-core';

import {sparseSoftmaxCrossEntropyWithLogits} from '../ops/sparse_softmax_cross_entropy_with_logits.js';

/** The part of tfjs-converter's `GraphNode` the op reads. */
export interface GraphNodeLike {
  inputs: Tensor[];
}

/**
 * Runs a TensorFlow graph's `SparseSoftmaxCrossEntropyWithLogits` node for
 * tfjs-converter's `tf.registerOp`: inputs `[features, labels]`, outputs
 * `[loss, backprop]` (the graph's `name:0` and `name:1`). The node's `T` and
 * `Tlabels` attributes need no reading: the converter already hands over
 * float32 features and int32 labels (it reads int64 as int32).
 *
 * The main entry registers it with a converter it can see (script tags,
 * CommonJS), the `tfjs-sparse-softmax-cross-entropy/converter` entry
 * everywhere; by hand it is
 * `tf.registerOp('SparseSoftmaxCrossEntropyWithLogits',
 * sparseSoftmaxCrossEntropyWithLogitsGraphOp)`.
 */
export function sparseSoftmaxCrossEntropyWithLogitsGraphOp(
    node: GraphNodeLike): Tensor[] {
  const [features, labels] = node.inputs;
  const {loss, backprop} = sparseSoftmaxCrossEntropyWithLogits(features, labels);
  return [loss, backprop];
}
