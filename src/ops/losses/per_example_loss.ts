import {customGrad, dispose, getBackend, GradSaveFunc, keep, reshape, Tensor, zeros, zerosLike} from '@tensorflow/tfjs-core';

import {lossFeaturesGradient} from '../../gradients/SparseSoftmaxCrossEntropyLoss_grad.js';
import {packedLogitsForLossStep} from '../../kernels/webgl/pack_logits.js';

import {SparseSoftmaxCrossEntropyLoss, SparseSoftmaxCrossEntropyWithLogits, SparseSoftmaxCrossEntropyWithLogitsGrad, SparseSoftmaxCrossEntropyWithLogitsGradAttrs} from '../../kernel_names.js';
import {runKernel} from '../../run_kernel.js';
import {saveWithoutCopy, savesAliases} from '../../tfjs_internals.js';

/**
 * The per-example loss of already validated `logits` (classes on the last
 * axis) and `labels`, with the labels' shape: the `loss` output of
 * `sparseSoftmaxCrossEntropyWithLogits`, computed by the loss-only kernel.
 * A training step through it holds one `[batch, numClasses]` buffer, the
 * gradient, instead of `backprop`, tfjs's zeros gradient for it, and the
 * gradient (see `kernel_names.ts`): on `cpu` and `wasm` the forward
 * kernel's `backprop` turned into the gradient in place, on tfjs-node's
 * `tensorflow` scaled into it (`lossReusingBackprop`), elsewhere the
 * loss-only kernels (on WebGL, unpacked logits add a packed copy of them,
 * held from the forward to the gradient: `packedLogitsForLossStep`).
 */
export function perExampleLoss(logits: Tensor, labels: Tensor): Tensor {
  const numClasses = logits.shape[logits.rank - 1];
  const features = logits.rank === 2 ?
      logits :
      reshape(logits, [labels.size, numClasses]);
  const labels1d = labels.rank === 1 ? labels : reshape(labels, [labels.size]);
  const loss = !savesAliases() ?
      runKernel(SparseSoftmaxCrossEntropyLoss, {features, labels: labels1d})[0] :
      REUSES_BACKPROP.has(getBackend()) ?
      lossReusingBackprop(features, labels1d) :
      lossSavingAliases(features, labels1d);
  return labels.rank === 1 ? loss : reshape(loss, labels.shape);
}

/**
 * The loss kernel recorded for a first-order gradient with aliases of the
 * logits and its row outputs saved, instead of the clones tfjs's kernel
 * gradient config would make: on `wasm` a clone (`Identity`) copies the data,
 * which for the logits is a `[batch, numClasses]` copy per training step.
 * On WebGL, unpacked logits are first packed (`packedLogitsForLossStep`)
 * and the packed copy is what both kernels read and what is saved.
 * The gradient is the kernel gradient config's (`lossFeaturesGradient`);
 * `logSumExp` is not an output here, so its upstream is zeros.
 */
function lossSavingAliases(features: Tensor, labels: Tensor): Tensor {
  let rows: Tensor[] = [];
  let logits = features;
  const loss = customGrad((...args: Array<Tensor|GradSaveFunc>) => {
    const [features, labels] = args as [Tensor, Tensor];
    // On WebGL, unpacked logits packed once for both kernels to read.
    const packed = packedLogitsForLossStep(features);
    logits = packed == null ? features : keep(packed);
    const [loss, rowMax, logSumExp] =
        runKernel(SparseSoftmaxCrossEntropyLoss, {features: logits, labels});
    rows = [keep(rowMax), keep(logSumExp)];
    return {
      value: loss,
      gradFunc: (dLoss: Tensor, saved: Tensor[]) => {
        const [features, labels, rowMax, logSumExp] = saved;
        return [
          lossFeaturesGradient({features, labels, rowMax, logSumExp}, dLoss,
              zerosLike(logSumExp)),
          zeros(labels.shape, 'float32'),
        ];
      },
    };
  })(features, labels);
  saveWithoutCopy(loss, [logits, labels, ...rows]);
  dispose(logits === features ? rows : [logits, ...rows]);
  return loss;
}

/**
 * Backends where a loss step is faster through the forward kernel's
 * `backprop` than through the loss-only kernels: on `cpu` and `wasm` the
 * gradient kernel writes `dFeatures` over it
 * (`SparseSoftmaxCrossEntropyWithLogitsGradAttrs`); on tfjs-node's
 * `tensorflow` it is one `Mul`, where the loss-only gradient runs
 * TensorFlow's `Softmax` over the logits again (at `[512, 1000]` that
 * step was 2.0x the op's: docs/tfjs-node.md).
 */
const REUSES_BACKPROP = new Set(['cpu', 'wasm', 'tensorflow']);

/**
 * The loss recorded for a first-order gradient on `REUSES_BACKPROP`
 * backends: the forward kernel writes `backprop` (one exp a logit), saved as
 * an alias that nothing else reads, and the gradient kernel scales it in
 * place into `dFeatures`. One `[batch, numClasses]` buffer for the step, as
 * with the loss-only kernels, whose gradient takes each logit's exp again
 * (on `wasm` at `[512, 1000]` their step was 1.25x the op's, this one is
 * faster than the op's: bench/row_passes.mjs).
 */
function lossReusingBackprop(features: Tensor, labels: Tensor): Tensor {
  let backprop: Tensor|undefined;
  const loss = customGrad((...args: Array<Tensor|GradSaveFunc>) => {
    const [features, labels] = args as [Tensor, Tensor];
    const [loss, kernelBackprop] =
        runKernel(SparseSoftmaxCrossEntropyWithLogits, {features, labels});
    backprop = keep(kernelBackprop);
    return {
      value: loss,
      gradFunc: (dLoss: Tensor, saved: Tensor[]) => {
        const [labels, backprop] = saved;
        const attrs: SparseSoftmaxCrossEntropyWithLogitsGradAttrs =
            {backpropReusable: true};
        return [
          runKernel(SparseSoftmaxCrossEntropyWithLogitsGrad,
              {backprop, labels, dLoss}, attrs)[0],
          zeros(labels.shape, 'float32'),
        ];
      },
    };
  })(features, labels);
  saveWithoutCopy(loss, [labels, backprop as Tensor]);
  (backprop as Tensor).dispose();
  return loss;
}
