import type {Tensor} from '@tensorflow/tfjs-core';

import {argumentError} from '../../errors.js';
import {SparseSoftmaxCrossEntropyWithLogits, SparseSoftmaxCrossEntropyWithLogitsInputs} from '../../kernel_names.js';
import {kernelConfig} from '../kernel_config.js';
import {TensorflowBackend, typeAttr} from './native_ops.js';

/**
 * The forward kernel on tfjs-node: TensorFlow's own CPU kernel
 * `SparseSoftmaxCrossEntropyWithLogits`, run by name in TensorFlow's eager
 * runtime on the tensors where they are. Its outputs are TensorFlow's
 * (`loss`, `backprop`); nothing is read into JavaScript. A label outside
 * `[0, numClasses)` makes TensorFlow raise its error, which is reworded as
 * the package's other errors (see `labelErrorFromTensorflow`).
 */
export function sparseSoftmaxCrossEntropyWithLogitsTensorflow(args: {
  inputs: SparseSoftmaxCrossEntropyWithLogitsInputs,
  backend: TensorflowBackend,
}): Tensor[] {
  const {inputs: {features, labels}, backend} = args;
  return withPackageLabelError(features.shape[1], () =>
    backend.executeMultipleOutputs(SparseSoftmaxCrossEntropyWithLogits, [
      typeAttr(backend, 'T', features.dtype),
      typeAttr(backend, 'Tlabels', labels.dtype),
    ], [features, labels], 2));
}

/**
 * Runs `body`, which calls TensorFlow's kernel, turning TensorFlow's label
 * error into the package's.
 */
export function withPackageLabelError<T>(numClasses: number, body: () => T): T {
  try {
    return body();
  } catch (error) {
    throw labelErrorFromTensorflow(error, numClasses);
  }
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
