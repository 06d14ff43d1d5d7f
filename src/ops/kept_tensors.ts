import type {Tensor} from '@tensorflow/tfjs-core';
import {reshape} from '@tensorflow/tfjs-core';

/**
 * A tensor kept (`tf.keep`) to leave a custom gradient's forward pass,
 * whose scope frees all but its value, re-made as an ordinary tensor of
 * the caller's scope (no copy), the kept one disposed: a kept tensor no
 * scope would ever free. `undefined` stays `undefined`.
 */
export function fromKept(kept: Tensor|undefined): Tensor|undefined {
  if (kept == null) {
    return undefined;
  }
  const here = reshape(kept, kept.shape);
  kept.dispose();
  return here;
}
