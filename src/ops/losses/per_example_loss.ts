import {add, customGrad, dispose, engine, expandDims, getBackend, GradSaveFunc, keep, mul, oneHot, reshape, scalar, square, sum, Tensor, tidy, zeros} from '@tensorflow/tfjs-core';

import {lossFeaturesGradient} from '../../gradients/SparseSoftmaxCrossEntropyLoss_grad.js';
import {packedLogitsForLossStep} from '../../kernels/webgl/pack_logits.js';

import {SparseSoftmaxCrossEntropyLoss, SparseSoftmaxCrossEntropyLossAttrs, SparseSoftmaxCrossEntropyWithLogits, SparseSoftmaxCrossEntropyWithLogitsAttrs, SparseSoftmaxCrossEntropyWithLogitsGrad, SparseSoftmaxCrossEntropyWithLogitsGradAttrs} from '../../kernel_names.js';
import {runKernel} from '../../run_kernel.js';
import {fromKept} from '../kept_tensors.js';
import {cappedLogits} from './capped_logits.js';
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
      lossReusingBackprop(features, labels1d)[0] :
      fusedLoss(features, labels1d, 1, 0, false)[0];
  return labels.rank === 1 ? loss : reshape(loss, labels.shape);
}

/**
 * Per example of validated `logits` and `labels` (labels' shape):
 * `crossEntropyScale * crossEntropy + zLoss * lse^2`, with
 * `lse = logsumexp(logits row)` (PaLM's z-loss), and `lse` itself as a
 * statistic (no gradient flows through it). Both terms come from one run
 * of the kernel the plain loss step runs (on `REUSES_BACKPROP` backends
 * the forward kernel, asked for `lse`; elsewhere, and with `predictions`
 * everywhere, the loss-only kernel, `lse = rowMax + logSumExp` from its
 * row outputs), and the gradient is one run of its gradient kernel: no
 * pass over the logits beyond the plain loss's. With `softcap` the kernels
 * read the logits capped, `softcap * tanh(x / softcap)` (Gemma 2): on
 * `CAPS_BACKPROP` backends, with no z-loss and no statistic, the forward
 * kernel writes `backprop` through the cap and its gradient kernel scales
 * it in place (one tanh and one exp a logit for the step); otherwise the
 * loss-only kernels, which take both again in the gradient. When the
 * gradient itself is recorded (a higher-order gradient), the loss is built
 * from differentiable ops: the loss, and `lse` from it; the logits capped
 * with ops (`cappedLogits`).
 */
export function crossEntropyWithZLoss(
    logits: Tensor, labels: Tensor, crossEntropyScale: number,
    zLoss: number, softcap?: number, predictions = false,
    withLogSumExp = true): FusedLoss {
  if (engine().isTapeOn() && gradientIsRecorded()) {
    const predicted = predictions ?
        reshape(recordedPredictions(...rows(logits, labels), softcap),
            labels.shape) :
        undefined;
    logits = cappedLogits(logits, softcap);
    const crossEntropy = perExampleLoss(logits, labels);
    // `logsumexp = crossEntropy + x[label]`, differentiable to every order
    // as the loss is (tfjs's `logSumExp` is not: see `cappedLogits`).
    const lse = add(crossEntropy, sum(mul(logits,
        oneHot(labels, logits.shape[logits.rank - 1])), -1));
    return {
      perExample: add(mul(crossEntropy, scalar(crossEntropyScale)),
          mul(square(lse), scalar(zLoss))),
      logSumExp: stopGradient(lse),
      predicted,
    };
  }
  const backend = getBackend();
  const reusesBackprop = !predictions && savesAliases() &&
      REUSES_BACKPROP.has(backend) && (softcap == null ||
          zLoss === 0 && !withLogSumExp && CAPS_BACKPROP.has(backend));
  const [loss, lse, predicted] = reusesBackprop ?
      lossReusingBackprop(...rows(logits, labels), crossEntropyScale, zLoss,
          withLogSumExp, softcap) :
      fusedLoss(...rows(logits, labels), crossEntropyScale, zLoss,
          withLogSumExp, softcap, predictions);
  return {
    perExample: labels.rank === 1 ? loss : reshape(loss, labels.shape),
    logSumExp: lse && reshape(lse, labels.shape),
    predicted: predicted && reshape(predicted, labels.shape),
  };
}

/** `x` with a zero gradient (TensorFlow's `stop_gradient`). */
function stopGradient(x: Tensor): Tensor {
  return customGrad((...args: Array<Tensor|GradSaveFunc>) => ({
    value: (args[0] as Tensor).clone(),
    gradFunc: () => zeros(x.shape),
  }))(x);
}

/**
 * What `crossEntropyWithZLoss` returns: per example the loss, its
 * log-sum-exp (unless `withLogSumExp` was false, where the step reuses
 * `backprop`: a statistic nobody reads costs ops there) and, on request,
 * the predicted class (the kernel's `predicted`), as statistics.
 */
export interface FusedLoss {
  perExample: Tensor;
  logSumExp?: Tensor;
  predicted?: Tensor;
}

/**
 * The predicted classes where the loss is built from differentiable ops
 * (a recorded gradient): one more run of the loss kernel, its `predicted`
 * output alone kept, off the tape.
 */
