/**
 * `tf.losses.sparseSoftmaxCrossEntropy` against its oracle,
 * `tf.losses.softmaxCrossEntropy(tf.oneHot(labels, numClasses), logits, ...)`:
 * values and gradients for every reduction, weights, label smoothing,
 * `ignoreIndex` and higher-rank labels; errors; memory. Runs on `cpu` and
 * `wasm` (the package's kernels on each: on wasm in place on its heap), with
 * `@tensorflow/tfjs` loaded as a user's app loads it.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

import {sparseSoftmaxCrossEntropy} from '../src';

import {expectClose, expectEqual, expectThrows} from './catalogue/assert';
import {tolerancesFor} from './catalogue/case';
import {expectNoLeak} from './catalogue/memory';
import {Random} from './catalogue/random';
import {reference, referenceHessianVectorProduct} from './catalogue/reference';

type Weights = 'none'|'scalar'|'perExample'|'perExampleWithZeros';

const REDUCTIONS: Array<[string, tf.Reduction]> = [
  ['NONE', tf.Reduction.NONE], ['SUM', tf.Reduction.SUM],
  ['MEAN', tf.Reduction.MEAN],
  ['SUM_BY_NONZERO_WEIGHTS', tf.Reduction.SUM_BY_NONZERO_WEIGHTS],
];
const WEIGHTS: Weights[] = ['none', 'scalar', 'perExample',
  'perExampleWithZeros'];

const {rtol, atol} = tolerancesFor(32);
// Ours and the oracle round differently (fused vs composite float32).
const RTOL = 5 * rtol;
const ATOL = 10 * atol;

function makeWeights(kind: Weights, batch: number, random: Random) {
  switch (kind) {
    case 'none': return undefined;
    case 'scalar': return tf.scalar(1.7);
    case 'perExample': return tf.tensor1d(random.logits(batch, 2));
    case 'perExampleWithZeros':
      return tf.tensor1d(Array.from(random.logits(batch, 2),
          (w, i) => i % 3 === 0 ? 0 : w));
  }
}

/** The oracle: tfjs's own loss on a one-hot matrix. */
function oracle(labels: tf.Tensor, logits: tf.Tensor,
    weights: tf.Tensor|undefined, labelSmoothing: number,
    reduction: tf.Reduction): tf.Tensor {
  const numClasses = logits.shape[logits.rank - 1];
  // tf.oneHot needs depth >= 2; this one-hot also takes a single class.
  const oneHot = tf.cast(tf.equal(tf.expandDims(labels, -1),
      tf.range(0, numClasses, 1, 'int32')), 'float32');
  return tf.losses.softmaxCrossEntropy(
      oneHot, logits, weights, labelSmoothing, reduction);
}

/**
 * The value and the gradient with respect to the logits of
 * `sum(loss * upstream)` (upstream is 1 for a scalar loss).
 */
function valueAndGradient(
    loss: (logits: tf.Tensor) => tf.Tensor, logits: tf.Tensor,
    upstream: tf.Tensor): {value: tf.Tensor, grad: tf.Tensor} {
  return tf.tidy(() => {
    const value = loss(logits);
    const grad = tf.grad(x => tf.sum(tf.mul(loss(x),
        value.rank === 0 ? tf.scalar(1) : upstream)))(logits);
    return {value, grad};
  });
}

async function expectSame(
    ours: {value: tf.Tensor, grad: tf.Tensor},
    theirs: {value: tf.Tensor, grad: tf.Tensor}, what: string) {
  expectEqual(ours.value.shape, theirs.value.shape, `${what}: shape`);
  expectClose(await ours.value.data(), await theirs.value.data(), RTOL, ATOL,
      `${what}: value`);
  expectClose(await ours.grad.data(), await theirs.grad.data(), RTOL, ATOL,
      `${what}: gradient`);
  tf.dispose([ours, theirs]);
}

