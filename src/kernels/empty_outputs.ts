import type {BackendValues, DataType, TensorInfo} from '@tensorflow/tfjs-core';

/** What a GPU backend offers to make a tensor from values (webgl, webgpu). */
interface TensorInfoMaker {
  makeTensorInfo(shape: number[], dtype: DataType, values?: BackendValues):
      TensorInfo;
}

/**
 * Empty float32 outputs, one per shape (each with a 0 in it): what a GPU
 * kernel returns for an empty batch, without running a program (tfjs's
 * backends cannot dispatch one over no elements).
 */
export function emptyFloat32Outputs(
    backend: TensorInfoMaker, ...shapes: number[][]): TensorInfo[] {
  return shapes.map(
      shape => backend.makeTensorInfo(shape, 'float32', new Float32Array(0)));
}
