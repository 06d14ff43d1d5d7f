// Type-level test: a user of `@tensorflow/tfjs-core` alone gets the chained
// method, and no `tfc.<op>` (an ES module namespace cannot take it).
import * as tfc from '@tensorflow/tfjs-core';
import {sparseSoftmaxCrossEntropyWithLogits} from 'tfjs-sparse-softmax-cross-entropy';

const logits = tfc.tensor2d([[1, 2, 3]]);
const {loss, backprop} = sparseSoftmaxCrossEntropyWithLogits(
    logits, tfc.tensor1d([0], 'int32'));
const lossRank1: tfc.Tensor1D = loss;
const backpropRank2: tfc.Tensor2D = backprop;
const chained = logits.sparseSoftmaxCrossEntropyWithLogits([0]);
const chainedBackprop: tfc.Tensor2D = chained.backprop;

// @ts-expect-error not on tfjs-core's namespace: import the op by name
tfc.sparseSoftmaxCrossEntropyWithLogits(logits, [0]);

export {lossRank1, backpropRank2, chainedBackprop};
