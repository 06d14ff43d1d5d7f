import type {KernelBackend, TensorInfo} from '@tensorflow/tfjs-core';

import {SparseSoftmaxCrossEntropyWithLogitsGrad, SparseSoftmaxCrossEntropyWithLogitsGradAttrs, SparseSoftmaxCrossEntropyWithLogitsGradInputs} from '../../kernel_names.js';
import {sparseSoftmaxCrossEntropyWithLogitsGradImpl} from '../SparseSoftmaxCrossEntropyWithLogits_impl.js';
import {kernelConfig} from '../kernel_config.js';
import {backendValues, isStoredArray, writeFloat32} from './backend_values.js';
import {copiedGrad, copiedGradInPlace} from '../row_passes/copied_row_passes.js';

/**
 * The fused gradient kernel over TypedArrays (backends and wasm row passes
 * as the forward's). With `backpropReusable`, no `dBackprop`, and
 * `backprop`'s own array in hand (`cpu`, not a backend that reads back a
 * copy), `dLoss[:, None] * backprop` is written over it and its data
 * returned.
 */
export function sparseSoftmaxCrossEntropyWithLogitsGradCpu(args: {
  inputs: SparseSoftmaxCrossEntropyWithLogitsGradInputs,
  backend: KernelBackend,
  attrs?: SparseSoftmaxCrossEntropyWithLogitsGradAttrs,
}): TensorInfo {
  const {inputs: {backprop, labels, dLoss, dBackprop, dLogSumExp}, backend} =
      args;
  const [batch, numClasses] = backprop.shape;
  const dLseValues =
      dLogSumExp && backendValues(backend, dLogSumExp, Float32Array);
  if (args.attrs?.backpropReusable === true && dBackprop == null) {
    const values = backendValues(backend, backprop, Float32Array);
    if (isStoredArray(backend, backprop, values)) {
      const labelValues = backendValues(backend, labels, Int32Array);
      const dLossValues = backendValues(backend, dLoss, Float32Array);
      if (!copiedGradInPlace(values, labelValues, dLossValues, batch,
          numClasses, dLseValues)) {
        scaleRowsInPlace(values, labelValues, dLossValues, numClasses,
            dLseValues);
      }
      backend.incRef(backprop.dataId);
      return {...backprop};
    }
  }
  const values = [
    backendValues(backend, backprop, Float32Array),
    backendValues(backend, labels, Int32Array),
    backendValues(backend, dLoss, Float32Array),
    dBackprop && backendValues(backend, dBackprop, Float32Array), batch,
    numClasses, dLseValues,
  ] as const;
  const dFeatures = copiedGrad(...values) ??
      sparseSoftmaxCrossEntropyWithLogitsGradImpl(...values);
  return writeFloat32(backend, [batch, numClasses], dFeatures);
}

export const sparseSoftmaxCrossEntropyWithLogitsGradCpuConfig = kernelConfig(
    SparseSoftmaxCrossEntropyWithLogitsGrad, 'cpu',
    sparseSoftmaxCrossEntropyWithLogitsGradCpu);

/**
 * `values[row] *= dLoss[row] + dLogSumExp[row]`, then `dLogSumExp[row]`
 * added at the label; NaN rows where the label is out of range.
 */
function scaleRowsInPlace(values: Float32Array, labels: Int32Array,
    dLoss: Float32Array, numClasses: number, dLogSumExp?: Float32Array):
    void {
  for (let row = 0; row < labels.length; row++) {
    const label = labels[row];
    const lseGrad = dLogSumExp?.[row] ?? 0;
    const valid = label >= 0 && label < numClasses;
    const scale = valid ? Math.fround(dLoss[row] + lseGrad) : NaN;
    const offset = row * numClasses;
    for (let j = offset; j < offset + numClasses; j++) {
      values[j] *= scale;
    }
    if (valid) {
      values[offset + label] += lseGrad;
    }
  }
}
