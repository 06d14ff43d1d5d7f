/**
 * Property-based tests: fast-check draws shapes and a data seed, the data is
 * filled from a mix of logit regimes, and both outputs and the gradient are
 * compared with the float64 reference. A failure prints fast-check's seed and
 * path, which replay it (set FUZZ_SEED in Node to explore other seeds).
 */
import type {Tensor} from '@tensorflow/tfjs';
import fc from 'fast-check';

import {expectClose} from './assert';
import {CaseContext, TestCase} from './case';
import {Random} from './random';
import {reference, referenceGradient} from './reference';

const DEFAULT_SEED = 20261123;

function fuzzSeed(): number {
  const fromEnvironment = typeof process !== 'undefined' ?
      process.env?.FUZZ_SEED : undefined;
  return fromEnvironment ? Number(fromEnvironment) : DEFAULT_SEED;
}

/** Hundreds of runs on cpu; a smaller sample where shaders run slowly. */
function runsFor(context: CaseContext, cpuRuns: number): number {
  return context.backend === 'cpu' ? cpuRuns : Math.ceil(cpuRuns / 10);
}

type Regime = 'unit'|'large'|'huge'|'denormal'|'withNegativeInfinity';
const REGIMES: Regime[] = ['unit', 'large', 'huge', 'denormal',
  'withNegativeInfinity'];

/**
 * One row of logits in a regime; the label's logit stays finite. Huge logits
 * stay within a quarter of the backend's largest float, so that losses (up to
 * twice the largest logit) are storable too.
 */
function fillRow(
    random: Random, row: Float32Array, regime: Regime, label: number,
    maxFloat: number): void {
  const scale = {unit: 3, large: 1e4, huge: Math.min(1e30, maxFloat / 4),
    denormal: 1e-40, withNegativeInfinity: 5}[regime];
  for (let j = 0; j < row.length; j++) {
    row[j] = (2 * random.next() - 1) * scale;
    if (regime === 'withNegativeInfinity' && j !== label &&
        random.next() < 0.3) {
      row[j] = -Infinity;
    }
  }
}

interface FuzzShape {
  dataSeed: number;
  batch: number;
  numClasses: number;
}

const dataSeeds = fc.integer({min: 0, max: 2 ** 31 - 1});
const shapes: fc.Arbitrary<FuzzShape> = fc.oneof(
    {
      weight: 20,
      arbitrary: fc.record({
        dataSeed: dataSeeds,
        batch: fc.integer({min: 0, max: 64}),
        numClasses: fc.integer({min: 1, max: 5000}),
      }),
    },
    {
      // Rare large vocabularies, with few rows to keep runs quick.
      weight: 1,
      arbitrary: fc.record({
        dataSeed: dataSeeds,
        batch: fc.integer({min: 0, max: 3}),
        numClasses: fc.integer({min: 20000, max: 70000}),
      }),
    });

function makeData(context: CaseContext, {dataSeed, batch, numClasses}:
    FuzzShape): {features: Float32Array, labels: Int32Array} {
  const random = new Random(dataSeed);
  const features = new Float32Array(batch * numClasses);
  const labels = new Int32Array(batch);
  const labelLimit = Math.min(numClasses, context.maxExactLabel + 1);
  for (let row = 0; row < batch; row++) {
    labels[row] = random.int(labelLimit);
    fillRow(random, features.subarray(row * numClasses, (row + 1) * numClasses),
        REGIMES[random.int(REGIMES.length)], labels[row], context.maxFloat);
  }
  return {features: context.storable(features), labels};
}

export const fuzzCases: TestCase[] = [
  {
    name: 'fuzz: loss and backprop match the float64 reference',
    async run(context) {
      const {tf, op, rtol, atol} = context;
      await fc.assert(fc.asyncProperty(shapes, async shape => {
        const {features, labels} = makeData(context, shape);
        const {batch, numClasses} = shape;
        const result = op(tf.tensor2d(features, [batch, numClasses]),
            tf.tensor1d(labels, 'int32'));
        const [loss, backprop] =
            await Promise.all([result.loss.data(), result.backprop.data()]);
        tf.dispose(result);
        const ref = reference(features, labels, numClasses);
        expectClose(loss, ref.loss, rtol, atol, 'loss');
        expectClose(backprop, ref.backprop, rtol, atol, 'backprop');
      }), {seed: fuzzSeed(), numRuns: runsFor(context, 200)});
    },
  },
  {
    name: 'fuzz: gradients match the closed form and finite differences',
    async run(context) {
      const {tf, op, rtol, atol} = context;
      const small = fc.record({
        dataSeed: fc.integer({min: 0, max: 2 ** 31 - 1}),
        batch: fc.integer({min: 1, max: 4}),
        numClasses: fc.integer({min: 1, max: 12}),
      });
      await fc.assert(fc.asyncProperty(small, async shape => {
        const {batch, numClasses} = shape;
        const random = new Random(shape.dataSeed);
        const features = context.storable(random.logits(batch * numClasses, 4));
        const labels = random.labels(batch, numClasses);
        const weights = random.logits(batch, 1);
        const [labelTensor, weightTensor] =
            [tf.tensor1d(labels, 'int32'), tf.tensor1d(weights)];
        const gradient = tf.grad((x: Tensor) => tf.sum(
            tf.mul(op(x, labelTensor).loss, weightTensor)))(
            tf.tensor2d(features, [batch, numClasses]));
        const analytic = await gradient.data();
        tf.dispose([labelTensor, weightTensor, gradient]);

        const ref = reference(features, labels, numClasses);
        expectClose(analytic, referenceGradient(ref, weights,
            new Float64Array(batch * numClasses), numClasses), rtol, atol,
            'closed form');
        // Central differences of the float64 reference: exact to ~1e-8.
        const weightedLoss = (x: Float64Array) => reference(x, labels,
            numClasses).loss.reduce((s, l, row) => s + weights[row] * l, 0);
        const step = 1e-4;
        const numeric = Array.from(features, (_, i) => {
          const shifted = Float64Array.from(features);
          shifted[i] += step;
          const up = weightedLoss(shifted);
          shifted[i] -= 2 * step;
          return (up - weightedLoss(shifted)) / (2 * step);
        });
        expectClose(analytic, numeric, rtol, Math.max(atol, 1e-6),
            'finite differences');
      }), {seed: fuzzSeed(), numRuns: runsFor(context, 200)});
    },
  },
];
