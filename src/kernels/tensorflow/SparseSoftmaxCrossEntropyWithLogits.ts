import type {Tensor, TensorInfo} from '@tensorflow/tfjs-core';

import {argumentError} from '../../errors.js';
import {SparseSoftmaxCrossEntropyWithLogits, SparseSoftmaxCrossEntropyWithLogitsAttrs, SparseSoftmaxCrossEntropyWithLogitsInputs} from '../../kernel_names.js';
import {kernelConfig} from '../kernel_config.js';
import {binary, disposeAll, gatherAtLabels, labelIndices, rowReduce, scatterAtLabels, TensorflowBackend, typeAttr, unary} from './native_ops.js';

/**
 * Below this many logits TensorFlow's fused kernel is the faster forward:
 * it is one op call, where the composed forward is ten (and three small
 * writes), and at such sizes the calls cost more than the passes over the
 * logits. Measured on TensorFlow 2.21's CPU build, forward alone:
 * `[128, 10]` 0.03 ms against 0.11 ms; about even at 32k logits; from 64k
 * logits up the fused kernel is 1.3-1.9x slower, and alone 3.5-4.2x slower
 * than TensorFlow's `Softmax` at `[512, 1000]` and above
 * (docs/tfjs-node.md).
 */
export const FUSED_KERNEL_BELOW_LOGITS = 32768;

/**
 * The forward kernel on tfjs-node, in TensorFlow's eager runtime on the
 * tensors where they are, reading nothing into JavaScript.
 *
 * Under `FUSED_KERNEL_BELOW_LOGITS` logits: TensorFlow's own
 * `SparseSoftmaxCrossEntropyWithLogits` kernel (its label error reworded as
 * the package's). From there up, composed from TensorFlow ops that are
 * faster than that kernel at these sizes:
 *
 *   p        = Softmax(x)                 (TensorFlow's kernel)
 *   backprop = p less 1 at each label     (TensorScatterSub: TF's `p - 1`)
 *   loss     = (rowMax - x[label]) - log(max(p))
 *
 * per row, with `rowMax = max(x)`, `x[label]` gathered (`GatherNd`) and
 * `log(sumExp) = -log(max(p))`, since the softmax at the row's maximum is
 * `1 / sumExp` (in `[1 / numClasses, 1]`, so its log keeps float32
 * precision; a NaN or all `-Infinity` row gives NaN). `GatherNd` rejects a
 * label outside `[0, numClasses)` before anything of the logits' size is
 * written, and the fused kernel is then run for TensorFlow's own message.
 * With the `logSumExp` attribute, each row's log-sum-exp as a third output.
 */
export function sparseSoftmaxCrossEntropyWithLogitsTensorflow(args: {
  inputs: SparseSoftmaxCrossEntropyWithLogitsInputs,
  backend: TensorflowBackend,
  attrs?: SparseSoftmaxCrossEntropyWithLogitsAttrs,
}): Tensor[] {
  const outputs = lossAndBackprop(args);
  if (!args.attrs?.logSumExp) {
    return outputs;
  }
  // `logsumexp = loss + x[label]`: `batch` values gathered, no second pass.
  const {inputs: {features, labels}, backend} = args;
  const indices = labelIndices(backend, labels);
  const labelLogit = gatherAtLabels(backend, features, indices);
  const logSumExp = binary(backend, 'Add', outputs[0], labelLogit);
  disposeAll(indices, labelLogit);
  return [...outputs, logSumExp];
}

