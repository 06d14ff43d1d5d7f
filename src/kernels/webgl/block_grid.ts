import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';
import {env, TensorInfo} from '@tensorflow/tfjs-core';

/**
 * Whether `info` is a packed 2-D texture laid out as a grid of its 2x2
 * blocks: texel (x, y) holds rows 2y, 2y+1 and columns 2x, 2x+1, as tfjs
 * lays out a packed matrix whose halved sides fit the texture size limit
 * (larger ones are squarified). When a program's output and inputs are all
 * such grids with the same rows, each input block is sampled at the output's
 * own texture coordinates: no index arithmetic, which with shapes as
 * uniforms (see `row_reduce_gpu.ts`) costs SwiftShader integer divisions per
 * invocation, as much again as the pass's reads and writes. Used on WebGL 2
 * only, where these programs' GLSL (`texture`) compiles as written.
 */
export function isBlockGrid(
    backend: MathBackendWebGL, info: TensorInfo): boolean {
  const {isPacked, texShape} = backend.texData.get(info.dataId);
  const [rows, columns] = info.shape;
  return env().getNumber('WEBGL_VERSION') === 2 && isPacked === true &&
      info.shape.length === 2 && texShape != null &&
      texShape[0] === roundUpToEven(rows) &&
      texShape[1] === roundUpToEven(columns);
}

function roundUpToEven(size: number): number {
  return size + (size % 2);
}

/**
 * GLSL: the texel in column `texelColumn` of `name`, a block grid
 * `texelColumns` texels wide with the output's rows (its blocks' rows are
 * this invocation's rows): sampled at the texel's centre on the output's
 * own `resultUV.y`, so no coordinates are computed.
 */
export function rowTexel(
    name: string, texelColumn: number, texelColumns: number): string {
  return `texture(${name}, vec2(${(texelColumn + 0.5) / texelColumns}, ` +
      'resultUV.y))';
}
