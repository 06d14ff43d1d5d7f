import type {TensorInfo} from '@tensorflow/tfjs-core';

/** TensorFlow's op name; the forward kernel is registered under it. */
export const SparseSoftmaxCrossEntropyWithLogits =
    'SparseSoftmaxCrossEntropyWithLogits';

/**
 * Inputs of the forward kernel: `features` float32 `[batch, numClasses]`,
 * `labels` int32 `[batch]`. Outputs, in order: `loss` float32 `[batch]`,
 * `backprop` float32 `[batch, numClasses]`.
 */
export type SparseSoftmaxCrossEntropyWithLogitsInputs = {
  features: TensorInfo;
  labels: TensorInfo;
};

/**
 * Attributes of the forward kernel (TensorFlow's op has none): with
 * `logSumExp: true`, a third output, each row's `logsumexp(features)`,
 * float32 `[batch]`, from the pass that sums the exponentials. The kernels
 * of the backends whose loss step scales `backprop` in place (`cpu`,
 * `wasm`, `tensorflow`: `lossReusingBackprop`) write it, for the z-loss and
 * `returnLogSumExp` on that step; the GPU kernels, never asked, ignore it.
 *
 * `softcap` (> 0) is internal to the loss's training step on `cpu` and
 * `wasm` (the op `sparseSoftmaxCrossEntropyWithLogits` does not expose it):
 * their kernels read the features as `c = softcap * tanh(x / softcap)`
 * (so `loss` and `logSumExp` are the capped row's) and write `backprop` as
 * d loss / d features through the cap,
 * `(softmax(c) - onehot(labels)) * (1 - t^2)`, `t = c / softcap`, which the
 * gradient kernel scales in place into the step's gradient. That
 * `backprop` is not `softmax - onehot`, so the kernel's registered gradient
 * throws for a run with `softcap`
 * (`SparseSoftmaxCrossEntropyWithLogits_grad.ts`); the other backends'
 * kernels are never given it and do not read it.
 */
export type SparseSoftmaxCrossEntropyWithLogitsAttrs = {
  logSumExp?: boolean;
  softcap?: number;
};

/**
 * The fused first-order gradient with respect to `features`: one pass that
 * turns the saved `backprop` and the upstream gradients into `dFeatures`.
 * TensorFlow has no such kernel (its gradient is a composite); tfjs needs it
 * so a training step costs a pass over the logits instead of several.
 */
export const SparseSoftmaxCrossEntropyWithLogitsGrad =
    'SparseSoftmaxCrossEntropyWithLogitsGrad';

/**
 * Inputs of the gradient kernel: `backprop` float32 `[batch, numClasses]` (the
 * forward output), `labels` int32 `[batch]`, `dLoss` float32 `[batch]`,
 * `dBackprop` float32 `[batch, numClasses]`, absent when it is zero (a
 * training step that used only `loss`: then the kernel is one pass,
 * `dLoss[:, None] * backprop`), and `dLogSumExp` float32 `[batch]`, absent
 * when zero: the gradient through each row's log-sum-exp, taken as
 * `loss + features[label]` (a z-loss step on the backends that scale
 * `backprop` in place), which adds `dLogSumExp[:, None] * softmax`, i.e.
 * `(dLoss + dLogSumExp)[:, None] * backprop` plus `dLogSumExp` at the
 * label, in the same pass. Output: `dFeatures` float32
 * `[batch, numClasses]`.
 */
export type SparseSoftmaxCrossEntropyWithLogitsGradInputs = {
  backprop: TensorInfo;
  labels: TensorInfo;
  dLoss: TensorInfo;
  dBackprop?: TensorInfo;
  dLogSumExp?: TensorInfo;
};

/**
 * Attributes of the gradient kernel: with `backpropReusable` true the caller
 * will never read `backprop` again (it was saved for this gradient alone),
 * and a kernel may write `dFeatures` over it and return its data (the `cpu`
 * and `wasm` kernels do when `dBackprop` is absent: one in-place pass, no new
 * `[batch, numClasses]` tensor). Other kernels ignore it.
 */
export type SparseSoftmaxCrossEntropyWithLogitsGradAttrs = {
  backpropReusable?: boolean;
};

/**
 * The loss alone, for training: the forward kernel's first output without
 * its `backprop`. A loss-only training step has no use for `backprop` as an
 * output, yet tfjs would both write it and hand its gradient a zeros tensor
 * of the same size; this kernel writes no `[batch, numClasses]` tensor.
 * Outputs, in order: `loss` float32 `[batch]`, and per row `rowMax` and
 * `logSumExp = log(sum_j exp(x_j - rowMax))`, float32 `[batch, 1]`, which
 * its gradient kernel reads to rebuild the softmax; on request `predicted`
 * (see `SparseSoftmaxCrossEntropyLossAttrs`). Same inputs as the
 * forward kernel. Not a TensorFlow op: `tf.losses.sparseSoftmaxCrossEntropy`
 * runs it.
 *
 * `rowMax` is a shift, not a differentiable result: its gradient is defined
 * as zero (TensorFlow's `stop_gradient`), which makes `logSumExp` the
 * log-sum-exp of the logits less a constant, with gradient `softmax`.
 */
export const SparseSoftmaxCrossEntropyLoss = 'SparseSoftmaxCrossEntropyLoss';

/**
 * The gradient of `SparseSoftmaxCrossEntropyLoss` with respect to the
 * features in one pass:
 * `dFeatures = (dLoss + dLogSumExp)[:, None] * softmax - dLoss[:, None] * onehot`,
 * the softmax rebuilt as `exp(x - rowMax - logSumExp)`. Inputs: `features`,
 * `labels` (the forward inputs), `rowMax`, `logSumExp` (its outputs),
 * `dLoss` float32 `[batch]` and `dLogSumExp` float32 `[batch, 1]` (the
 * zeros tfjs makes unless `logSumExp` was used). Output:
 * `dFeatures` float32 `[batch, numClasses]`.
 */
export const SparseSoftmaxCrossEntropyLossGrad =
    'SparseSoftmaxCrossEntropyLossGrad';

/**
 * Attributes of `SparseSoftmaxCrossEntropyLoss` and its gradient kernel:
 * - `softcap > 0`: the kernels read the features as
 *   `softcap * tanh(x / softcap)` (Gemma 2's soft-capping) without writing
 *   a capped copy, so `rowMax` and `logSumExp` are the capped row's and
 *   `dFeatures` carries the factor `1 - tanh(x / softcap)^2`. A runtime
 *   value: on the GPU backends a uniform (one program per capped/uncapped
 *   variant, not per value).
 * - `predictions: true` (forward kernel only): a fourth output, `predicted`
 *   int32 `[batch]`, each row's first argmax (as `tf.argMax`: the first
 *   index on ties) of the features as the kernel reads them (capped with
 *   `softcap`), found in the same pass as `rowMax`. Without it the kernel
 *   has three outputs and does no argmax work.
 */
export type SparseSoftmaxCrossEntropyLossAttrs = {
  softcap?: number;
  predictions?: boolean;
};

export type SparseSoftmaxCrossEntropyLossGradInputs = {
  features: TensorInfo;
  labels: TensorInfo;
  rowMax: TensorInfo;
  logSumExp: TensorInfo;
  dLoss: TensorInfo;
  dLogSumExp: TensorInfo;
};
