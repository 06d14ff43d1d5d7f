/**
 * Every error the op throws, worded once. Messages name the function, the
 * argument, what was expected and what was got, and contain TensorFlow's own
 * wording where TensorFlow has one (quoted in backticks as TF quotes it).
 */

export const OP_NAME = 'sparseSoftmaxCrossEntropyWithLogits';

export type ArgumentName = 'features'|'labels';

/** An error about one argument of the op. */
export function argumentError(argument: ArgumentName, message: string): Error {
  return new Error(`${OP_NAME}: argument '${argument}' ${message}`);
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
