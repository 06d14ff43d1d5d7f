/**
 * Every error the op throws, worded once. Messages name the function, the
 * argument, what was expected and what was got, and contain TensorFlow's own
 * wording where TensorFlow has one (quoted in backticks as TF quotes it).
 */

export const OP_NAME = 'sparseSoftmaxCrossEntropyWithLogits';

/** The loss built on the op (`tf.losses.sparseSoftmaxCrossEntropy`). */
export const LOSS_NAME = 'sparseSoftmaxCrossEntropy';

/** The loss fused with the output layer before it. */
export const LINEAR_LOSS_NAME = 'linearSparseSoftmaxCrossEntropy';

export type ArgumentName = 'features'|'labels'|'logits'|'weights'|
    'labelSmoothing'|'reduction'|'ignoreIndex'|'x'|'config'|'hidden'|
    'kernel'|'bias'|'options'|'chunkSize'|'transposeKernel'|'zLoss'|
    'classWeights'|'returnLogSumExp'|'returnPredictions'|'softcap';

/** An error about one argument of a function (by default, the op). */
export function argumentError(
    argument: ArgumentName, message: string, functionName = OP_NAME): Error {
  return new Error(`${functionName}: argument '${argument}' ${message}`);
}

export function shapeText(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

/**
 * TensorFlow's CPU message for an out-of-range label (including its two
 * spaces before `Label values`), which lists every label.
 */
export function invalidLabelError(
    badLabel: number, numClasses: number, labels: ArrayLike<number>): Error {
  const labelValues = Array.prototype.join.call(labels, ' ');
  return argumentError(
      'labels',
      `must hold class indices in [0, ${numClasses}): Received a label ` +
          `value of ${badLabel} which is outside the valid range of ` +
          `[0, ${numClasses}).  Label values: ${labelValues}`);
}
