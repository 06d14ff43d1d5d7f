/**
 * `linearSparseSoftmaxCrossEntropy` against its definition, the unfused
 * `sparseSoftmaxCrossEntropy(labels, matMul(hidden, kernel) + bias, ...)`:
 * values and gradients (hidden, kernel, bias, weights) for every reduction,
 * with and without bias, weights, label smoothing, ignoreIndex and a
 * transposed kernel, over several chunks; large logits; memory (no leak, no
 * kernel output of `tokens x V`); second order; errors. Runs on `cpu` and
 * `wasm` (the package's kernels on each: on wasm in place on its heap).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

import {linearSparseSoftmaxCrossEntropy, LinearSparseSoftmaxCrossEntropyOptions, sparseSoftmaxCrossEntropy} from '../src';

import {expectClose, expectEqual, expectThrows} from './catalogue/assert';
import {tolerancesFor} from './catalogue/case';
import {expectNoLeak} from './catalogue/memory';
import {Random} from './catalogue/random';

const REDUCTIONS: Array<[string, tf.Reduction]> = [
  ['NONE', tf.Reduction.NONE], ['SUM', tf.Reduction.SUM],
  ['MEAN', tf.Reduction.MEAN],
  ['SUM_BY_NONZERO_WEIGHTS', tf.Reduction.SUM_BY_NONZERO_WEIGHTS],
];

const {rtol, atol} = tolerancesFor(32);
// The loss's own tolerance against its oracle (losses.test.ts): fused and
// unfused sums round differently in float32.
const RTOL = 5 * rtol;
const ATOL = 10 * atol;

/** The definition: the package's loss on the whole logits. */
function unfused(
    labels: tf.Tensor, hidden: tf.Tensor, kernel: tf.Tensor,
    options: LinearSparseSoftmaxCrossEntropyOptions): tf.Tensor {
  const depth = hidden.shape[hidden.rank - 1];
  const product = tf.matMul(tf.reshape(hidden, [-1, depth]), kernel, false,
      options.transposeKernel ?? false);
  const withBias = options.bias == null ? product :
                                          tf.add(product, options.bias);
  const logits = tf.reshape(withBias,
      [...hidden.shape.slice(0, -1), withBias.shape[1] as number]);
  return sparseSoftmaxCrossEntropy(labels, logits,
      options.weights as tf.Tensor | undefined, options.labelSmoothing ?? 0,
      options.reduction ?? tf.Reduction.SUM_BY_NONZERO_WEIGHTS,
      options.ignoreIndex);
}

type Loss = (labels: tf.Tensor, hidden: tf.Tensor, kernel: tf.Tensor,
    options: LinearSparseSoftmaxCrossEntropyOptions) => tf.Tensor;

/**
 * The loss and the gradients of `sum(loss * upstream)` with respect to
 * hidden, kernel, bias and weights (those given), or the error the gradient
 * threw.
 */
function valueAndGradients(
    loss: Loss, labels: tf.Tensor, hidden: tf.Tensor, kernel: tf.Tensor,
    options: LinearSparseSoftmaxCrossEntropyOptions, upstream: tf.Tensor):
    {value: tf.Tensor, grads: tf.Tensor[]|Error} {
  const value = tf.tidy(() => loss(labels, hidden, kernel, options));
  {
    const bias = options.bias as tf.Tensor | undefined;
    const weights = options.weights as tf.Tensor | undefined;
    const xs = [hidden, kernel, ...(bias ? [bias] : []),
      ...(weights ? [weights] : [])];
    const f = (...args: tf.Tensor[]) => {
      const [h, k] = args;
      let rest = args.slice(2);
      const b = bias ? rest[0] : undefined;
      rest = bias ? rest.slice(1) : rest;
      const w = weights ? rest[0] : undefined;
      const y = loss(labels, h, k, {...options, bias: b, weights: w});
      return tf.sum(tf.mul(y, y.rank === 0 ? tf.scalar(1) : upstream));
    };
    try {
      return {value, grads: tf.tidy(() => tf.grads(f)(xs))};
    } catch (error) {
      return {value, grads: error as Error};
    }
  }
}

