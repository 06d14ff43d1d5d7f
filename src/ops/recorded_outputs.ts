import {clone, customGrad, GradSaveFunc, keep, Tensor, zeros} from '@tensorflow/tfjs-core';

import {featuresGradient, Upstream} from '../gradients/SparseSoftmaxCrossEntropyWithLogits_grad.js';
import {SparseSoftmaxCrossEntropyWithLogits} from '../kernel_names.js';
import {runKernel} from '../run_kernel.js';
import {gradientIsRecorded, saveWithoutCopy, savesAliases} from '../tfjs_internals.js';

/**
 * The op's outputs when a gradient is being recorded: the forward kernel
 * runs once, and its two outputs become two tape nodes over the same inputs,
 * `backprop` first, then `loss`.
 *
 * Recorded as the kernel itself, a training step that uses only `loss` would
 * get from tfjs a zeros `dBackprop` (made on the CPU, on WebGL uploaded): a
 * `[batch, numClasses]` tensor and pass for nothing. Split, the `backprop`
 * node is off the path from the logits to such a loss, and the `loss` node's
 * gradient is one pass over the saved `backprop`, `dLoss[:, None] * backprop`.
 * Both gradients are `featuresGradient` (the kernel's gradient) with the
 * other output's upstream absent, so values and every order of gradient
 * equal the kernel's.
 *
 * Why not a declarative op (the kernel run under the tape with its
 * registered gradient alone): `bench/declarative_op.mjs` timed a training
 * step on `loss` both ways, interleaved in one run, twice (15 and 31
 * rounds). Declarative, the step took 1.06-1.52x as long on `cpu` and
 * 1.34-1.84x on `wasm` from `[512, 1000]` to `[8, 250000]` (alike at
 * `[128, 10]`), and its peak was 25% larger (39.06 against 31.25 MB at
 * `[64, 32000]`): the zeros `dBackprop`, and on wasm tfjs's copies of what
 * it saves. The tape is reached through `tfjs_internals.ts`.
 */
export function recordedOutputs(features: Tensor, labels: Tensor):
    {loss: Tensor, backprop: Tensor} {
  // The loss, from the `backprop` node's kernel run to the `loss` node.
  let pendingLoss: Tensor|undefined;
  // A first-order gradient reads aliases of `labels` and `backprop` (no
  // copy: see saveWithoutCopy); one that is recorded reads tfjs's clones.
  const aliased = savesAliases();

  const backprop = customGrad((...args: Array<Tensor|GradSaveFunc>) => {
    const [features, labels, save] = args as [Tensor, Tensor, GradSaveFunc];
    const [loss, backprop] =
        runKernel(SparseSoftmaxCrossEntropyWithLogits, {features, labels});
    pendingLoss = keep(loss);
    if (!aliased) {
      save(tensorsToSave(features, labels, backprop));
    }
    return {
      value: backprop,
      gradFunc: (dBackprop: Tensor, saved: Tensor[]) =>
          gradients(saved, {dBackprop}),
    };
  })(features, labels);
  if (aliased) {
    saveWithoutCopy(backprop, [labels, backprop]);
  }

  const loss = customGrad((...args: Array<Tensor|GradSaveFunc>) => {
    const [features, labels, save] = args as [Tensor, Tensor, GradSaveFunc];
    // A tracked copy: a kept tensor would outlive the caller's tidy.
    const loss = clone(pendingLoss as Tensor);
    (pendingLoss as Tensor).dispose();
    if (!aliased) {
      save(tensorsToSave(features, labels, backprop));
    }
    return {
      value: loss,
      gradFunc: (dLoss: Tensor, saved: Tensor[]) => gradients(saved, {dLoss}),
    };
  })(features, labels);
  if (aliased) {
    saveWithoutCopy(loss, [labels, backprop]);
  }

  return {loss, backprop};
}

/**
 * What a node's gradient reads: `labels`, `backprop` and, only when that
 * gradient will itself be recorded (a gradient of a gradient, where
 * `featuresGradient` re-runs the kernel on them), the `features`. tfjs
 * counts every saved copy as bytes of its own in `tf.memory()` and
 * `tf.profile`, so a first-order step saves no copy of the logits.
 */
function tensorsToSave(
    features: Tensor, labels: Tensor, backprop: Tensor): Tensor[] {
  return gradientIsRecorded() ? [labels, backprop, features] :
                                [labels, backprop];
}

/** Gradients of a node's inputs `[features, labels]` from its saved tensors. */
function gradients(saved: Tensor[], upstream: Upstream): Tensor[] {
  const [labels, backprop, features] = saved;
  return [
    featuresGradient({features, labels, backprop}, upstream),
    zeros(labels.shape, 'float32'),
  ];
}