for (const backend of ['cpu', 'wasm']) {
  describe(`losses.sparseSoftmaxCrossEntropy (${backend})`, () => {
    beforeAll(async () => {
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
      expect(await tf.setBackend(backend)).toBe(true);
    });

    it('is attached to tf.losses and exported by name', () => {
      expect(tf.losses).toHaveProperty('sparseSoftmaxCrossEntropy',
          sparseSoftmaxCrossEntropy);
      expect(tf.losses.softmaxCrossEntropy).toBeDefined();
    });

    it('matches the JSDoc example', async () => {
      const labels = tf.tensor1d([2, 0], 'int32');
      const logits = tf.tensor2d([[1, 2, 3], [1, 2, 3]]);
      const mean = sparseSoftmaxCrossEntropy(labels, logits);
      const ignored = sparseSoftmaxCrossEntropy(
          labels, logits, undefined, 0, tf.Reduction.NONE, 0);
      expectClose(await mean.data(), [1.4076059], rtol, atol, 'mean');
      expectClose(await ignored.data(), [0.4076059, 0], rtol, atol, 'ignored');
      tf.dispose([labels, logits, mean, ignored]);
    });

    for (const [reductionName, reduction] of REDUCTIONS) {
      for (const weightKind of WEIGHTS) {
        for (const labelSmoothing of [0, 0.1]) {
          it(`equals the one-hot oracle: ${reductionName}, weights ` +
              `${weightKind}, labelSmoothing ${labelSmoothing}`, async () => {
            const random = new Random(100 + reduction);
            const [batch, numClasses] = [7, 5];
            const labels = tf.tensor1d(random.labels(batch, numClasses),
                'int32');
            const logits = tf.tensor2d(random.logits(batch * numClasses, 4),
                [batch, numClasses]);
            const weights = makeWeights(weightKind, batch, random);
            const upstream = tf.tensor1d(random.logits(batch, 1));
            await expectNoLeak(tf, 'loss and gradient', async () => {
              await expectSame(
                  valueAndGradient(x => sparseSoftmaxCrossEntropy(labels, x,
                      weights, labelSmoothing, reduction), logits, upstream),
                  valueAndGradient(x => oracle(labels, x, weights,
                      labelSmoothing, reduction), logits, upstream),
                  'loss');
            });
            tf.dispose([labels, logits, weights, upstream]);
          });
        }
      }
    }

    it('label smoothing stays exact for logits of +-1e4 and one class',
        async () => {
          for (const [values, numClasses] of [
            [[1e4, -1e4, 0, -1e4, 1e4, 3], 3], [[5, -2, 1e4], 1],
          ] as Array<[number[], number]>) {
            const batch = values.length / numClasses;
            const logits = tf.tensor2d(values, [batch, numClasses]);
            const labels = tf.tensor1d(new Array(batch).fill(0), 'int32');
            const upstream = tf.ones([batch]);
            await expectSame(
                valueAndGradient(x => sparseSoftmaxCrossEntropy(labels, x,
                    undefined, 0.3, tf.Reduction.NONE), logits, upstream),
                valueAndGradient(x => oracle(labels, x, undefined, 0.3,
                    tf.Reduction.NONE), logits, upstream),
                `${numClasses} classes`);
            tf.dispose([logits, labels, upstream]);
          }
        });

    it('higher-rank labels: every reduction, with and without smoothing',
        async () => {
          const random = new Random(7);
          const logitValues = random.logits(2 * 3 * 4, 3);
          const labelValues = random.labels(6, 4);
          const logits = tf.tensor3d(logitValues, [2, 3, 4]);
          const labels = tf.tensor2d(labelValues, [2, 3], 'int32');
          const weights = tf.tensor2d(random.logits(6, 1), [2, 3]);
          const upstream = tf.tensor2d(random.logits(6, 1), [2, 3]);
          // tfjs's oracle reads numClasses from shape[1], so smoothing is
          // checked against it on the same data flattened to 2-D.
          const flatLogits = tf.reshape(logits, [6, 4]);
          const flatLabels = tf.reshape(labels, [6]);
          const flatWeights = tf.reshape(weights, [6]);
          const flatUpstream = tf.reshape(upstream, [6]);
          for (const [name, reduction] of REDUCTIONS) {
            await expectSame(
                valueAndGradient(x => sparseSoftmaxCrossEntropy(labels, x,
                    weights, 0, reduction), logits, upstream),
                valueAndGradient(x => oracle(labels, x, weights, 0,
                    reduction), logits, upstream),
                `rank 3, ${name}`);
            const smoothed = valueAndGradient(x => sparseSoftmaxCrossEntropy(
                labels, x, weights, 0.2, reduction), logits, upstream);
            const flat = valueAndGradient(x => oracle(flatLabels, x,
                flatWeights, 0.2, reduction), flatLogits, flatUpstream);
            await expectSame(
                {value: tf.reshape(smoothed.value, flat.value.shape),
                  grad: tf.reshape(smoothed.grad, [6, 4])},
                flat, `rank 3 smoothed, ${name}`);
            tf.dispose(smoothed);
          }
          tf.dispose([logits, labels, weights, upstream, flatLogits,
            flatLabels, flatWeights, flatUpstream]);
        });

    describe('ignoreIndex', () => {
      const [batch, numClasses] = [8, 5];
      const random = new Random(31);
      const labelValues = random.labels(batch, numClasses);
      const logitValues = random.logits(batch * numClasses, 3);

      for (const ignoreIndex of [-100, numClasses, 2]) {
        for (const [reductionName, reduction] of REDUCTIONS) {
          it(`label ${ignoreIndex}, ${reductionName}: the oracle with ` +
              'those rows at zero weight', async () => {
            const withIgnored = Int32Array.from(labelValues,
                (label, i) => i % 3 === 1 ? ignoreIndex : label);
            const labels = tf.tensor1d(withIgnored, 'int32');
            const kept = Array.from(withIgnored, l => l === ignoreIndex ? 0 : 1);
            // The oracle sees a valid label and a zero weight instead.
            const safeLabels = tf.tensor1d(
                withIgnored.map(l => l === ignoreIndex ? 0 : l), 'int32');
            const logits = tf.tensor2d(logitValues, [batch, numClasses]);
            const weights = tf.tensor1d(random.logits(batch, 2));
            const keptWeights = tf.mul(weights, tf.tensor1d(kept));
            const upstream = tf.tensor1d(random.logits(batch, 1));
            for (const labelSmoothing of [0, 0.25]) {
              const ours = valueAndGradient(x => sparseSoftmaxCrossEntropy(
                  labels, x, weights, labelSmoothing, reduction, ignoreIndex),
              logits, upstream);
              const gradient = await ours.grad.data();
              kept.forEach((k, row) => {
                if (k === 0) {
                  expectEqual(Array.from(gradient.slice(row * numClasses,
                      (row + 1) * numClasses)), new Array(numClasses).fill(0),
                  `ignored row ${row} gradient`);
                }
              });
              await expectSame(ours, valueAndGradient(x => oracle(safeLabels,
                  x, keptWeights, labelSmoothing, reduction), logits, upstream),
              `smoothing ${labelSmoothing}`);
            }
            tf.dispose([labels, safeLabels, logits, weights, keptWeights,
              upstream]);
          });
        }
      }

      it('the mean reductions average over the kept rows only', async () => {
        const labels = tf.tensor1d([0, -100, 1, -100], 'int32');
        const logits = tf.tensor2d([[1, 2], [3, 4], [5, 1], [0, 0]]);
        const perRow = sparseSoftmaxCrossEntropy(labels, logits, undefined, 0,
            tf.Reduction.NONE, -100);
        const values = await perRow.data();
        expectClose(values, [1.3132617, 0, 4.0181499, 0], rtol, atol, 'rows');
        for (const reduction of [tf.Reduction.MEAN,
          tf.Reduction.SUM_BY_NONZERO_WEIGHTS]) {
          const mean = sparseSoftmaxCrossEntropy(labels, logits, undefined, 0,
              reduction, -100);
          expectClose(await mean.data(), [(values[0] + values[2]) / 2], rtol,
              atol, `reduction ${reduction}`);
          mean.dispose();
        }
        tf.dispose([labels, logits, perRow]);
      });

      it('other out-of-range labels are still rejected on the CPU', () => {
        const labels = tf.tensor1d([0, -100, 7], 'int32');
        const logits = tf.zeros([3, 4]);
        expectThrows(() => sparseSoftmaxCrossEntropy(labels, logits,
            undefined, 0, tf.Reduction.SUM, -100),
        ['Received a label value of 7 which is outside the valid range of ' +
            '[0, 4).  Label values: 0 0 7']);
        tf.dispose([labels, logits]);
      });
    });

    it('second-order gradients: the Hessian does not depend on smoothing',
        async () => {
          // d2/dx2 of sum_j q_j (logsumexp(x) - x_j) is diag(p) - p p^T.
          const random = new Random(41);
          const [batch, numClasses] = [4, 6];
          const features = random.logits(batch * numClasses, 3);
          const labels = random.labels(batch, numClasses);
          const v = random.logits(batch * numClasses, 1);
          const labelTensor = tf.tensor1d(labels, 'int32');
          const vTensor = tf.tensor2d(v, [batch, numClasses]);
          const logits = tf.tensor2d(features, [batch, numClasses]);
          const expected = referenceHessianVectorProduct(
              reference(features, labels, numClasses), v, numClasses);
          for (const ignoreIndex of [undefined, -1]) {
            await expectNoLeak(tf, 'second order', async () => {
              const loss = (x: tf.Tensor) => sparseSoftmaxCrossEntropy(
                  labelTensor, x, undefined, 0.3, tf.Reduction.SUM,
                  ignoreIndex);
              const hvp = tf.grad((x: tf.Tensor) =>
                  tf.sum(tf.mul(tf.grad(loss)(x), vTensor)))(logits);
              expectClose(await hvp.data(), expected, RTOL, ATOL, 'Hv');
              hvp.dispose();
            });
          }
          tf.dispose([labelTensor, vTensor, logits]);
        });

    it('leaves the caller\'s tensors untouched', async () => {
      const labels = tf.tensor1d([1, -1, 0], 'int32');
      const logits = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
      const weights = tf.tensor1d([1, 2, 3]);
      const before = await Promise.all([labels, logits, weights].map(
          t => t.data()));
      await expectNoLeak(tf, 'every option', async () => {
        const loss = sparseSoftmaxCrossEntropy(labels, logits, weights, 0.1,
            tf.Reduction.MEAN, -1);
        await loss.data();
        loss.dispose();
      });
      const after = await Promise.all([labels, logits, weights].map(
          t => t.data()));
      expectEqual(after.map(a => Array.from(a)), before.map(b => Array.from(b)),
          'values');
      expect([labels, logits, weights].some(t => t.isDisposed)).toBe(false);
      tf.dispose([labels, logits, weights]);
    });

    it('accepts TensorLike arguments and int32 weights', async () => {
      const loss = sparseSoftmaxCrossEntropy([2, 0], [[1, 2, 3], [1, 2, 3]],
          tf.tensor1d([1, 0], 'int32'));
      expectClose(await loss.data(), [0.4076059], rtol, atol, 'loss');
      loss.dispose();
    });

    const LOSS = 'sparseSoftmaxCrossEntropy';
    const badCalls: Array<[string, () => unknown, string[]]> = [
      ['float labels', () => sparseSoftmaxCrossEntropy(tf.zeros([2]),
          tf.zeros([2, 3])), ['\'labels\'', 'int32', 'float32']],
      ['int logits', () => sparseSoftmaxCrossEntropy([0, 1],
          tf.zeros([2, 3], 'int32')), ['\'logits\'', 'float32', 'int32']],
      ['scalar logits', () => sparseSoftmaxCrossEntropy(0, 1),
        ['\'logits\'', '`logits` cannot be a scalar']],
      ['mismatched labels', () => sparseSoftmaxCrossEntropy([0, 1, 2],
          tf.zeros([2, 3])), ['\'labels\'',
        'logits and labels must have the same first dimension']],
      ['weights of another shape', () => sparseSoftmaxCrossEntropy([0, 1],
          tf.zeros([2, 3]), tf.ones([3])), ['\'weights\'', '[2]', '[3]']],
      ['labelSmoothing above 1', () => sparseSoftmaxCrossEntropy([0, 1],
          tf.zeros([2, 3]), undefined, 2), ['\'labelSmoothing\'', '2']],
      ['an unknown reduction', () => sparseSoftmaxCrossEntropy([0, 1],
          tf.zeros([2, 3]), undefined, 0, 7 as tf.Reduction),
      ['\'reduction\'', '7']],
      ['a fractional ignoreIndex', () => sparseSoftmaxCrossEntropy([0, 1],
          tf.zeros([2, 3]), undefined, 0, tf.Reduction.SUM, 1.5),
      ['\'ignoreIndex\'', '1.5']],
    ];
    for (const [name, call, parts] of badCalls) {
      it(`rejects ${name}, naming the function and argument`, async () => {
        const before = tf.memory().numTensors;
        expectThrows(() => tf.tidy(() => {
          call();
        }), [`${LOSS}: argument`, ...parts]);
        expectEqual(tf.memory().numTensors, before, 'tensors');
      });
    }
  });
}
