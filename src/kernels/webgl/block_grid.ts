import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';
import {env, TensorInfo} from '@tensorflow/tfjs-core';

/**
 * Whether `info` is a packed 2-D texture laid out as a grid of its 2x2
 * blocks: texel (x, y) holds rows 2y, 2y+1 and columns 2x, 2x+1, as tfjs
 * lays out a packed matrix whose halved sides fit the texture size limit
 * (larger ones are squarified). A program whose output and inputs are all
 * such grids reads each input block with one `texelFetch` at a known texel:
 * no index arithmetic, which with shapes as uniforms (see
 * `row_reduce_gpu.ts`) costs SwiftShader integer divisions per invocation,
 * as much again as the pass's reads and writes. WebGL 2 only: WebGL 1's
 * shading language has no `texelFetch`.
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
 * GLSL: this invocation's texel, the 2x2 block it writes when the output is
 * a block grid (`gl_FragCoord` is the texel's centre).
 */
export const OUTPUT_TEXEL = 'ivec2(gl_FragCoord.xy)';
