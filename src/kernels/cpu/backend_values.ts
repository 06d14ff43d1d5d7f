import type {KernelBackend, TensorInfo} from '@tensorflow/tfjs-core';

/**
 * A tensor's values read synchronously through the backend's public
 * `readSync`, checked to be the typed array the kernel expects (the op
 * guarantees float32 features and int32 labels).
 */
export function backendValues<T extends Float32Array|Int32Array>(
    backend: KernelBackend, info: TensorInfo,
    arrayType: {new(length: number): T}): T {
  const values = backend.readSync(info.dataId);
  if (!(values instanceof arrayType)) {
    throw new Error(
        `Expected ${arrayType.name} values for a ${info.dtype} tensor, but ` +
        `the backend returned ${values?.constructor.name}.`);
  }
  return values;
}

/** A new float32 tensor on the backend holding `values`. */
export function writeFloat32(
    backend: KernelBackend, shape: number[], values: Float32Array): TensorInfo {
  return {dataId: backend.write(values, shape, 'float32'), shape,
    dtype: 'float32'};
}

/**
 * Whether `values` (from `backendValues`) is the array the backend stores
 * for `info`, not a copy: true on `cpu`, whose `readSync` hands over its
 * arrays; false where reading copies (`wasm`, `webgpu`, tfjs-node).
 */
export function isStoredArray(
    backend: KernelBackend, info: TensorInfo, values: Float32Array): boolean {
  const stored = (backend as unknown as
      {data?: {get?(dataId: object): {values?: unknown}|undefined}})
      .data?.get?.(info.dataId)?.values;
  return stored === values;
}
