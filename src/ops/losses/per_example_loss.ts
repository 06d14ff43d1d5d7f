import {add, customGrad, dispose, engine, expandDims, getBackend, GradSaveFunc, keep, logSumExp, mul, reshape, scalar, square, tanh, Tensor, zeros, zerosLike} from '@tensorflow/tfjs-core';

import {lossFeaturesGradient} from '../../gradients/SparseSoftmaxCrossEntropyLoss_grad.js';
import {packedLogitsForLossStep} from '../../kernels/webgl/pack_logits.js';

import {SparseSoftmaxCrossEntropyLoss, SparseSoftmaxCrossEntropyWithLogits, SparseSoftmaxCrossEntropyWithLogitsGrad, SparseSoftmaxCrossEntropyWithLogitsGradAttrs} from '../../kernel_names.js';
import {runKernel} from '../../run_kernel.js';
import {gradientIsRecorded, saveWithoutCopy, savesAliases} from '../../tfjs_internals.js';

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
  const [features, labels1d] = rows(logits, labels);
  const loss = !savesAliases() ?
      runKernel(SparseSoftmaxCrossEntropyLoss, {features, labels: labels1d})[0] :
      REUSES_BACKPROP.has(getBackend()) ?
      lossReusingBackprop(features, labels1d) :
      fusedLoss(features, labels1d, 1, 0)[0];
  return labels.rank === 1 ? loss : reshape(loss, labels.shape);
}

/**
 * Per example of validated `logits` and `labels` (labels' shape):
 * `crossEntropyScale * crossEntropy + zLoss * lse^2`, with
 * `lse = logsumexp(logits row)` (PaLM's z-loss), and `lse` itself as a
 * statistic (no gradient flows through it). Both terms come from one run
 * of the loss-only kernel (`lse = rowMax + logSumExp`, its row outputs),
 * and the gradient is one run of its gradient kernel: no pass over the
 * logits beyond the plain loss's. When the gradient itself is recorded (a
 * higher-order gradient), the loss is built from differentiable ops: the
 * loss plus `tf.logSumExp`. With `softcap` the kernels read the logits
 * capped, `softcap * tanh(x / softcap)` (Gemma 2); the differentiable path
 * caps them with ops (`cappedLogits`).
 */
export function crossEntropyWithZLoss(
    logits: Tensor, labels: Tensor, crossEntropyScale: number,
    zLoss: number, softcap?: number): {perExample: Tensor, logSumExp: Tensor} {
  if (engine().isTapeOn() && gradientIsRecorded()) {
    logits = cappedLogits(logits, softcap);
    const lse = logSumExp(logits, -1);
    return {
      perExample: add(
          mul(perExampleLoss(logits, labels), scalar(crossEntropyScale)),
          mul(square(lse), scalar(zLoss))),
      logSumExp: customGrad((...args: Array<Tensor|GradSaveFunc>) => ({
        value: (args[0] as Tensor).clone(),
        gradFunc: (dy: Tensor) => zerosLike(dy),
      }))(lse),
    };
  }
  const [loss, lse] = fusedLoss(...rows(logits, labels), crossEntropyScale,
      zLoss, softcap);
  return {
    perExample: labels.rank === 1 ? loss : reshape(loss, labels.shape),
    logSumExp: reshape(lse, labels.shape),
  };
}

/**
 * `softcap * tanh(logits / softcap)` from tfjs ops (differentiable to every
 * order), or `logits` without a cap.
 */
export function cappedLogits(logits: Tensor, softcap?: number): Tensor {
  return softcap == null ? logits :
      mul(tanh(mul(logits, scalar(1 / softcap))), scalar(softcap));
}

/** `[batch, numClasses]` logits and `[batch]` labels. */
function rows(logits: Tensor, labels: Tensor): [Tensor, Tensor] {
  return [
    logits.rank === 2 ? logits :
                        reshape(logits, [-1, logits.shape[logits.rank - 1]]),
    labels.rank === 1 ? labels : reshape(labels, [-1]),
  ];
}

/**
 * The loss kernel recorded with its gradient kernel as the gradient:
 * `scale * loss + zLoss * lse^2` and `lse`, with `dLoss = dy * scale` and
 * `dLogSumExp = dy * 2 * zLoss * lse`. For a first-order gradient the
 * logits and row outputs are saved as aliases instead of the clones tfjs's
 * `save` would make: on `wasm` a clone (`Identity`) copies the data, which
 * for the logits is a `[batch, numClasses]` copy per training step. On
 * WebGL that first-order step first packs unpacked logits
 * (`packedLogitsForLossStep`), and the packed copy is what both kernels
 * read and what is saved.
 */
function fusedLoss(
    features: Tensor, labels: Tensor, scale: number, zLoss: number,
    softcap?: number): [Tensor, Tensor] {
  const aliases = savesAliases();
  let saved: Tensor[] = [];
  let statistic: Tensor|undefined;
  let logits = features;
  const value = customGrad((...args: Array<Tensor|GradSaveFunc>) => {
    const [features, labels] = args as [Tensor, Tensor];
    if (aliases) {
      // On WebGL, unpacked logits packed once for both kernels to read.
      const packed = packedLogitsForLossStep(features);
      logits = packed == null ? features : keep(packed);
    }
    const [loss, rowMax, rowLogSumExp] = runKernel(
        SparseSoftmaxCrossEntropyLoss, {features: logits, labels}, {softcap});
    const lse = reshape(add(rowMax, rowLogSumExp), [labels.size]);
    // Out of the custom gradient's scope, off the tape: a statistic.
    statistic = keep(lse.clone());
    saved = [rowMax, rowLogSumExp, lse];
    if (aliases) {
      saved.forEach(keep);
    } else {
      (args[2] as GradSaveFunc)([features, labels, ...saved]);
    }
    return {
      value: zLoss === 0 ? (scale === 1 ? loss : mul(loss, scalar(scale))) :
          add(mul(loss, scalar(scale)), mul(square(lse), scalar(zLoss))),
      gradFunc: (dy: Tensor, [features, labels, rowMax, logSumExp, lse]:
                     Tensor[]) => [
        lossFeaturesGradient({features, labels, rowMax, logSumExp},
            scale === 1 ? dy : mul(dy, scalar(scale)),
            zLoss === 0 ? zeros([labels.size, 1]) :
                          expandDims(mul(mul(dy, lse), scalar(2 * zLoss)), 1),
            softcap),
        zeros(labels.shape, 'float32'),
      ],
    };
  })(features, labels);
  if (aliases) {
    saveWithoutCopy(value, [logits, labels, ...saved]);
    dispose(logits === features ? saved : [logits, ...saved]);
  }
  // A tensor of this scope again, not a kept one (which no scope frees).
  const lse = reshape(statistic as Tensor, [labels.size]);
  (statistic as Tensor).dispose();
  return [value, lse];
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
