/**
 * The hooks of a tfjs-layers callback: a `tf.Callback` (`BaseCallback`)
 * has them all, a plain object (`CustomCallbackArgs`) any of them.
 */
const HOOKS = ['onTrainBegin', 'onTrainEnd', 'onEpochBegin', 'onEpochEnd',
  'onBatchBegin', 'onBatchEnd'] as const;

type Hook = (...args: unknown[]) => unknown;
type AnyCallback = {[name: string]: unknown};
type Logs = {[name: string]: unknown};

/** A `tf.Callback` instance (it has `setModel` and `setParams`). */
function isTfjsCallback(callback: unknown): boolean {
  const c = callback as AnyCallback|null;
  return c != null && typeof c['setModel'] === 'function' &&
      typeof c['setParams'] === 'function';
}

export interface RouteCallbacks {
  /** One plain callback object for `fitDataset`. */
  callbacks: {[hook: string]: Hook};
  /** Throws the error a callback (or the validation) threw, if any. */
  rethrow(): void;
}

/**
 * The callbacks of a route as one plain object for `fitDataset`, which
 * calls, at each hook and in order: `validate` (at the end of an epoch,
 * adding its `val_*` values to the epoch's logs before any callback sees
 * them), then each of the user's callbacks, in any form `model.fit` takes
 * (one, or an array, of `tf.Callback`s and plain objects, also mixed, which
 * tfjs-layers 4.x's `fit` rejects: "callback.setParams is not a function").
 * The `tf.Callback`s get the model and the parameters tfjs-layers would give
 * them (`setModel`, `setParams`) before training begins.
 *
 * A callback that throws stops training after the current step, through
 * `model.stopTraining`, rather than throwing out of `fitDataset`: tfjs-layers
 * would leave its per-epoch sums (tensors) behind. `rethrow()` then throws
 * the error.
 */
export function routeCallbacks(
    model: {stopTraining: boolean}, userCallbacks: unknown, params: object,
    validate?: () => Promise<{[name: string]: number}>): RouteCallbacks {
  const list = (userCallbacks == null ? [] :
      Array.isArray(userCallbacks) ? userCallbacks : [userCallbacks]) as AnyCallback[];
  let error: {thrown: unknown}|undefined;
  const callbacks: {[hook: string]: Hook} = {};
  const guarded = (run: (...args: unknown[]) => Promise<void>): Hook =>
    async (...args: unknown[]) => {
      if (error === undefined) {
        try {
          await run(...args);
        } catch (thrown) {
          error = {thrown};
        }
      }
      if (error !== undefined) {
        // fitDataset clears the flag after onTrainBegin: set it at every hook.
        model.stopTraining = true;
      }
    };
  for (const hook of HOOKS) {
    callbacks[hook] = guarded(async (...args: unknown[]) => {
      if (hook === 'onTrainBegin') {
        for (const callback of list.filter(isTfjsCallback)) {
          (callback['setModel'] as Hook).call(callback, model);
          (callback['setParams'] as Hook).call(callback, params);
        }
      }
      if (hook === 'onEpochEnd' && validate !== undefined) {
        Object.assign(args[1] as Logs, await validate());
      }
      for (const callback of list) {
        const method = callback[hook];
        if (typeof method === 'function') {
          await method.apply(callback, args);
        }
      }
    });
  }
  const yielding = list.filter(
      c => !isTfjsCallback(c) && typeof c['onYield'] === 'function');
  if (yielding.length > 0) {
    callbacks['onYield'] = guarded(async (...args: unknown[]) => {
      for (const callback of yielding) {
        await (callback['onYield'] as Hook).apply(callback, args);
      }
    });
  }
  return {
    callbacks,
    rethrow() {
      if (error !== undefined) {
        throw error.thrown;
      }
    },
  };
}
