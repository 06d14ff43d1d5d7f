import type {SparseSoftmaxCrossEntropyLossGradInputs} from '../kernel_names.js';

/**
 * The GPU kernels (webgl, webgpu) write `backprop` and the loss gradient in
 * two steps: a program with one invocation per row gathers the row's terms
 * into a `[numRows, ROW_TERMS]` tensor, in this order:
 * `(rowMax, probabilityScale * exp(-logSumExp), label, oneHotScale)` (the
 * label -1 for a row that must be NaN); then one elementwise pass over the
 * logits writes `probabilityScale * softmax - oneHotScale * onehot(label)`
 * from them. `probabilityScale` and `oneHotScale` are 1 for `backprop`, and
 * `dLoss + dLogSumExp` and `dLoss` for the loss gradient (`LossUpstream`).
 * Each backend's `softmax_minus_one_hot.ts` runs the two steps.
 */
export const ROW_TERMS = 4;

/** The loss gradient kernel's upstream inputs, as the row terms read them. */
export type LossUpstream =
    Pick<SparseSoftmaxCrossEntropyLossGradInputs, 'dLoss'|'dLogSumExp'>;