function recordedPredictions(
    features: Tensor, labels: Tensor, softcap?: number): Tensor {
  return tidy(() => runKernel(SparseSoftmaxCrossEntropyLoss,
      {features, labels}, {softcap, predictions: true})[3]);
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
 * `scale * loss + zLoss * lse^2` and, with `withLogSumExp`, `lse` as a
 * statistic, with `dLoss = dy * scale` and
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
    withLogSumExp: boolean, softcap?: number, predictions = false):
    [Tensor, Tensor?, Tensor?] {
  const aliases = savesAliases();
  let saved: Tensor[] = [];
  let statistic: Tensor|undefined;
  let predicted: Tensor|undefined;
  let logits = features;
  const value = customGrad((...args: Array<Tensor|GradSaveFunc>) => {
    const [features, labels] = args as [Tensor, Tensor];
    if (aliases) {
      // On WebGL, unpacked logits packed once for both kernels to read.
      const packed = packedLogitsForLossStep(features);
      logits = packed == null ? features : keep(packed);
    }
    const attrs: SparseSoftmaxCrossEntropyLossAttrs = {softcap, predictions};
    const [loss, rowMax, rowLogSumExp, kernelPredicted] = runKernel(
        SparseSoftmaxCrossEntropyLoss, {features: logits, labels}, attrs);
    const lse = zLoss > 0 || withLogSumExp ?
        reshape(add(rowMax, rowLogSumExp), [labels.size]) : undefined;
    // Out of the custom gradient's scope, off the tape: statistics.
    statistic = withLogSumExp ? keep(lse!.clone()) : undefined;
    predicted = kernelPredicted && keep(kernelPredicted);
    saved = [rowMax, rowLogSumExp, ...(zLoss > 0 ? [lse!] : [])];
    if (aliases) {
      saved.forEach(keep);
    } else {
      (args[2] as GradSaveFunc)([features, labels, ...saved]);
    }
    return {
      value: zLoss === 0 ? (scale === 1 ? loss : mul(loss, scalar(scale))) :
          add(mul(loss, scalar(scale)), mul(square(lse!), scalar(zLoss))),
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
  return [value, fromKept(statistic), fromKept(predicted)];
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
 * Of `REUSES_BACKPROP`, the backends whose forward kernel writes `backprop`
 * through a soft cap (its `softcap` attribute), for the capped first-order
 * step without z-loss or statistics: there it takes one tanh and one exp a
 * logit, where the loss-only kernels take both twice. Not tfjs-node's
 * `tensorflow`, whose kernel is TensorFlow's op (no cap).
 */
const CAPS_BACKPROP = new Set(['cpu', 'wasm']);

/**
 * The loss recorded for a first-order gradient on `REUSES_BACKPROP`
 * backends: the forward kernel writes `backprop` (one exp a logit), saved as
 * an alias that nothing else reads, and the gradient kernel scales it in
 * place into `dFeatures`. One `[batch, numClasses]` buffer for the step, as
 * with the loss-only kernels, whose gradient takes each logit's exp again
 * (on `wasm` at `[512, 1000]` their step was 1.25x the op's, this one is
 * faster than the op's: bench/row_passes.mjs). As `fusedLoss`, it returns
 * `scale * loss + zLoss * lse^2` and, with `withLogSumExp`, `lse` as a
 * statistic; the z-loss's gradient goes through the kernel's `dLogSumExp`.
 * With `softcap` (`CAPS_BACKPROP` backends, no z-loss) the kernel reads the
 * logits capped and its `backprop` is the gradient through the cap, so the
 * same in-place scaling is the step's gradient.
 */
function lossReusingBackprop(
    features: Tensor, labels: Tensor, scale = 1, zLoss = 0,
    withLogSumExp = false, softcap?: number): [Tensor, Tensor?] {
  let saved: Tensor[] = [];
  let statistic: Tensor|undefined;
  const value = customGrad((...args: Array<Tensor|GradSaveFunc>) => {
    const [features, labels] = args as [Tensor, Tensor];
    const attrs: SparseSoftmaxCrossEntropyWithLogitsAttrs =
        {logSumExp: zLoss > 0 || withLogSumExp, softcap};
    // Each row's log-sum-exp, if asked, from the kernel's own sum.
    const [loss, backprop, lse] = runKernel(
        SparseSoftmaxCrossEntropyWithLogits, {features, labels}, attrs);
    statistic = withLogSumExp ? keep(lse.clone()) : undefined;
    saved = [backprop, ...(lse != null && zLoss > 0 ? [lse] : [])];
    saved.forEach(keep);
    const crossEntropy = scale === 1 ? loss : mul(loss, scalar(scale));
    return {
      value: zLoss === 0 ? crossEntropy :
          add(crossEntropy, mul(square(lse!), scalar(zLoss))),
      gradFunc: (dy: Tensor, [labels, backprop, lse]: Tensor[]) => {
        const attrs: SparseSoftmaxCrossEntropyWithLogitsGradAttrs =
            {backpropReusable: true};
        const dLoss = scale === 1 ? dy : mul(dy, scalar(scale));
        const inputs: {[name: string]: Tensor} = {backprop, labels, dLoss};
        if (lse != null) {
          inputs.dLogSumExp = mul(mul(dy, lse), scalar(2 * zLoss));
        }
        return [
          runKernel(SparseSoftmaxCrossEntropyWithLogitsGrad, inputs, attrs)[0],
          zeros(labels.shape, 'float32'),
        ];
      },
    };
  })(features, labels);
  saveWithoutCopy(value, [labels, ...saved]);
  dispose(saved);
  return [value, fromKept(statistic)];
}

