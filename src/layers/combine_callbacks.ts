/**
 * The hooks of a tfjs-layers callback: a `tf.Callback` (`BaseCallback`)
 * has them all, a plain object (`CustomCallbackArgs`) any of them.
 */
const HOOKS = ['onTrainBegin', 'onTrainEnd', 'onEpochBegin', 'onEpochEnd',
  'onBatchBegin', 'onBatchEnd'] as const;

type Hook = (...args: unknown[]) => unknown;
type AnyCallback = {[name: string]: unknown};

/** A `tf.Callback` instance (it has `setModel` and `setParams`). */
function isTfjsCallback(callback: unknown): boolean {
  const c = callback as AnyCallback|null;
  return c != null && typeof c['setModel'] === 'function' &&
      typeof c['setParams'] === 'function';
}

/**
 * `callbacks` in a form `fitDataset` accepts. tfjs-layers 4.x takes one
 * callback, an array of `tf.Callback`s or an array of plain objects, but
 * fails on an array mixing both ("callback.setParams is not a function"):
 * this turns such an array into one plain object that calls each callback
 * in order, giving the `tf.Callback`s the model and the parameters
 * tfjs-layers would (`setModel`, `setParams`) before training begins.
 */
export function standardCallbacks(
    callbacks: unknown, model: object, params: object): unknown {
  if (!Array.isArray(callbacks) || callbacks.every(isTfjsCallback) ||
      !callbacks.some(isTfjsCallback)) {
    return callbacks;
  }
  const list = callbacks as AnyCallback[];
  const combined: {[name: string]: Hook} = {};
  for (const hook of HOOKS) {
    combined[hook] = async (...args: unknown[]) => {
      if (hook === 'onTrainBegin') {
        for (const callback of list.filter(isTfjsCallback)) {
          (callback['setModel'] as Hook).call(callback, model);
          (callback['setParams'] as Hook).call(callback, params);
        }
      }
      for (const callback of list) {
        const method = callback[hook];
        if (typeof method === 'function') {
          await method.apply(callback, args);
        }
      }
    };
  }
  const yielding = list.filter(c => !isTfjsCallback(c) && typeof c['onYield'] === 'function');
  if (yielding.length > 0) {
    combined['onYield'] = async (...args: unknown[]) => {
      for (const callback of yielding) {
        await (callback['onYield'] as Hook).apply(callback, args);
      }
    };
  }
  return combined;
}
