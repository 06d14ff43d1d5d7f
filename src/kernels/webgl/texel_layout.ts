import type {GPGPUProgram, MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';
import {env, TensorInfo} from '@tensorflow/tfjs-core';

import {isPackedOnWebgl, webglTextureShape} from '../../tfjs_internals.js';

/*
 * Where an elementwise program over a packed `[batch, numClasses]` output can
 * sample its inputs at the output's own texture coordinate (`resultUV`)
 * instead of converting each invocation's (row, col) to texture coordinates
 * with tfjs's getters: with shapes as uniforms (see `row_reduce_gpu.ts`)
 * their index arithmetic costs SwiftShader as much again as the pass's reads
 * and writes. Used on WebGL 2 only, where these programs' GLSL (`texture`)
 * compiles as written.
 */

/**
 * How an elementwise program over a packed `[batch, numClasses]` output reads
 * its inputs:
 * - `blockGrid`: the output and the inputs are block grids (below); every
 *   input is sampled at the output's coordinates, rows included.
 * - `sameTexels`: the `[batch, numClasses]` input has the output's texture
 *   layout (tfjs squarifies a matrix too wide for a block grid, both alike)
 *   and is sampled at `resultUV`; the invocation's row pair comes from its
 *   texel's flat index (one division), and per-row inputs are block grids
 *   sampled at that row pair.
 * - `coordinates`: tfjs's getters, any layout.
 */
export type TexelLayout = 'blockGrid'|'sameTexels'|'coordinates';

/**
 * Whether `info` is a packed matrix on WebGL 2: what every layout but
 * `coordinates` reads.
 */
export function isPackedMatrix(
    backend: MathBackendWebGL, info: TensorInfo): boolean {
  return env().getNumber('WEBGL_VERSION') === 2 && info.shape.length === 2 &&
      isPackedOnWebgl(backend, info);
}

/**
 * Whether `info` is a packed matrix laid out as a grid of its 2x2 blocks:
 * texel (x, y) holds rows 2y, 2y+1 and columns 2x, 2x+1, as tfjs lays out a
 * packed matrix whose halved sides fit the texture size limit (larger ones
 * are squarified). When a program's output and inputs are all such grids
 * with the same rows, each input block is sampled at the output's own
 * texture coordinates.
 */
function isBlockGrid(backend: MathBackendWebGL, info: TensorInfo): boolean {
  const texShape = webglTextureShape(backend, info);
  const [rows, columns] = info.shape;
  return isPackedMatrix(backend, info) && texShape != null &&
      texShape[0] === roundUpToEven(rows) &&
      texShape[1] === roundUpToEven(columns);
}

function roundUpToEven(size: number): number {
  return size + (size % 2);
}

/**
 * The layout an elementwise program over `matrix` (packed or not, the
 * `[batch, numClasses]` input) and `rowInputs` (packed per-row results) can
 * read them in, if the output is laid out as `matrix` is (tfjs picks the
 * output's texture shape when it runs the program: see `runInTexelLayout`).
 */
function texelLayout(
    backend: MathBackendWebGL, matrix: TensorInfo,
    rowInputs: TensorInfo[]): TexelLayout {
  if (!rowInputs.every(info => isBlockGrid(backend, info))) {
    return 'coordinates';
  }
  if (isBlockGrid(backend, matrix)) {
    return 'blockGrid';
  }
  return isPackedMatrix(backend, matrix) ? 'sameTexels' : 'coordinates';
}

/**
 * Runs `makeProgram(layout)` over `inputs` in the layout `texelLayout`
 * gives for `matrix` and `rowInputs`. tfjs lays out the output by its
 * shape and writes the 2x2 blocks of a packed matrix row by row, so the
 * output has `matrix`'s texels when their textures are as wide; a `matrix`
 * whose texture tfjs laid out otherwise (for another shape, or under
 * another texture size limit) is read again by coordinates.
 * `customUniformValues` go to the program as `runWebGLProgram` takes them.
 */
export function runInTexelLayout(
    backend: MathBackendWebGL, matrix: TensorInfo, rowInputs: TensorInfo[],
    inputs: TensorInfo[], makeProgram: (layout: TexelLayout) => GPGPUProgram,
    customUniformValues?: number[][]): TensorInfo {
  const layout = texelLayout(backend, matrix, rowInputs);
  const result = backend.runWebGLProgram(
      makeProgram(layout), inputs, 'float32', customUniformValues);
  if (layout === 'coordinates' ||
      textureWidth(backend, result) === textureWidth(backend, matrix)) {
    return result;
  }
  backend.disposeIntermediateTensorInfo(result);
  return backend.runWebGLProgram(
      makeProgram('coordinates'), inputs, 'float32', customUniformValues);
}

function textureWidth(backend: MathBackendWebGL, info: TensorInfo): number|
    undefined {
  return webglTextureShape(backend, info)?.[1];
}

/**
 * GLSL: the texel in column `texelColumn` of `name`, a block grid
 * `texelColumns` texels wide whose rows are row pairs: for `blockGrid` the
 * output's own (its `resultUV.y`), for `sameTexels` the invocation's
 * `rowPair` (see `ROW_PAIR_AND_COLUMN`).
 */
export function rowTexel(
    name: string, texelColumn: number, texelColumns: number,
    layout: 'blockGrid'|'sameTexels'): string {
  const v = layout === 'blockGrid' ?
      'resultUV.y' :
      `(float(rowPair) + 0.5) / float(${name}TexShape[0] / 2)`;
  return `texture(${name}, vec2(${(texelColumn + 0.5) / texelColumns}, ${v}))`;
}

/**
 * GLSL for `sameTexels`: sets `rowPair` and `col` (the first of the 2x2
 * block's columns) of this invocation's texel, from its flat index in the
 * output texture.
 */
export const ROW_PAIR_AND_COLUMN = `
        ivec2 texel = ivec2(gl_FragCoord.xy);
        int texelIndex = texel.y * ((outTexShape[1] + 1) / 2) + texel.x;
        int columnPairs = (outShape[1] + 1) / 2;
        int rowPair = texelIndex / columnPairs;
        int col = 2 * (texelIndex - rowPair * columnPairs);`;
