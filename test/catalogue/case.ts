import type * as tfjs from '@tensorflow/tfjs';

import type {linearSparseSoftmaxCrossEntropy, sparseSoftmaxCrossEntropy, sparseSoftmaxCrossEntropyWithLogits} from '../../src';

import {FLOAT16_MAX, toFloat16} from './float16';

/**
 * What a case runs against. Every lane (cpu in Node, and each browser lane)
 * builds one of these and runs the same catalogue.
 */
export interface CaseContext {
  /** The user's `tf` (the `@tensorflow/tfjs` namespace or the UMD global). */
  tf: typeof tfjs;
  /** The package's named export. */
  op: typeof sparseSoftmaxCrossEntropyWithLogits;
  /**
   * The package's loss (`tf.losses.sparseSoftmaxCrossEntropy`), which runs
   * the loss-only kernel pair.
   */
  loss: typeof sparseSoftmaxCrossEntropy;
  /** The output layer fused with the loss. */
  linearLoss: typeof linearSparseSoftmaxCrossEntropy;
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
  /** Bits per float the backend stores: 16 on WebGL's 16-bit textures. */
  floatPrecision: 16|32;
  /** Largest finite float the backend stores. */
  maxFloat: number;
  /**
   * The floats the backend stores for `values`: the float32 values on 32-bit
   * backends; on 16-bit textures the nearest float16, with magnitudes beyond
   * `maxFloat` clamped to it (infinities too: in 16-bit textures, tfjs 4.22
   * on SwiftShader turns them into NaN). Inputs compared with a float64
   * reference go through it, so the reference sees what the backend sees.
   */
  storable(values: ArrayLike<number>): Float32Array;
}

export interface TestCase {
  name: string;
  run(context: CaseContext): void|Promise<void>;
}

/**
 * Tolerances and limits from a backend's float precision (tfjs's
 * `floatPrecision()`; on WebGL see the browser lanes' measured value).
 */
export function tolerancesFor(floatPrecision: number): Pick<CaseContext,
    'rtol'|'atol'|'maxExactLabel'|'floatPrecision'|'maxFloat'|'storable'> {
  return floatPrecision === 32 ? {
    rtol: 2e-5,
    atol: 2e-6,
    maxExactLabel: 2 ** 24,
    floatPrecision: 32,
    maxFloat: 3.4028234663852886e38,
    storable: values => Float32Array.from(values),
  } : {
    rtol: 1e-1,
    atol: 1e-2,
    maxExactLabel: 2048,
    floatPrecision: 16,
    maxFloat: FLOAT16_MAX,
    storable: values => Float32Array.from(values, toFloat16),
  };
}
