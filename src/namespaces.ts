/**
 * Makes the op reachable beyond its named export: the chained
 * `logits.sparseSoftmaxCrossEntropyWithLogits(labels)` on every Tensor (in
 * every module system, and typed by the `declare module` block below), the
 * losses on `tf.losses` (a plain object every build shares), and, untyped,
 * `tf.sparseSoftmaxCrossEntropyWithLogits` where `tf` is an object that can
 * take it: the script-tag global `tf` and CommonJS's exports of tfjs-core
 * and of the packages that copy them (`@tensorflow/tfjs`).
 *
 * ES module namespaces are frozen, so under ES modules and in bundles
 * `tf.sparseSoftmaxCrossEntropyWithLogits` does not exist. The types
 * therefore do not add it to tfjs's namespace in any module system: typed
 * code imports the op by name, and `tf.<op>` fails to compile instead of
 * throwing "is not a function" at run time.
 *
 * TypeScript cannot type `tf.losses.<loss>` either: tfjs-core declares
 * `losses` as a `const` of an anonymous object type, which no `declare
 * module` can extend. Typed code imports `sparseSoftmaxCrossEntropy` and
 * `linearSparseSoftmaxCrossEntropy`.
 *
 * Only named imports from tfjs-core here: a namespace import used as a value
 * would keep all of tfjs-core in users' bundles.
 */
import {losses, Tensor} from '@tensorflow/tfjs-core';
import type {Rank, TensorLike} from '@tensorflow/tfjs-core';

import {linearSparseSoftmaxCrossEntropy} from './ops/losses/linear_sparse_softmax_cross_entropy.js';
import {sparseSoftmaxCrossEntropy} from './ops/losses/sparse_softmax_cross_entropy.js';
import {sparseSoftmaxCrossEntropyWithLogits, SparseSoftmaxCrossEntropyWithLogitsResult} from './ops/sparse_softmax_cross_entropy_with_logits.js';
import {visibleModules} from './visible_modules.js';

/** The op's type, for code that passes it around. */
export type SparseSoftmaxCrossEntropyWithLogitsOp =
    typeof sparseSoftmaxCrossEntropyWithLogits;

// The Tensor class is declared in this module; tfjs's own chained ops augment
// it the same way. This is a type-only path: nothing is imported from it, no
// field is read, and it must sit here, in the module index.ts re-exports a
// type from, for the augmentation to reach users' types (test/types checks
// it). The one dist/ path outside src/tfjs_internals.ts.
// eslint-disable-next-line no-restricted-syntax
declare module '@tensorflow/tfjs-core/dist/tensor.js' {
  interface Tensor<R extends Rank = Rank> {
    /**
     * `sparseSoftmaxCrossEntropyWithLogits(this, labels)`: this tensor is
     * the logits.
     */
    sparseSoftmaxCrossEntropyWithLogits<T extends Tensor<R>>(
        this: T, labels: Tensor|TensorLike):
        SparseSoftmaxCrossEntropyWithLogitsResult<Tensor, T>;
  }
}

const OP_KEY = 'sparseSoftmaxCrossEntropyWithLogits';
const LOSS_KEY = 'sparseSoftmaxCrossEntropy';
const LINEAR_LOSS_KEY = 'linearSparseSoftmaxCrossEntropy';

export function attachToNamespaces(): void {
  for (const namespace of tfjsCoreNamespaces()) {
    defineOnce(namespace, OP_KEY, sparseSoftmaxCrossEntropyWithLogits);
  }
  defineOnce(Tensor.prototype, OP_KEY, function(
      this: Tensor, labels: Tensor|TensorLike) {
    return sparseSoftmaxCrossEntropyWithLogits(this, labels);
  });
  defineOnce(losses, LOSS_KEY, sparseSoftmaxCrossEntropy);
  defineOnce(losses, LINEAR_LOSS_KEY, linearSparseSoftmaxCrossEntropy);
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
 * tfjs-core's exports and the namespaces that copy them: the script-tag
 * global `tf`, and CommonJS packages (`@tensorflow/tfjs`,
 * `@tensorflow/tfjs-node`), which copy them when they load. Those already
 * loaded get the op here; those loaded later copy it from tfjs-core
 * themselves. Recognised by their `Tensor`, this tfjs-core's class.
 */
function tfjsCoreNamespaces(): object[] {
  return visibleModules().filter(moduleExports => {
    const descriptor = Object.getOwnPropertyDescriptor(moduleExports, 'Tensor');
    return descriptor !== undefined &&
        (descriptor.get !== undefined ? descriptor.get.call(moduleExports) :
                                        descriptor.value) === Tensor;
  });
}
