import type {Tensor} from '@tensorflow/tfjs-core';

import {SparseSoftmaxCrossEntropyLoss, SparseSoftmaxCrossEntropyLossAttrs, SparseSoftmaxCrossEntropyWithLogitsInputs} from '../../kernel_names.js';
import {kernelConfig} from '../kernel_config.js';
import {binary, disposeAll, gatherAtLabels, labelIndices, reshape, rowArgMax, rowReduce, TensorflowBackend, unary} from './native_ops.js';
import {softcapped} from './softcap.js';
import {gatherCheckingLabels} from './SparseSoftmaxCrossEntropyWithLogits.js';

/**
 * The loss-only kernel on tfjs-node, from TensorFlow ops, reading nothing
 * back and writing no `[batch, numClasses]` output:
 * `logp = LogSoftmax(x)`, `loss = -logp[label]`, `rowMax = max(x)` and
 * `logSumExp = (x[label] - rowMax) - logp[label]` per row (TensorFlow's
 * `log(sumExp)`, recovered from the label's column: no second pass of
 * `exp`). Labels are checked as in the forward kernel. With `softcap`,
 * `x` is the capped features (`softcapped`). With `predictions`, each
 * row's first argmax of `x` (TensorFlow's `ArgMax`: one more read of the
 * logits, which TensorFlow's kernels cannot fuse into `Max`).
 *
 * It runs where the loss is taken without its gradient, in the linear loss,
 * and on a tfjs whose tape cannot save aliases; a first-order training step
 * on `tf.losses.sparseSoftmaxCrossEntropy` runs the forward kernel and
 * scales its `backprop` instead (`lossReusingBackprop`), one `Softmax` a
 * step where this kernel's gradient would run a second.
 */
export function sparseSoftmaxCrossEntropyLossTensorflow(args: {
  inputs: SparseSoftmaxCrossEntropyWithLogitsInputs,
  backend: TensorflowBackend,
  attrs?: SparseSoftmaxCrossEntropyLossAttrs,
}): Tensor[] {
  const {inputs: {labels}, backend, attrs: {softcap, predictions} = {}} =
      args;
  const capped = softcap ?
      softcapped(backend, args.inputs.features, softcap, false)[0] :
      undefined;
  const features = capped ?? args.inputs.features;
  const [batch] = features.shape;
  const indices = labelIndices(backend, labels);
  const logProbabilities = unary(backend, 'LogSoftmax', features);
  let labelLogProbability: Tensor;
  try {
    labelLogProbability = gatherCheckingLabels(
        backend, logProbabilities, indices, {features, labels});
  } catch (error) {
    indices.dispose();
    capped?.dispose();
    throw error;
  } finally {
    logProbabilities.dispose();
  }
  const labelLogit = gatherAtLabels(backend, features, indices);
  const loss = unary(backend, 'Neg', labelLogProbability);
  const rowMax = rowReduce(backend, 'Max', features);
  const rowMaxFlat = reshape(backend, rowMax, [batch]);
  const labelShifted = binary(backend, 'Sub', labelLogit, rowMaxFlat);
  const logSumExpFlat =
      binary(backend, 'Sub', labelShifted, labelLogProbability);
  const logSumExp = reshape(backend, logSumExpFlat, [batch, 1]);
  disposeAll(indices, labelLogProbability, labelLogit, rowMaxFlat,
      labelShifted, logSumExpFlat);
  const predicted = predictions ? [rowArgMax(backend, features)] : [];
  capped?.dispose();
  return [loss, rowMax, logSumExp, ...predicted];
}

export const sparseSoftmaxCrossEntropyLossTensorflowConfig = kernelConfig(
    SparseSoftmaxCrossEntropyLoss, 'tensorflow',
    sparseSoftmaxCrossEntropyLossTensorflow);
