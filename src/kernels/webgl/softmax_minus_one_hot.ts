import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';
import type {TensorInfo} from '@tensorflow/tfjs-core';

import {isPackedOnWebgl} from '../../tfjs_internals.js';
import {LossUpstream} from '../gpu_row_terms.js';
import {softcapUniformValues} from '../gpu_softcap.js';
import {asColumn} from './row_reduce.js';
import {RowTermsProgram, ScaledSoftmaxMinusOneHotProgram} from './softmax_cross_entropy_gpu.js';
import {runInTexelLayout} from './texel_layout.js';

/**
 * `softmax - onehot(labels)` (`backprop`) from the logits and their row
 * results, or with `upstream` the loss kernel's gradient
 * `(dLoss + dLogSumExp) * softmax - dLoss * onehot`: a tiny program gathers
 * each row's terms, then one elementwise pass writes the result (packed) in
 * the logits' texture layout. A label outside `[0, numClasses)` gives a NaN
 * row. With `softcap` the logits are read capped and the result carries the
 * cap's slope (`gpu_softcap.ts`); `rowMax` and `logSumExp` are the capped
 * rows'.
 */
export function softmaxMinusOneHot(
    backend: MathBackendWebGL, features: TensorInfo, labels: TensorInfo,
    rowMax: TensorInfo, logSumExp: TensorInfo,
    upstream?: LossUpstream, softcap?: number): TensorInfo {
  const [batch, numClasses] = features.shape;
  const packed = isPackedOnWebgl(backend, features);
  const rowInputs = [asColumn(labels), rowMax, logSumExp];
  if (upstream != null) {
    rowInputs.push(asColumn(upstream.dLoss), upstream.dLogSumExp);
  }
  const rowTerms = backend.runWebGLProgram(
      new RowTermsProgram(batch, packed, upstream != null), rowInputs,
      'float32', [[numClasses]], packed);
  const result = runInTexelLayout(
      backend, features, [rowTerms], [features, rowTerms],
      layout => new ScaledSoftmaxMinusOneHotProgram(
          batch, numClasses, packed, layout, softcap != null),
      softcapUniformValues(softcap));
  backend.disposeIntermediateTensorInfo(rowTerms);
  return result;
}
