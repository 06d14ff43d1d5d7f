import type * as tfjs from '@tensorflow/tfjs';

import type {sparseSoftmaxCrossEntropyWithLogits} from '../../src';

/**
 * What a case runs against. Every lane (cpu in Node, and each browser lane)
 * builds one of these and runs the same catalogue.
 */
export interface CaseContext {
  /** The user's `tf` (the `@tensorflow/tfjs` namespace or the UMD global). */
  tf: typeof tfjs;
  /** The package's named export. */
  op: typeof sparseSoftmaxCrossEntropyWithLogits;
  /** The backend under test (also the current backend when a case starts). */
  backend: string;
  /** Relative tolerance for this backend's float precision. */
  rtol: number;
  /** Absolute tolerance for this backend's float precision. */
  atol: number;
  /**
   * Whether out-of-range labels throw TensorFlow's error (`cpu`), or give NaN
   * rows as TensorFlow's GPU kernel does (`webgl`).
   */
  checksLabels: boolean;
  /** Largest label the backend's textures represent exactly. */
  maxExactLabel: number;
}

export interface TestCase {
  name: string;
  run(context: CaseContext): void|Promise<void>;
}

/** Tolerances from a backend's float precision (tfjs's `floatPrecision()`). */
export function tolerancesFor(floatPrecision: number):
    Pick<CaseContext, 'rtol'|'atol'|'maxExactLabel'> {
  return floatPrecision === 32 ?
      {rtol: 2e-5, atol: 2e-6, maxExactLabel: 2 ** 24} :
      {rtol: 1e-1, atol: 1e-2, maxExactLabel: 2048};
}
