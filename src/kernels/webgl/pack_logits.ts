import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';
import {env, TensorInfo} from '@tensorflow/tfjs-core';

import {isPackedOnWebgl} from '../../tfjs_internals.js';

/**
 * The logits for the forward kernel's passes: a packed copy of unpacked
 * `features` (as uploaded from the CPU) where `prepacks` says so, else
 * `features` itself. On SwiftShader the packing pass costs less than what
 * it saves the two passes that read the logits: reading an unpacked texture
 * takes four texels with index arithmetic per 2x2 block, the packed copy one
 * texel at the output's own coordinates (`texel_layout.ts`). The copy lives
 * only during the kernel: release it with `releasePackedLogits`.
 */
export function packedLogits(
    backend: MathBackendWebGL, features: TensorInfo): TensorInfo {
  backend.uploadToGPU(features.dataId);
  return isPackedOnWebgl(backend, features) || !prepacks(features.shape) ?
      features :
      backend.packTensor(features);
}

/** Frees what `packedLogits` made, if it made a copy. */
export function releasePackedLogits(
    backend: MathBackendWebGL, logits: TensorInfo, features: TensorInfo) {
  if (logits !== features) {
    backend.disposeIntermediateTensorInfo(logits);
  }
}

/**
 * Whether to pack `[batch, numClasses]` logits first: on WebGL 2, where the
 * elementwise pass then samples the packed copy at its output's own
 * coordinates (`texel_layout.ts`), with more than two rows (a packed row pair
 * of one row leaves half of each texel idle). Nothing is packed with
 * `WEBGL_PACK` off, as tfjs's own ops then do not.
 */
function prepacks([batch]: number[]): boolean {
  return env().getNumber('WEBGL_VERSION') === 2 &&
      env().getBool('WEBGL_PACK') && batch > 2;
}
