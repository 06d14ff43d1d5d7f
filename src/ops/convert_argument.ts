import {DataType, Tensor, tensor} from '@tensorflow/tfjs-core';

import {argumentError, ArgumentName, OP_NAME} from '../errors.js';

/**
 * Turns one argument into a tensor of `dtype`, or throws a clear error.
 *
 * tfjs's own conversion infers a shape from the first element of each nested
 * array, so a ragged `[[1, 2], [3]]` is silently misread, and it truncates
 * non-integers given for an int32 argument. This checks both before any
 * tensor is made. A Tensor must already have `dtype`: casting silently would
 * hide a caller's bug (float labels, int logits).
 *
 * Errors name `functionName` (by default the op) and the argument.
 */
export function convertArgument(
    value: unknown, argument: ArgumentName, dtype: 'float32'|'int32',
    functionName = OP_NAME): Tensor {
  const ref: ArgumentRef = {argument, functionName};
  if (value instanceof Tensor) {
    if (value.isDisposed) {
      throw fail(ref, 'is a disposed Tensor.');
    }
    if (value.dtype !== dtype) {
      throw fail(ref, `must be a ${dtype} Tensor, but got a ${value.dtype} ` +
          `Tensor${dtypeHint(argument, value.dtype)}.`);
    }
    return value;
  }
  if (value == null) {
    throw fail(ref, `must be a Tensor or TensorLike, but got ${value}.`);
  }
  if (typeof value === 'number') {
    checkElement(value, ref, dtype, '');
    return tensor(value, [], dtype);
  }
  if (value instanceof Float32Array || value instanceof Int32Array ||
      value instanceof Uint8Array) {
    // A flat typed array: only int32 needs an element check.
    if (dtype === 'int32') {
      value.forEach((element, i) => checkElement(element, ref, dtype,
          `[${i}]`));
    }
    return tensor(value, [value.length], dtype);
  }
  if (Array.isArray(value)) {
    const shape = shapeOfFirstElements(value as NestedValues);
    const flat: number[] = [];
    flattenRectangular(value as NestedValues, ref, dtype, shape, 0, '', flat);
    return tensor(flat, shape, dtype);
  }
  throw fail(ref,
      `must be a Tensor or a (nested) array or typed array of numbers, but ` +
          `got ${describe(value)}.`);
}

/** The argument being converted and the function it belongs to. */
interface ArgumentRef {
  argument: ArgumentName;
  functionName: string;
}

function fail({argument, functionName}: ArgumentRef, message: string): Error {
  return argumentError(argument, message, functionName);
}

function dtypeHint(argument: ArgumentName, got: DataType): string {
  if (argument === 'labels' && got === 'float32') {
    return ' (labels are class indices: cast them with tf.cast(labels, ' +
        '\'int32\'))';
  }
  if ((argument === 'features' || argument === 'logits') && got === 'int32') {
    return ` (cast with tf.cast(${argument}, 'float32'))`;
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
    values: NestedValues, ref: ArgumentRef, dtype: 'float32'|'int32',
    shape: readonly number[], depth: number, path: string,
    flat: number[]): void {
  if (values.length !== shape[depth]) {
    throw raggedError(ref, path,
        `has ${values.length} elements where the first array at its depth ` +
            `has ${shape[depth]}`);
  }
  const innerIsNested = depth + 1 < shape.length;
  for (let i = 0; i < values.length; i++) {
    const element = values[i];
    const elementPath = `${path}[${i}]`;
    if (isNested(element) !== innerIsNested) {
      throw raggedError(ref, elementPath,
          innerIsNested ? 'is not an array where its siblings are' :
                          'is an array where its siblings are numbers');
    }
    if (innerIsNested) {
      flattenRectangular(element as NestedValues, ref, dtype, shape,
          depth + 1, elementPath, flat);
    } else {
      checkElement(element, ref, dtype, elementPath);
      flat.push(element as number);
    }
  }
}

function raggedError(ref: ArgumentRef, path: string, problem: string): Error {
  return fail(ref,
      `must be a rectangular (non-ragged) nested array, but the element at ` +
          `${ref.argument}${path} ${problem}.`);
}

function checkElement(
    element: unknown, ref: ArgumentRef, dtype: 'float32'|'int32',
    path: string): void {
  if (typeof element !== 'number') {
    throw fail(ref,
        `must hold ${dtype} numbers, but ${ref.argument}${path} is ` +
            `${describe(element)}.`);
  }
  if (dtype === 'int32' && !isInt32(element)) {
    throw fail(ref,
        `must hold int32 class indices, but ${ref.argument}${path} is ` +
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