async function expectSameAsUnfused(
    labels: tf.Tensor, hidden: tf.Tensor, kernel: tf.Tensor,
    options: LinearSparseSoftmaxCrossEntropyOptions, upstream: tf.Tensor,
    what: string, tolerance = {rtol: RTOL, atol: ATOL}) {
  const ours = valueAndGradients(linearSparseSoftmaxCrossEntropy, labels,
      hidden, kernel, options, upstream);
  const theirs = valueAndGradients(unfused, labels, hidden, kernel, options,
      upstream);
  expectEqual(ours.value.shape, theirs.value.shape, `${what}: shape`);
  expectClose(await ours.value.data(), await theirs.value.data(),
      tolerance.rtol, tolerance.atol, `${what}: value`);
  if (theirs.grads instanceof Error) {
    // tfjs's SUM_BY_NONZERO_WEIGHTS has no gradient for the weights.
    expect(ours.grads).toBeInstanceOf(Error);
    expect((ours.grads as Error).message).toBe(theirs.grads.message);
  } else {
    expect(ours.grads).not.toBeInstanceOf(Error);
    const names = ['hidden', 'kernel', 'bias', 'weights'].filter(
        name => name === 'hidden' || name === 'kernel' ||
            (options as {[key: string]: unknown})[name] != null);
    for (const [i, grad] of theirs.grads.entries()) {
      const ourGrad = (ours.grads as tf.Tensor[])[i];
      expectEqual(ourGrad.shape, grad.shape, `${what}: d${names[i]} shape`);
      expectClose(await ourGrad.data(), await grad.data(), tolerance.rtol,
          tolerance.atol, `${what}: d${names[i]}`);
    }
    tf.dispose(ours.grads as tf.Tensor[]);
    tf.dispose(theirs.grads);
  }
  tf.dispose([ours.value, theirs.value]);
}

type WeightKind = 'none'|'scalar'|'perExampleWithZeros';

interface Layer {
  labels: tf.Tensor;
  hidden: tf.Tensor;
  kernel: tf.Tensor;
  bias: tf.Tensor;
  upstream: tf.Tensor;
  weights(kind: WeightKind): tf.Tensor|undefined;
}

function makeLayer(random: Random, leading: number[], depth: number,
    numClasses: number, transposeKernel: boolean, scale = 1): Layer {
  const rows = leading.reduce((a, b) => a * b, 1);
  const labels = random.labels(rows, numClasses);
  // Some rows carry the ignored label 2 when ignoreIndex is set.
  const layer = {
    labels: tf.tensor(labels, leading, 'int32'),
    hidden: tf.tensor(random.logits(rows * depth, 2 * scale),
        [...leading, depth]),
    kernel: tf.tensor(random.logits(depth * numClasses, scale),
        transposeKernel ? [numClasses, depth] : [depth, numClasses]),
    bias: tf.tensor1d(random.logits(numClasses, scale)),
    upstream: tf.tensor(random.logits(rows, 1), leading),
    weights: (kind: WeightKind) => kind === 'none' ? undefined :
        kind === 'scalar' ? tf.scalar(1.7) :
        tf.tensor(Array.from(random.logits(rows, 2),
            (w, i) => i % 3 === 0 ? 0 : w), leading),
  };
  return layer;
}

function disposeLayer(layer: Layer) {
  tf.dispose([layer.labels, layer.hidden, layer.kernel, layer.bias,
    layer.upstream]);
}

