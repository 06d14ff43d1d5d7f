/**
 * Makes the op reachable the ways tfjs's own ops are: `tf.<op>` on the
 * CommonJS namespace objects and the UMD global `tf`, and the chained
 * `logits.<op>(labels)` on every Tensor; the `declare module` blocks below
 * give TypeScript users the same, type-checked.
 *
 * ES module namespaces are frozen, so ESM users import the op by name.
 *
 * The loss goes on `tf.losses`, a plain object that every build shares (so
 * it works under ES modules too). TypeScript cannot type it there:
 * tfjs-core declares `losses` as a `const` of an anonymous object type,
 * which no `declare module` can extend (a merged `namespace losses` is a
 * duplicate identifier). Typed code imports `sparseSoftmaxCrossEntropy` and
 * `linearSparseSoftmaxCrossEntropy`.
 */
import * as tfc from '@tensorflow/tfjs-core';

import {linearSparseSoftmaxCrossEntropy} from './ops/losses/linear_sparse_softmax_cross_entropy.js';
import {sparseSoftmaxCrossEntropy} from './ops/losses/sparse_softmax_cross_entropy.js';
import {sparseSoftmaxCrossEntropyWithLogits, SparseSoftmaxCrossEntropyWithLogitsResult} from './ops/sparse_softmax_cross_entropy_with_logits.js';
import {visibleModules} from './visible_modules.js';

/** The op's type, as added to tfjs's namespaces. */
export type SparseSoftmaxCrossEntropyWithLogitsOp =
    typeof sparseSoftmaxCrossEntropyWithLogits;

declare module '@tensorflow/tfjs-core' {
  /** See the package's `sparseSoftmaxCrossEntropyWithLogits`. */
  export const sparseSoftmaxCrossEntropyWithLogits:
      SparseSoftmaxCrossEntropyWithLogitsOp;
}

// The Tensor class is declared in this module; tfjs's own chained ops augment
// it the same way. This is a type-only path: nothing is imported from it.
declare module '@tensorflow/tfjs-core/dist/tensor' {
  interface Tensor<R extends tfc.Rank = tfc.Rank> {
    /**
     * `tf.sparseSoftmaxCrossEntropyWithLogits(this, labels)`: this tensor is
     * the logits.
     */
    sparseSoftmaxCrossEntropyWithLogits<T extends Tensor<R>>(
        this: T, labels: tfc.Tensor|tfc.TensorLike):
        SparseSoftmaxCrossEntropyWithLogitsResult<tfc.Tensor, T>;
  }
}

const OP_KEY = 'sparseSoftmaxCrossEntropyWithLogits';
const LOSS_KEY = 'sparseSoftmaxCrossEntropy';
const LINEAR_LOSS_KEY = 'linearSparseSoftmaxCrossEntropy';

export function attachToNamespaces(): void {
  for (const namespace of [tfc, ...tfjsCoreReExporters()]) {
    defineOnce(namespace, OP_KEY, sparseSoftmaxCrossEntropyWithLogits);
  }
  defineOnce(tfc.Tensor.prototype, OP_KEY, function(
      this: tfc.Tensor, labels: tfc.Tensor|tfc.TensorLike) {
    return sparseSoftmaxCrossEntropyWithLogits(this, labels);
  });
  defineOnce(tfc.losses, LOSS_KEY, sparseSoftmaxCrossEntropy);
  defineOnce(tfc.losses, LINEAR_LOSS_KEY, linearSparseSoftmaxCrossEntropy);
}

function defineOnce(target: object, key: string, value: unknown): void {
  if (Object.prototype.hasOwnProperty.call(target, key) ||
      !Object.isExtensible(target)) {
    return;
  }
  Object.defineProperty(target, key,
      {value, enumerable: true, writable: true, configurable: true});
}

/**
 * Namespaces that copy tfjs-core's exports: the script-tag global `tf`, and
 * CommonJS packages (`@tensorflow/tfjs`, `@tensorflow/tfjs-node`) copy them
 * when they load. Those already loaded get the op here; those loaded later
 * copy it from tfjs-core themselves.
 */
function tfjsCoreReExporters(): object[] {
  return visibleModules().filter(
      namespace => namespace !== tfc && reExportsTfjsCore(namespace));
}

function reExportsTfjsCore(moduleExports: object): boolean {
  const descriptor = Object.getOwnPropertyDescriptor(moduleExports, 'softmax');
  return descriptor !== undefined &&
      (descriptor.get !== undefined ? descriptor.get() : descriptor.value) ===
      tfc.softmax;
}
