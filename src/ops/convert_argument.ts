import {DataType, Tensor, tensor} from '@tensorflow/tfjs-core';

import {argumentError, ArgumentName} from '../errors.js';

/**
 * Turns one argument into a tensor of `dtype`, or throws a clear error.
 *
 * tfjs's own conversion infers a shape from the first element of each nested
 * array, so a ragged `[[1, 2], [3]]` is silently misread, and it truncates
 * non-integers given for an int32 argument. This checks both before any
 * tensor is made. A Tensor must already have `dtype`: casting silently would
 * hide a caller's bug (float labels, int logits).
 */
export function convertArgument(
    value: unknown, argument: ArgumentName, dtype: 'float32'|'int32'): Tensor {
  if (value instanceof Tensor) {
    if (value.isDisposed) {
      throw argumentError(argument, 'is a disposed Tensor.');
    }
    if (value.dtype !== dtype) {
      throw argumentError(
          argument, `must be a ${dtype} Tensor, but got a ${value.dtype} ` +
              `Tensor${dtypeHint(argument, value.dtype)}.`);
    }
    return value;
  }
  if (value == null) {
    throw argumentError(
        argument, `must be a Tensor or TensorLike, but got ${value}.`);
  }
  if (typeof value === 'number') {
    checkElement(value, argument, dtype, '');
    return tensor(value, [], dtype);
  }
  if (value instanceof Float32Array || value instanceof Int32Array ||
      value instanceof Uint8Array) {
    // A flat typed array: only int32 needs an element check.
    if (dtype === 'int32') {
      value.forEach((element, i) => checkElement(element, argument, dtype,
          `[${i}]`));
    }
    return tensor(value, [value.length], dtype);
  }
  if (Array.isArray(value)) {
    const shape = shapeOfFirstElements(value as NestedValues);
    const flat: number[] = [];
    flattenRectangular(value as NestedValues, argument, dtype, shape, 0, '',
        flat);
    return tensor(flat, shape, dtype);
  }
  throw argumentError(
      argument,
      `must be a Tensor or a (nested) array or typed array of numbers, but ` +
          `got ${describe(value)}.`);
}

function dtypeHint(argument: ArgumentName, got: DataType): string {
  if (argument === 'labels' && got === 'float32') {
    return ' (labels are class indices: cast them with tf.cast(labels, ' +
        '\'int32\'))';
  }
  if (argument === 'features' && got === 'int32') {
    return ' (cast with tf.cast(features, \'float32\'))';
  }
  return '';
}

type NestedValues = ArrayLike<unknown>;

function isNested(value: unknown): value is NestedValues {
  return Array.isArray(value) || value instanceof Float32Array ||
      value instanceof Int32Array || value instanceof Uint8Array;
}

/** The shape read off the first element at each depth, as tfjs reads it. */
function shapeOfFirstElements(values: NestedValues): number[] {
  const shape: number[] = [];
  let level: unknown = values;
  while (isNested(level)) {
    shape.push(level.length);
    level = level.length > 0 ? level[0] : undefined;
  }
  return shape;
}

function flattenRectangular(
    values: NestedValues, argument: ArgumentName, dtype: 'float32'|'int32',
    shape: readonly number[], depth: number, path: string,
    flat: number[]): void {
  if (values.length !== shape[depth]) {
    throw raggedError(argument, path,
        `has ${values.length} elements where the first array at its depth ` +
            `has ${shape[depth]}`);
  }
  const innerIsNested = depth + 1 < shape.length;
  for (let i = 0; i < values.length; i++) {
    const element = values[i];
    const elementPath = `${path}[${i}]`;
    if (isNested(element) !== innerIsNested) {
      throw raggedError(argument, elementPath,
          innerIsNested ? 'is not an array where its siblings are' :
                          'is an array where its siblings are numbers');
    }
    if (innerIsNested) {
      flattenRectangular(element as NestedValues, argument, dtype, shape,
          depth + 1, elementPath, flat);
    } else {
      checkElement(element, argument, dtype, elementPath);
      flat.push(element as number);
    }
  }
}

function raggedError(
    argument: ArgumentName, path: string, problem: string): Error {
  return argumentError(argument,
      `must be a rectangular (non-ragged) nested array, but the element at ` +
          `${argument}${path} ${problem}.`);
}

function checkElement(
    element: unknown, argument: ArgumentName, dtype: 'float32'|'int32',
    path: string): void {
  if (typeof element !== 'number') {
    throw argumentError(argument,
        `must hold ${dtype} numbers, but ${argument}${path} is ` +
            `${describe(element)}.`);
  }
  if (dtype === 'int32' && !isInt32(element)) {
    throw argumentError(argument,
        `must hold int32 class indices, but ${argument}${path} is ` +
            `${element}.`);
  }
}

function isInt32(value: number): boolean {
  return Number.isInteger(value) && value >= -(2 ** 31) && value < 2 ** 31;
}

function describe(value: unknown): string {
  if (typeof value === 'string') {
    return `the string ${JSON.stringify(value)}`;
  }
  if (value === null || typeof value !== 'object') {
    return `${typeof value} ${String(value)}`;
  }
  return `an object of type ${value.constructor?.name ?? 'Object'}`;
}
