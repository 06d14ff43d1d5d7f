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

// CommonJS's module-scoped `require`, declared here so the library needs no
// Node typings; under ES modules and in browsers it is undefined.
declare const require: undefined|{
  (id: string): unknown;
  cache?: {[id: string]: {exports?: unknown}|undefined};
};

const OP_KEY = 'sparseSoftmaxCrossEntropyWithLogits';
const LOSS_KEY = 'sparseSoftmaxCrossEntropy';
const LINEAR_LOSS_KEY = 'linearSparseSoftmaxCrossEntropy';

export function attachToNamespaces(): void {
  for (const namespace of [tfc, ...scriptTagGlobal(),
         ...loadedCommonJsReExporters()]) {
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
 * The global `tf` of tfjs's script-tag bundles. Our UMD bundle reaches it
 * through a bundler's import interop, which hands `tfc` over as a copy, so
 * the global itself is named here.
 */
function scriptTagGlobal(): object[] {
  const global = (globalThis as {tf?: unknown}).tf;
  return typeof global === 'object' && global !== null && global !== tfc &&
          reExportsTfjsCore(global) ?
      [global] :
      [];
}

/**
 * CommonJS packages that re-export tfjs-core (`@tensorflow/tfjs`,
 * `@tensorflow/tfjs-node`) copy its exports when they load. Those already
 * loaded are found in the module cache, so the op reaches them too; those
 * loaded later copy it from tfjs-core themselves.
 */
function loadedCommonJsReExporters(): object[] {
  const moduleCache = typeof require === 'function' && require.cache != null ?
      require.cache :
      {};
  const reExporters: object[] = [];
  for (const id of Object.keys(moduleCache)) {
    const moduleExports = moduleCache[id]?.exports;
    if (typeof moduleExports === 'object' && moduleExports !== null &&
        moduleExports !== tfc && reExportsTfjsCore(moduleExports)) {
      reExporters.push(moduleExports);
    }
  }
  return reExporters;
}

function reExportsTfjsCore(moduleExports: object): boolean {
  const descriptor = Object.getOwnPropertyDescriptor(moduleExports, 'softmax');
  return descriptor !== undefined &&
      (descriptor.get !== undefined ? descriptor.get() : descriptor.value) ===
      tfc.softmax;
}
