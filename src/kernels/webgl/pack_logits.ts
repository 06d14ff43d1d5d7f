import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';
import {backend as currentBackend, engine, env, getBackend, Tensor, TensorInfo} from '@tensorflow/tfjs-core';

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
  return packs(backend, features) ? backend.packTensor(features) : features;
}

/**
 * For a first-order training step through the loss-only kernels on WebGL: a
 * packed copy of `[batch, numClasses]` `features` where the forward kernel
 * would pack them (`packedLogits`), for the loss kernel and its gradient
 * kernel both to read; else null (another backend, or logits the forward
 * kernel would read as they are). Unpacked, each of the two kernels would
 * read four texels per 2x2 block: at `[512, 1000]` and `[4096, 1024]` the
 * step took 1.09 and 1.32 times the op's step, which packs once, and 0.82
 * and 0.78 with the copy (docs/performance.md). The copy is one more
 * `[batch, numClasses]` texture, held from the forward to the gradient.
 */
export function packedLogitsForLossStep(features: Tensor): Tensor|null {
  if (getBackend() !== 'webgl') {
    return null;
  }
  const backend = currentBackend() as MathBackendWebGL;
  if (!packs(backend, features)) {
    return null;
  }
  return engine().makeTensorFromTensorInfo(packedLogits(backend, features));
}

/** Frees what `packedLogits` made, if it made a copy. */
export function releasePackedLogits(
    backend: MathBackendWebGL, logits: TensorInfo, features: TensorInfo) {
  if (logits !== features) {
    backend.disposeIntermediateTensorInfo(logits);
  }
}

/** Whether `packedLogits` packs `features`. */
function packs(backend: MathBackendWebGL, features: TensorInfo): boolean {
  return !isPackedOnWebgl(backend, features) && prepacks(features.shape);
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
