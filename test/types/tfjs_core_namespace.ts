// Type-level test: a user of `@tensorflow/tfjs-core` alone gets the same.
import * as tfc from '@tensorflow/tfjs-core';
import 'tfjs-sparse-softmax-cross-entropy';

const logits = tfc.tensor2d([[1, 2, 3]]);
const {loss, backprop} = tfc.sparseSoftmaxCrossEntropyWithLogits(
    logits, tfc.tensor1d([0], 'int32'));
const lossRank1: tfc.Tensor1D = loss;
const backpropRank2: tfc.Tensor2D = backprop;
const chained = logits.sparseSoftmaxCrossEntropyWithLogits([0]);
const chainedBackprop: tfc.Tensor2D = chained.backprop;

export {lossRank1, backpropRank2, chainedBackprop};
