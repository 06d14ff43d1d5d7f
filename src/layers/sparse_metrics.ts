import {argMax, cast, equal, Reduction, Tensor, tidy} from '@tensorflow/tfjs-core';

import {sparseSoftmaxCrossEntropy} from '../ops/losses/sparse_softmax_cross_entropy.js';
import {classIndices} from './class_indices.js';

/** A tfjs-layers metric: per-example values, which tfjs-layers averages. */
export type MetricFunction = (yTrue: Tensor, yPred: Tensor) => Tensor;
export type MetricSpec = string|MetricFunction;
/** `model.compile`'s `metrics`: one list for every output, or one per output name. */
export type Metrics = MetricSpec|MetricSpec[]|{[outputName: string]: MetricSpec|MetricSpec[]};

/**
 * The metric names tfjs-layers turns into categorical (one-hot) metrics for
 * any loss but its own `'sparseCategoricalCrossentropy'`: on integer labels
 * they give wrong numbers, so the package's routes map or reject them.
 */
const ACCURACY = ['accuracy', 'acc'];
const CROSSENTROPY = ['crossentropy', 'ce'];
const ONE_HOT_METRICS = ['categoricalAccuracy', 'categorical_accuracy',
  'categoricalCrossentropy', 'categorical_crossentropy'];

/** Sparse accuracy, named `acc` as tfjs-layers names `'accuracy'`. */
function acc(yTrue: Tensor, yPred: Tensor): Tensor {
  return tidy(() => cast(equal(classIndices(yTrue, yPred, 'accuracy'),
      argMax(yPred, -1)), 'float32'));
}

/**
 * Sparse accuracy under the name of `tf.metrics.sparseCategoricalAccuracy`,
 * for the name saved with a model: tfjs-layers 4.x saves that metric by
 * name but cannot compile the name ("Unknown metric").
 */
function sparseCategoricalAccuracy(yTrue: Tensor, yPred: Tensor): Tensor {
  return acc(yTrue, yPred);
}
const SPARSE_ACCURACY = ['sparseCategoricalAccuracy', 'sparse_categorical_accuracy'];

/** Cross-entropy of the logits, named `ce` as tfjs-layers names `'crossentropy'`. */
function crossentropyOfLogits(ignoreIndex: number|undefined): MetricFunction {
  const ce: MetricFunction = (yTrue, yPred) => tidy(() =>
    sparseSoftmaxCrossEntropy(classIndices(yTrue, yPred, 'crossentropy'),
        yPred, undefined, 0, Reduction.NONE, ignoreIndex));
  madeMetrics.set(ce, 'crossentropy');
  return ce;
}

/** The metric functions made here, by the name they stand for. */
// Pure: bundlers may drop it (and this module) from apps that never use it.
const madeMetrics = /* @__PURE__ */ new WeakMap<object, string>([[acc, 'accuracy'],
  [sparseCategoricalAccuracy, 'sparseCategoricalAccuracy']]);

/**
 * `metrics` with `'accuracy'`/`'acc'` as sparse accuracy and
 * `'crossentropy'`/`'ce'` as the cross-entropy of logits (both per output),
 * keeping tfjs-layers' history names (`acc`, `ce`), and the name
 * `'sparseCategoricalAccuracy'` as sparse accuracy.
 */
export function sparseMetrics(
    metrics: Metrics|undefined, ignoreIndex: number|undefined): Metrics|undefined {
  const map = (spec: MetricSpec): MetricSpec => {
    if (typeof spec !== 'string') {
      return spec;
    }
    if (ACCURACY.includes(spec)) {
      return acc;
    }
    if (SPARSE_ACCURACY.includes(spec)) {
      return sparseCategoricalAccuracy;
    }
    return CROSSENTROPY.includes(spec) ? crossentropyOfLogits(ignoreIndex) :
                                         spec;
  };
  const mapList = (specs: MetricSpec|MetricSpec[]) =>
    Array.isArray(specs) ? specs.map(map) : map(specs);
  if (metrics == null || typeof metrics !== 'object' || Array.isArray(metrics)) {
    return metrics == null ? metrics : mapList(metrics);
  }
  return Object.fromEntries(Object.entries(metrics).map(
      ([name, specs]) => [name, mapList(specs)]));
}

/**
 * `metrics` as names that survive `model.save` (strings, and the functions
 * made here or by tfjs-layers by name), and the functions that cannot be
 * saved (a user's own).
 */
export function savableMetrics(metrics: Metrics|undefined):
    {names: Metrics|undefined, unsaved: string[]} {
  const unsaved: string[] = [];
  const name = (spec: MetricSpec): string|undefined => {
    if (typeof spec === 'string') {
      return spec;
    }
    const made = madeMetrics.get(spec);
    if (made !== undefined) {
      return made;
    }
    if (TFJS_SPARSE_METRICS.includes(spec.name)) {
      return spec.name;
    }
    unsaved.push(spec.name || 'an anonymous function');
    return undefined;
  };
  const nameList = (specs: MetricSpec|MetricSpec[]) =>
    (Array.isArray(specs) ? specs : [specs]).map(name)
        .filter((n): n is string => n !== undefined);
  if (metrics == null) {
    return {names: undefined, unsaved};
  }
  const names = typeof metrics === 'object' && !Array.isArray(metrics) ?
      Object.fromEntries(Object.entries(metrics).map(
          ([output, specs]) => [output, nameList(specs)])) :
      nameList(metrics);
  return {names, unsaved};
}

/** tfjs-layers metrics (`tf.metrics.*`) that take class indices. */
const TFJS_SPARSE_METRICS = ['sparseCategoricalAccuracy'];

/**
 * The compiled metrics of one output that would give a wrong number on
 * integer labels: tfjs-layers' `'accuracy'`, `'crossentropy'` (categorical
 * for any loss but its own sparse one) and its categorical metrics.
 */
export function oneHotMetrics(
    specs: MetricSpec[], lossIsTfjsSparse: boolean): string[] {
  return specs.flatMap(spec => {
    const name = typeof spec === 'string' ? spec : spec.name;
    if (typeof spec === 'string' && !lossIsTfjsSparse &&
        [...ACCURACY, ...CROSSENTROPY].includes(spec)) {
      return [`'${spec}'`];
    }
    return ONE_HOT_METRICS.includes(name) ?
        [typeof spec === 'string' ? `'${spec}'` : `tf.metrics.${name}`] :
        [];
  });
}

/** The metrics compiled for output `index` of `outputNames`. */
export function metricsOfOutput(
    metrics: Metrics|undefined, outputNames: readonly string[],
    index: number): MetricSpec[] {
  if (metrics == null) {
    return [];
  }
  const specs = typeof metrics === 'object' && !Array.isArray(metrics) ?
      metrics[outputNames[index]] :
      metrics;
  return specs == null ? [] : Array.isArray(specs) ? specs : [specs];
}
