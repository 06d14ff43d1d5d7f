import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';
import type {TensorInfo} from '@tensorflow/tfjs-core';

import {isPackedMatrix, runInTexelLayout, TexelLayout} from './texel_layout.js';
import {asColumn} from './row_reduce.js';
import {PackedColumnProgram, ScaleRowsProgram} from './softmax_cross_entropy_gpu.js';

/**
 * `rowScales[:, None] * values` for packed `values` `[batch, numClasses]`
 * and `rowScales` `[batch]`: when `values` can be sampled at the output's
 * own coordinates (`texel_layout.ts`), the scales are first copied into a
 * packed column (tfjs would pack them anyway) that the pass samples per
 * row pair.
 */
export function scaleRows(
    backend: MathBackendWebGL, values: TensorInfo,
    rowScales: TensorInfo): TensorInfo {
  const [batch, numClasses] = values.shape;
  const makeProgram = (layout: TexelLayout) =>
      new ScaleRowsProgram(batch, numClasses, layout);
  if (!isPackedMatrix(backend, values)) {
    return backend.runWebGLProgram(
        makeProgram('coordinates'), [values, asColumn(rowScales)], 'float32');
  }
  const column = backend.runWebGLProgram(
      new PackedColumnProgram(batch), [rowScales], 'float32');
  const result = runInTexelLayout(
      backend, values, [column], [values, column], makeProgram);
  backend.disposeIntermediateTensorInfo(column);
  return result;
}