for (const backend of ['cpu', 'wasm']) {
  describe(`linearSparseSoftmaxCrossEntropy (${backend})`, () => {
    beforeAll(async () => {
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
      expect(await tf.setBackend(backend)).toBe(true);
    });

    it('is attached to tf.losses and exported by name', () => {
      expect(tf.losses).toHaveProperty('linearSparseSoftmaxCrossEntropy',
          linearSparseSoftmaxCrossEntropy);
    });

    for (const [reductionName, reduction] of REDUCTIONS) {
      for (const transposeKernel of [false, true]) {
        it(`equals the unfused loss: ${reductionName}, ` +
            `${transposeKernel ? '[V, D]' : '[D, V]'} kernel, every ` +
            'bias/weights/smoothing/ignoreIndex', async () => {
          const random = new Random(300 + reduction);
          // 3 x 4 rows in chunks of 5: three chunks, the last partial.
          const layer = makeLayer(random, [3, 4], 6, 11, transposeKernel);
          for (const withBias of [false, true]) {
            for (const weightKind of ['none', 'scalar',
                   'perExampleWithZeros'] as WeightKind[]) {
              for (const labelSmoothing of [0, 0.15]) {
                for (const ignoreIndex of [undefined, 2]) {
                  const weights = layer.weights(weightKind);
                  const options: LinearSparseSoftmaxCrossEntropyOptions = {
                    bias: withBias ? layer.bias : undefined, weights,
                    labelSmoothing, reduction, ignoreIndex, transposeKernel,
                    chunkSize: 5,
                  };
                  const check = () => expectSameAsUnfused(layer.labels,
                      layer.hidden, layer.kernel, options, layer.upstream,
                      `bias ${withBias}, weights ${weightKind}, smoothing ` +
                          `${labelSmoothing}, ignoreIndex ${ignoreIndex}`);
                  // There both gradients throw (tfjs has no gradient for
                  // the count of nonzero weights), and a throwing gradient
                  // leaves tfjs's tape undisposed.
                  const gradientThrows = weights != null &&
                      reduction === tf.Reduction.SUM_BY_NONZERO_WEIGHTS;
                  await (gradientThrows ? check() :
                      expectNoLeak(tf, 'loss and gradients', check));
                  weights?.dispose();
                }
              }
            }
          }
          disposeLayer(layer);
        });
      }
    }

    it('any chunk size gives the same result, one row to all rows',
        async () => {
          const layer = makeLayer(new Random(7), [9], 4, 6, false);
          for (const chunkSize of [1, 2, 8, 9, 100, undefined]) {
            await expectSameAsUnfused(layer.labels, layer.hidden, layer.kernel,
                {bias: layer.bias, chunkSize, labelSmoothing: 0.1,
                  reduction: tf.Reduction.MEAN},
                layer.upstream, `chunkSize ${chunkSize}`);
          }
          disposeLayer(layer);
        });

    it('logits up to +-1e4 stay exact', async () => {
      // Hidden up to 200 and kernel entries up to 100 over D = 2: logits
      // about +-1e4, where exp without the row max overflows.
      const random = new Random(11);
      const layer = makeLayer(random, [6], 2, 5, false, 100);
      const logits = tf.matMul(layer.hidden, layer.kernel);
      const largest = tf.max(tf.abs(logits)).dataSync()[0];
      expect(largest).toBeGreaterThan(5e3);
      logits.dispose();
      for (const [, reduction] of REDUCTIONS) {
        for (const labelSmoothing of [0, 0.2]) {
          await expectSameAsUnfused(layer.labels, layer.hidden, layer.kernel,
              {bias: layer.bias, reduction, labelSmoothing, chunkSize: 4},
              layer.upstream, `reduction ${reduction}, smoothing ` +
                  `${labelSmoothing}`);
        }
      }
      disposeLayer(layer);
    });

    // (On wasm the unfused reference's bias gradient, a sum over zero rows,
    // reads uninitialised memory, so the comparison runs on cpu.)
    (backend === 'cpu' ? it : it.skip)(
        'empty batch: the unfused result, no error', async () => {
      const layer = makeLayer(new Random(3), [0], 3, 4, false);
      for (const [, reduction] of REDUCTIONS.filter(
               ([name]) => name !== 'MEAN')) {
        await expectSameAsUnfused(layer.labels, layer.hidden, layer.kernel,
            {bias: layer.bias, reduction}, layer.upstream,
            `reduction ${reduction}`);
      }
      disposeLayer(layer);
    });

    it('trains an output layer with optimizer.minimize like the unfused loss',
        async () => {
          const random = new Random(21);
          const init = makeLayer(random, [16], 8, 30, false);
          const runs = [linearSparseSoftmaxCrossEntropy, unfused].map(
              loss => {
                const kernel = tf.variable(init.kernel.clone());
                const bias = tf.variable(init.bias.clone());
                const optimizer = tf.train.adam(0.05);
                const history: number[] = [];
                for (let step = 0; step < 20; step++) {
                  const value = optimizer.minimize(() => loss(init.labels,
                      init.hidden, kernel, {bias}) as tf.Scalar, true);
                  history.push(value!.dataSync()[0]);
                  value!.dispose();
                }
                const result = {history, kernel: kernel.dataSync()};
                optimizer.dispose();
                tf.dispose([kernel, bias]);
                return result;
              });
          expect(runs[0].history[19]).toBeLessThan(runs[0].history[0] / 2);
          expectClose(runs[0].history, runs[1].history, 1e-4, 1e-5,
              'loss history');
          expectClose(runs[0].kernel, runs[1].kernel, 1e-3, 1e-4, 'kernel');
          disposeLayer(init);
        });

    it('no kernel in a training step outputs tokens x V elements',
        async () => {
          // 64 tokens x V 500 = 32000 logits; D x V = 4000. The default
          // chunks hold at least 2^20 logits, so force small ones.
          const layer = makeLayer(new Random(5), [64], 8, 500, false);
          for (const [, reduction] of REDUCTIONS) {
            const profile = await tf.profile(() => {
              const grads = tf.grads((h: tf.Tensor, k: tf.Tensor,
                  b: tf.Tensor) => tf.sum(tf.mul(linearSparseSoftmaxCrossEntropy(
                  layer.labels, h, k, {bias: b, reduction, chunkSize: 8}),
              reduction === tf.Reduction.NONE ? layer.upstream : 1)))(
                  [layer.hidden, layer.kernel, layer.bias]);
              return grads;
            });
            const largest = Math.max(...profile.kernels.map(kernel =>
              Math.max(...kernel.outputShapes.map(
                  shape => (shape ?? []).reduce((a, b) => a * b, 1)))));
            expect(largest).toBeLessThanOrEqual(8 * 500);
            expect(profile.kernels.map(k => k.name)).toContain(
                'SparseSoftmaxCrossEntropyLoss');
            tf.dispose(profile.result as tf.Tensor[]);
          }
          disposeLayer(layer);
        });

    it('a training step holds the kernel\'s gradient and two chunks of ' +
        'logits, not the tokens x V logits', async () => {
      // 1024 tokens x V 4096: the logits are 16 MB, a default chunk (2^20
      // logits, 256 rows) 4 MB, the kernel 0.25 MB.
      const [tokens, depth, numClasses] = [1024, 16, 4096];
      const hidden = tf.randomNormal([tokens, depth], 0, 1, 'float32', 1);
      const kernel =
          tf.randomNormal([depth, numClasses], 0, 0.1, 'float32', 2);
      const bias = tf.randomNormal([numClasses], 0, 0.1, 'float32', 3);
      const labels = tf.randomUniformInt([tokens], 0, numClasses, 4);
      type StepLoss = (h: tf.Tensor, k: tf.Tensor, b: tf.Tensor) => tf.Tensor;
      // Value and gradients of hidden, kernel and bias, as in training.
      const peakOfStep = async (loss: StepLoss) => {
        const before = tf.memory().numBytes;
        const profile = await tf.profile(() => {
          const {value, grads} =
              tf.valueAndGrads(loss)([hidden, kernel, bias]);
          return [value, ...grads];
        });
        tf.dispose(profile.result as tf.Tensor[]);
        return profile.peakBytes - before;
      };
      const fusedPeak = (chunkSize?: number) => peakOfStep((h, k, b) =>
        linearSparseSoftmaxCrossEntropy(labels, h, k, {bias: b, chunkSize}));
      const unfusedPeak =
          await peakOfStep((h, k, b) => unfused(labels, h, k, {bias: b}));
      // Two chunks of logits (a chunk's logits and their gradient), the
      // kernel's gradient and one more kernel-sized tensor (wasm transposes
      // the kernel), and a few hidden- and bias-sized tensors.
      const bound = (rows: number) => 4 * (2 * rows * numClasses +
          2 * depth * numClasses + 8 * (tokens * depth + numClasses));
      const chunkings: Array<[number, number|undefined]> =
          [[256, undefined], [128, 128]];
      for (const [rows, chunkSize] of chunkings) {
        const peak = await fusedPeak(chunkSize);
        expect(peak).toBeLessThanOrEqual(bound(rows));
        expect(4 * peak).toBeLessThan(unfusedPeak);
      }
      tf.dispose([hidden, kernel, bias, labels]);
    });

    it('leaves the caller\'s tensors untouched and leaks nothing', async () => {
      const layer = makeLayer(new Random(9), [2, 3], 4, 5, true);
      const weights = tf.tensor([[1, 0, 2], [3, 1, 1]]);
      const inputs = [layer.labels, layer.hidden, layer.kernel, layer.bias,
        weights];
      const before = await Promise.all(inputs.map(t => t.data()));
      await expectNoLeak(tf, 'every option, value and gradients', async () => {
        const options = {bias: layer.bias, weights, labelSmoothing: 0.1,
          reduction: tf.Reduction.MEAN, ignoreIndex: 2,
          transposeKernel: true, chunkSize: 4};
        const loss = linearSparseSoftmaxCrossEntropy(layer.labels,
            layer.hidden, layer.kernel, options);
        await loss.data();
        loss.dispose();
        const grads = tf.grads((h: tf.Tensor) => linearSparseSoftmaxCrossEntropy(
            layer.labels, h, layer.kernel, options))([layer.hidden]);
        tf.dispose(grads);
      });
      const after = await Promise.all(inputs.map(t => t.data()));
      expectEqual(after.map(a => Array.from(a)), before.map(b => Array.from(b)),
          'values');
      expect(inputs.some(t => t.isDisposed)).toBe(false);
      tf.dispose(weights);
      disposeLayer(layer);
    });

    // (Like any gradient that throws, this leaves tfjs's tape undisposed.)
    it('a gradient of the gradient throws, naming the limit', () => {
      const layer = makeLayer(new Random(13), [4], 3, 5, false);
      for (const reduction of [tf.Reduction.SUM, tf.Reduction.NONE]) {
        expectThrows(() => tf.tidy(() => tf.grad((h: tf.Tensor) => tf.sum(
            tf.grad((x: tf.Tensor) => tf.sum(linearSparseSoftmaxCrossEntropy(
                layer.labels, x, layer.kernel, {reduction})))(h)))(
            layer.hidden)),
        ['linearSparseSoftmaxCrossEntropy: gradients of its gradients',
          'second and higher order', 'not supported']);
      }
      disposeLayer(layer);
    });

    if (backend === 'cpu') {
      it('out-of-range labels throw TensorFlow\'s CPU error', () => {
        const before = tf.memory().numTensors;
        expectThrows(() => tf.tidy(() => linearSparseSoftmaxCrossEntropy(
            [0, 7], tf.ones([2, 3]), tf.ones([3, 4]))),
        ['outside the valid range of [0, 4)']);
        expectEqual(tf.memory().numTensors, before, 'tensors');
      });
    }

    const LOSS = 'linearSparseSoftmaxCrossEntropy';
    const h = () => tf.zeros([2, 3]);
    const k = () => tf.zeros([3, 4]);
    const badCalls: Array<[string, () => unknown, string[]]> = [
      ['a D mismatch', () => linearSparseSoftmaxCrossEntropy([0, 1], h(),
          tf.zeros([5, 4])), ['\'kernel\'', 'D = 3', '[5,4]']],
      ['a D mismatch with a transposed kernel', () =>
        linearSparseSoftmaxCrossEntropy([0, 1], h(), k(),
            {transposeKernel: true}), ['\'kernel\'', '[V, D]', 'D = 3']],
      ['a bias of another V', () => linearSparseSoftmaxCrossEntropy([0, 1],
          h(), k(), {bias: tf.zeros([5])}), ['\'bias\'', '[4]', '[5]']],
      ['a kernel of rank 3', () => linearSparseSoftmaxCrossEntropy([0, 1],
          h(), tf.zeros([3, 4, 1])), ['\'kernel\'', 'matrix']],
      ['a scalar hidden', () => linearSparseSoftmaxCrossEntropy(0, 1, k()),
        ['\'hidden\'', 'scalar']],
      ['labels of another shape', () => linearSparseSoftmaxCrossEntropy(
          [0, 1, 2], h(), k()), ['\'labels\'', '[2]', '[3]']],
      ['float labels', () => linearSparseSoftmaxCrossEntropy(tf.zeros([2]),
          h(), k()), ['\'labels\'', 'int32', 'float32']],
      ['int hidden', () => linearSparseSoftmaxCrossEntropy([0, 1],
          tf.zeros([2, 3], 'int32'), k()), ['\'hidden\'', 'float32']],
      ['an int kernel', () => linearSparseSoftmaxCrossEntropy([0, 1], h(),
          tf.zeros([3, 4], 'int32')), ['\'kernel\'', 'float32', 'int32']],
      ['weights of another shape', () => linearSparseSoftmaxCrossEntropy(
          [0, 1], h(), k(), {weights: tf.ones([3])}),
      ['\'weights\'', '[2]', '[3]']],
      ['labelSmoothing above 1', () => linearSparseSoftmaxCrossEntropy(
          [0, 1], h(), k(), {labelSmoothing: 2}), ['\'labelSmoothing\'']],
      ['an unknown reduction', () => linearSparseSoftmaxCrossEntropy([0, 1],
          h(), k(), {reduction: 7 as tf.Reduction}), ['\'reduction\'', '7']],
      ['a zero chunkSize', () => linearSparseSoftmaxCrossEntropy([0, 1], h(),
          k(), {chunkSize: 0}), ['\'chunkSize\'', '0']],
      ['a misspelt option', () => linearSparseSoftmaxCrossEntropy([0, 1], h(),
          k(), {label_smoothing: 0.1} as LinearSparseSoftmaxCrossEntropyOptions),
      ['\'options\'', 'label_smoothing']],
    ];
    for (const [name, call, parts] of badCalls) {
      it(`rejects ${name} before any work, naming the function and argument`,
          async () => {
            const before = tf.memory().numTensors;
            const profile = await tf.profile(() => {
              expectThrows(() => tf.tidy(() => {
                call();
              }), [`${LOSS}: argument`, ...parts]);
              return [];
            });
            expect(profile.kernels.map(kernel => kernel.name)).not.toContain(
                'BatchMatMul');
            expectEqual(tf.memory().numTensors, before, 'tensors');
          });
    }
  });
}
