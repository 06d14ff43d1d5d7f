import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';
import type {TensorInfo} from '@tensorflow/tfjs-core';

import {isBlockGrid} from './block_grid.js';
import {asColumn} from './row_reduce.js';
import {PackedColumnProgram, ScaleRowsProgram} from './softmax_cross_entropy_gpu.js';

/**
 * `rowScales[:, None] * values` for packed `values` `[batch, numClasses]`
 * and `rowScales` `[batch]`: when `values` is a block grid, the scales are
 * first copied into a packed column (tfjs would pack them anyway) so the
 * elementwise pass samples both at its own coordinates (`block_grid.ts`).
 */
export function scaleRows(
    backend: MathBackendWebGL, values: TensorInfo,
    rowScales: TensorInfo): TensorInfo {
  const [batch, numClasses] = values.shape;
  if (isBlockGrid(backend, values)) {
    const column = backend.runWebGLProgram(
        new PackedColumnProgram(batch), [rowScales], 'float32');
    if (isBlockGrid(backend, column)) {
      const result = backend.runWebGLProgram(
          new ScaleRowsProgram(batch, numClasses, true), [values, column],
          'float32');
      backend.disposeIntermediateTensorInfo(column);
      return result;
    }
    backend.disposeIntermediateTensorInfo(column);
  }
  return backend.runWebGLProgram(
      new ScaleRowsProgram(batch, numClasses, false),
      [values, asColumn(rowScales)], 'float32');
}
