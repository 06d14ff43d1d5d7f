import type {Tensor, TensorInfo} from '@tensorflow/tfjs-core';

import {SparseSoftmaxCrossEntropyLoss, SparseSoftmaxCrossEntropyWithLogits, SparseSoftmaxCrossEntropyWithLogitsInputs} from '../../kernel_names.js';
import {kernelConfig} from '../kernel_config.js';
import {binary, disposeAll, labelIndices, reshape, rowReduce, TensorflowBackend, typeAttr, unary} from './native_ops.js';
import {withPackageLabelError} from './SparseSoftmaxCrossEntropyWithLogits.js';

/**
 * The loss-only kernel on tfjs-node, from TensorFlow ops, reading nothing
 * back: `rowMax = max(x)`, `logSumExp = log(sum(exp(x - rowMax)))` per row,
 * and `loss = logSumExp - (x[label] - rowMax)` with the label's logit
 * gathered (`GatherNd`). No `[batch, numClasses]` output is written, and
 * these ops measured faster than TensorFlow's fused kernel, which also
 * writes `backprop` (see docs/tfjs-node.md).
 *
 * The labels are checked by `GatherNd` before anything else runs; when it
 * rejects one, TensorFlow's fused kernel is run for its own error, so the
 * message is the forward kernel's.
 */
export function sparseSoftmaxCrossEntropyLossTensorflow(args: {
  inputs: SparseSoftmaxCrossEntropyWithLogitsInputs,
  backend: TensorflowBackend,
}): Tensor[] {
  const {inputs: {features, labels}, backend} = args;
  const [batch] = features.shape;
  const labelLogit = gatherLabelLogits(backend, features, labels);
  const rowMax = rowReduce(backend, 'Max', features);
  const shifted = binary(backend, 'Sub', features, rowMax);
  const shiftedExp = unary(backend, 'Exp', shifted);
  shifted.dispose();
  const sumExp = rowReduce(backend, 'Sum', shiftedExp);
  shiftedExp.dispose();
  const logSumExp = unary(backend, 'Log', sumExp);
  const rowMaxFlat = reshape(backend, rowMax, [batch]);
  const logSumExpFlat = reshape(backend, logSumExp, [batch]);
  const labelShifted = binary(backend, 'Sub', labelLogit, rowMaxFlat);
  const loss = binary(backend, 'Sub', logSumExpFlat, labelShifted);
  disposeAll(labelLogit, sumExp, rowMaxFlat, logSumExpFlat, labelShifted);
  return [loss, rowMax, logSumExp];
}

/**
 * Each row's logit at its label, `[batch]`. `GatherNd` rejects a label
 * outside `[0, numClasses)`; TensorFlow's fused kernel then gives its own
 * error (reworded as the package's).
 */
function gatherLabelLogits(backend: TensorflowBackend, features: TensorInfo,
    labels: TensorInfo): Tensor {
  const indices = labelIndices(backend, labels);
  try {
    return backend.executeSingleOutput('GatherNd', [
      typeAttr(backend, 'Tparams', features.dtype),
      typeAttr(backend, 'Tindices', 'int32'),
    ], [features, indices]);
  } catch (gatherError) {
    withPackageLabelError(features.shape[1], () => disposeAll(
        ...backend.executeMultipleOutputs(SparseSoftmaxCrossEntropyWithLogits,
            [typeAttr(backend, 'T', features.dtype),
              typeAttr(backend, 'Tlabels', labels.dtype)],
            [features, labels], 2)));
    throw gatherError;
  } finally {
    indices.dispose();
  }
}

export const sparseSoftmaxCrossEntropyLossTensorflowConfig = kernelConfig(
    SparseSoftmaxCrossEntropyLoss, 'tensorflow',
    sparseSoftmaxCrossEntropyLossTensorflow);
