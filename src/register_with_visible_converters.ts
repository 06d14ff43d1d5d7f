/**
 * Registers the op with tfjs-converter wherever the converter is visible
 * without importing it (an optional peer: the main entry never imports it),
 * so `tf.loadGraphModel` runs graphs that use the op with no second import:
 *
 * - the script-tag global `tf` (tfjs's `tf.min.js` includes the converter),
 *   and CommonJS modules exporting the converter's `registerOp`
 *   (`@tensorflow/tfjs-converter`, `@tensorflow/tfjs`), loaded already;
 * - a converter that loads later: the first thing it does is register its
 *   flag with tfjs-core's environment (which `onFlagRegistered`, in
 *   `tfjs_internals.ts`, notices), and once its module has run, its
 *   exports are there to be found the same way.
 *
 * ES modules and bundlers show neither: there the `/converter` entry
 * registers.
 */
import {sparseSoftmaxCrossEntropyWithLogitsGraphOp} from './converter/graph_op.js';
import {SparseSoftmaxCrossEntropyWithLogits} from './kernel_names.js';
import {onFlagRegistered} from './tfjs_internals.js';
import {visibleModules} from './visible_modules.js';

/** The part of tfjs-converter's exports used here. */
interface ConverterExports {
  registerOp(name: string,
      opFunc: typeof sparseSoftmaxCrossEntropyWithLogitsGraphOp): void;
}

/**
 * Each converter's `registerOp` (`@tensorflow/tfjs` re-exports the same one)
 * is called once, so a later look leaves what the user registered since.
 */
const registeredWith = new WeakSet<ConverterExports['registerOp']>();

/** The flag tfjs-converter registers with tfjs-core as it starts loading. */
const CONVERTER_FLAG = 'KEEP_INTERMEDIATE_TENSORS';

export function registerWithVisibleConverters(): void {
  registerWithLoadedConverters();
  // The converter sets its exports after registering the flag: look once
  // its module, and whatever loads it (`@tensorflow/tfjs`), has run.
  onFlagRegistered(CONVERTER_FLAG,
      () => void Promise.resolve().then(registerWithLoadedConverters));
}

function registerWithLoadedConverters(): void {
  for (const {registerOp} of visibleModules().filter(isConverter)) {
    if (!registeredWith.has(registerOp)) {
      registeredWith.add(registerOp);
      registerOp(SparseSoftmaxCrossEntropyWithLogits,
          sparseSoftmaxCrossEntropyWithLogitsGraphOp);
    }
  }
}

function isConverter(moduleExports: object): moduleExports is ConverterExports {
  return ['registerOp', 'deregisterOp', 'loadGraphModel'].every(name => {
    const descriptor = Object.getOwnPropertyDescriptor(moduleExports, name);
    return descriptor !== undefined &&
        typeof (descriptor.get !== undefined ?
                    descriptor.get.call(moduleExports) :
                    descriptor.value) === 'function';
  });
}
