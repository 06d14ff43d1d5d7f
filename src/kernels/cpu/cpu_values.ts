import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';
import type {TensorInfo} from '@tensorflow/tfjs-core';

/**
 * A tensor's values on the CPU backend, checked to be the typed array the
 * kernel expects (the op guarantees float32 features and int32 labels).
 */
export function cpuValues<T extends Float32Array|Int32Array>(
    backend: MathBackendCPU, info: TensorInfo,
    arrayType: {new(length: number): T}): T {
  const values = backend.data.get(info.dataId).values;
  if (!(values instanceof arrayType)) {
    throw new Error(
        `Expected ${arrayType.name} values for a ${info.dtype} tensor on ` +
        `the cpu backend, but got ${values?.constructor.name}.`);
  }
  return values;
}