/** The kernel's `[loss, backprop]`, by the two routes above. */
function lossAndBackprop(args: {
  inputs: SparseSoftmaxCrossEntropyWithLogitsInputs,
  backend: TensorflowBackend,
}): Tensor[] {
  const {inputs, backend} = args;
  const {features, labels} = inputs;
  const [batch, numClasses] = features.shape;
  if (batch * numClasses < FUSED_KERNEL_BELOW_LOGITS) {
    try {
      return nativeSparseSoftmaxCrossEntropyWithLogits(backend, inputs);
    } catch (error) {
      throw labelErrorFromTensorflow(error, numClasses);
    }
  }
  const indices = labelIndices(backend, labels);
  let labelLogit: Tensor;
  try {
    labelLogit = gatherCheckingLabels(backend, features, indices, inputs);
  } catch (error) {
    indices.dispose();
    throw error;
  }
  const probabilities = unary(backend, 'Softmax', features);
  const ones = unary(backend, 'OnesLike', labelLogit);
  const backprop =
      scatterAtLabels(backend, 'Sub', probabilities, indices, ones);
  const largestProbability =
      rowReduce(backend, 'Max', probabilities, false);
  probabilities.dispose();
  const logLargestProbability = unary(backend, 'Log', largestProbability);
  const rowMax = rowReduce(backend, 'Max', features, false);
  const labelDistance = binary(backend, 'Sub', rowMax, labelLogit);
  const loss = binary(backend, 'Sub', labelDistance, logLargestProbability);
  disposeAll(indices, labelLogit, ones, largestProbability,
      logLargestProbability, rowMax, labelDistance);
  return [loss, backprop];
}

/**
 * `gatherAtLabels`, which rejects a label outside `[0, numClasses)`; then
 * TensorFlow's fused kernel is run on the op's inputs for its own error,
 * reworded as the package's (`labelErrorFromTensorflow`).
 */
export function gatherCheckingLabels(
    backend: TensorflowBackend, x: TensorInfo, indices: TensorInfo,
    inputs: SparseSoftmaxCrossEntropyWithLogitsInputs): Tensor {
  try {
    return gatherAtLabels(backend, x, indices);
  } catch (gatherError) {
    let outputs: Tensor[];
    try {
      outputs = nativeSparseSoftmaxCrossEntropyWithLogits(backend, inputs);
    } catch (error) {
      throw labelErrorFromTensorflow(error, inputs.features.shape[1]);
    }
    // TensorFlow's kernel found no bad label: GatherNd failed otherwise.
    disposeAll(...outputs);
    throw gatherError;
  }
}

/**
 * TensorFlow's own `SparseSoftmaxCrossEntropyWithLogits` kernel, run by
 * name: `[loss, backprop]`, or TensorFlow's error for a bad label.
 */
export function nativeSparseSoftmaxCrossEntropyWithLogits(
    backend: TensorflowBackend,
    {features, labels}: SparseSoftmaxCrossEntropyWithLogitsInputs): Tensor[] {
  return backend.executeMultipleOutputs(SparseSoftmaxCrossEntropyWithLogits, [
    typeAttr(backend, 'T', features.dtype),
    typeAttr(backend, 'Tlabels', labels.dtype),
  ], [features, labels], 2);
}

/**
 * TensorFlow's CPU error for an out-of-range label, as tfjs-node's addon
 * throws it (`Invalid TF_Status: 3\nMessage: Received a label value of -1
 * which is outside the valid range of [0, 4).  Label values: 4 3 0 -1`),
 * reworded as the cpu kernel words it: the function, the argument, what
 * was expected, then TensorFlow's message whole. Any other error is
 * returned as it was.
 */
export function labelErrorFromTensorflow(
    error: unknown, numClasses: number): unknown {
  const message = error instanceof Error ? error.message : '';
  const tensorflowMessage = /Received a label value of [^]*$/.exec(message);
  if (tensorflowMessage == null) {
    return error;
  }
  return argumentError('labels',
      `must hold class indices in [0, ${numClasses}): ` +
          tensorflowMessage[0].trim());
}

export const sparseSoftmaxCrossEntropyWithLogitsTensorflowConfig =
    kernelConfig(SparseSoftmaxCrossEntropyWithLogits, 'tensorflow',
        sparseSoftmaxCrossEntropyWithLogitsTensorflow);
