/**
 * The loss options (z-loss, class weights, with label smoothing, weights,
 * ignoreIndex and every reduction) in every lane, for
 * `tf.losses.sparseSoftmaxCrossEntropy` and
 * `linearSparseSoftmaxCrossEntropy`: value and first-order gradients equal a
 * float64 reference of the same formula (`option_reference.ts`) at logits
 * up to +-1e4; bad option values throw before any work, leaving the user's
 * tensors as they were and nothing leaked.
 */
import type {Reduction, Tensor} from '@tensorflow/tfjs';

import {expectClose, expectEqual, expectThrows} from './assert';
import {CaseContext, TestCase} from './case';
import {expectNoLeak} from './memory';
import {matMul64, optionHessianVectorReference, OptionSpec, optionReference, ReductionName, transpose64} from './option_reference';
import {Random} from './random';

const REDUCTION_NAMES: ReductionName[] =
    ['NONE', 'SUM', 'MEAN', 'SUM_BY_NONZERO_WEIGHTS'];

/**
 * The loss's relative tolerance: the bar is 1e-6 on the 32-bit CPU
 * backends and 1e-5 on the GPU ones; 16-bit textures get the lane's own.
 */
function lossTolerance(context: CaseContext): number {
  if (context.floatPrecision === 16) {
    return context.rtol;
  }
  return ['cpu', 'wasm', 'tensorflow'].includes(context.backend) ? 1e-6 :
                                                                   1e-5;
}

function maxAbs(values: ArrayLike<number>): number {
  let largest = 0;
  for (let i = 0; i < values.length; i++) {
    largest = Math.max(largest, Math.abs(values[i]));
  }
  return largest;
}

/**
 * Gradients: the lane's rtol, and atol relative to the largest entry. With
 * a soft cap the entries carry `1 - tanh(x / c)^2`, which float32 rounds to
 * 0 once `|x / c| > 9` (tanh is 1 there): where every logit saturates the
 * largest entry is itself below float32's resolution of the uncapped
 * gradient, so `capped` puts a floor of 1e-6 under the scale.
 */
function expectGradientClose(
    context: CaseContext, actual: ArrayLike<number>,
    expected: ArrayLike<number>, what: string, capped = false): void {
  const scale = Math.max(maxAbs(expected), capped ? 1e-6 : 1e-30);
  expectClose(actual, expected, 5 * context.rtol, 5 * context.rtol * scale,
      what);
}

function expectLossClose(
    context: CaseContext, actual: ArrayLike<number>,
    expected: ArrayLike<number>, what: string): void {
  const rtol = lossTolerance(context);
  expectClose(actual, expected, rtol, rtol, what);
}

/** The option sets each run: each option alone, then combined. */
function optionSets(scale: number, numClasses: number, batch: number,
    random: Random): Array<Omit<OptionSpec, 'reduction'>> {
  // z-loss sized so its term is comparable to the loss at this scale.
  const zLoss = scale > 100 ? 1e-4 : 1e-2;
  const classWeights = Array.from(random.logits(numClasses, 1),
      w => Math.fround(1.5 + w));
  const weights = Array.from(random.logits(batch, 1),
      (w, i) => i % 4 === 1 ? 0 : Math.fround(1.2 + w));
  return [
    {labelSmoothing: 0, zLoss},
    {labelSmoothing: 0, zLoss: 0, classWeights},
    {labelSmoothing: 0.2, zLoss},
    {labelSmoothing: 0.1, zLoss, classWeights, weights, ignoreIndex: 2},
  ];
}

function describe(spec: OptionSpec): string {
  return JSON.stringify({...spec, classWeights: spec.classWeights != null,
    weights: spec.weights != null});
}

async function checkLoss(
    context: CaseContext, logitsValues: Float32Array, labelValues: Int32Array,
    labelsShape: number[], numClasses: number, spec: OptionSpec):
    Promise<void> {
  const {tf, loss} = context;
  const logits = tf.tensor(logitsValues, [...labelsShape, numClasses]);
  const labels = tf.tensor(labelValues, labelsShape, 'int32');
  const what = describe(spec);
  await expectNoLeak(tf, what, async () => {
    const options = {
      labelSmoothing: spec.labelSmoothing,
      zLoss: spec.zLoss,
      softcap: spec.softcap,
      reduction: tf.Reduction[spec.reduction] as unknown as Reduction,
      ignoreIndex: spec.ignoreIndex,
      weights: spec.weights == null ? undefined :
                                      tf.tensor(spec.weights, labelsShape),
      classWeights: spec.classWeights == null ? undefined :
                                                tf.tensor1d(spec.classWeights),
    };
    const [value, dLogits, withStatistic, logSumExp, dLogitsWithStatistic] =
        tf.tidy(() => {
          const {loss: lossOut, logSumExp} =
              loss(labels, logits, {...options, returnLogSumExp: true});
          return [loss(labels, logits, options),
            tf.grad((x: Tensor) => tf.sum(loss(labels, x, options)))(logits),
            lossOut, logSumExp,
            tf.grad((x: Tensor) => tf.sum(loss(labels, x,
                {...options, returnLogSumExp: true}).loss))(logits)];
        });
    const expected =
        optionReference(logitsValues, labelValues, numClasses, spec);
    expectLossClose(context, await value.data(), expected.value,
        `${what}: loss`);
    const capped = spec.softcap != null;
    expectGradientClose(context, await dLogits.data(), expected.dLogits,
        `${what}: dLogits`, capped);
    expectEqual(logSumExp.shape, labelsShape, `${what}: logSumExp shape`);
    expectLossClose(context, await logSumExp.data(), expected.logSumExp,
        `${what}: logSumExp`);
    expectEqual(Array.from(await withStatistic.data()),
        Array.from(await value.data()), `${what}: loss with returnLogSumExp`);
    expectGradientClose(context, await dLogitsWithStatistic.data(),
        expected.dLogits, `${what}: dLogits with returnLogSumExp`, capped);
    tf.dispose([value, dLogits, withStatistic, logSumExp,
      dLogitsWithStatistic, options.weights, options.classWeights]);
  });
  tf.dispose([logits, labels]);
}

interface LinearData {
  labels: Int32Array;
  hidden: Float32Array;
  kernel: Float32Array;
  bias: Float32Array;
}

async function checkLinearLoss(
    context: CaseContext, data: LinearData, rows: number, depth: number,
    numClasses: number, spec: OptionSpec): Promise<void> {
  const {tf, linearLoss} = context;
  const labels = tf.tensor1d(data.labels, 'int32');
  const hidden = tf.tensor2d(data.hidden, [rows, depth]);
  const kernel = tf.tensor2d(data.kernel, [depth, numClasses]);
  const bias = tf.tensor1d(data.bias);
  const what = `linear ${describe(spec)}`;
  await expectNoLeak(tf, what, async () => {
    const options = {
      labelSmoothing: spec.labelSmoothing,
      zLoss: spec.zLoss,
      softcap: spec.softcap,
      reduction: tf.Reduction[spec.reduction] as unknown as Reduction,
      ignoreIndex: spec.ignoreIndex,
      weights: spec.weights == null ? undefined : tf.tensor1d(spec.weights),
      classWeights: spec.classWeights == null ? undefined :
                                                tf.tensor1d(spec.classWeights),
      chunkSize: 4,
    };
    // The statistic from each path: no tape, and under a tape (the NONE
    // reduction's recomputing gradient, the others' gradients in the pass).
    let tapedLogSumExp: Tensor|undefined;
    const tensors = tf.tidy(() => {
      const {loss: value, logSumExp} = linearLoss(labels, hidden, kernel,
          {...options, bias, returnLogSumExp: true});
      const grads = tf.grads((h: Tensor, k: Tensor, b: Tensor) => {
        const outputs = linearLoss(labels, h, k,
            {...options, bias: b, returnLogSumExp: true});
        tapedLogSumExp = tf.keep(outputs.logSumExp);
        return tf.sum(outputs.loss);
      })([hidden, kernel, bias]);
      return [value, ...grads, logSumExp];
    });
    const [value, dHidden, dKernel, dBias, logSumExp] =
        await Promise.all(tensors.map(t => t.data()));
    const product = matMul64(data.hidden, data.kernel, rows, depth, numClasses);
    const logits64 = product.map((x, i) => x + data.bias[i % numClasses]);
    const expected =
        optionReference(logits64, data.labels, numClasses, spec);
    expectLossClose(context, value, expected.value, `${what}: loss`);
    const d = expected.dLogits;
    const capped = spec.softcap != null;
    expectGradientClose(context, dHidden,
        matMul64(d, data.kernel, rows, numClasses, depth, true),
        `${what}: dHidden`, capped);
    expectGradientClose(context, dKernel,
        matMul64(transpose64(data.hidden, rows, depth), d, depth, rows,
            numClasses),
        `${what}: dKernel`, capped);
    const dBiasExpected = new Float64Array(numClasses);
    d.forEach((g, i) => dBiasExpected[i % numClasses] += g);
    expectGradientClose(context, dBias, dBiasExpected, `${what}: dBias`,
        capped);
    expectLossClose(context, logSumExp, expected.logSumExp,
        `${what}: logSumExp`);
    expectLossClose(context, await tapedLogSumExp!.data(), expected.logSumExp,
        `${what}: logSumExp under a tape`);
    tf.dispose([...tensors, tapedLogSumExp!, options.weights,
      options.classWeights]);
  });
  tf.dispose([labels, hidden, kernel, bias]);
}

/**
 * One loss's inputs, drawn at one logit scale: the option sets sized for
 * them, and the check of one option spec on them.
 */
interface DrawnInputs {
  /** `optionSets`, drawn from the same `Random` after the inputs. */
  sets: Array<Omit<OptionSpec, 'reduction'>>;
  check(spec: OptionSpec): Promise<void>;
}

/** Draws one loss's inputs at a logit scale. */
type DrawInputs = (random: Random, scale: number) => DrawnInputs;

/** Labels `[2, 5]` over 7 classes for `tf.losses.sparseSoftmaxCrossEntropy`. */
function lossInputs(context: CaseContext): DrawInputs {
  return (random, scale) => {
    const [numClasses, batch] = [7, 10];
    const logits = context.storable(random.logits(batch * numClasses, scale));
    const labels = random.labels(batch, numClasses);
    labels[3] = 2;  // at least one ignored example when ignoreIndex is 2
    return {
      sets: optionSets(scale, numClasses, batch, random),
      check: spec => checkLoss(context, logits, labels, [2, 5], numClasses,
          spec),
    };
  };
}

/** 10 rows of depth 3 over 6 classes for `linearSparseSoftmaxCrossEntropy`. */
function linearInputs(context: CaseContext): DrawInputs {
  return (random, scale) => {
    const [rows, depth, numClasses] = [10, 3, 6];
    // |logit| <= depth * 2 scale * scale + scale: about 2e4 at scale 60.
    const data: LinearData = {
      labels: random.labels(rows, numClasses),
      hidden: context.storable(random.logits(rows * depth, 2 * scale)),
      kernel: context.storable(random.logits(depth * numClasses, scale)),
      bias: context.storable(random.logits(numClasses, scale)),
    };
    data.labels[5] = 2;
    return {
      sets: optionSets(scale * scale * 6, numClasses, rows, random),
      check: spec => checkLinearLoss(context, data, rows, depth, numClasses,
          spec),
    };
  };
}

/**
 * Checks every option set under every reduction on the inputs `draw` makes
 * at each `[scale, seed]`. `extra` (say, a softcap) joins every set and is
 * first checked alone, with no other option.
 */
async function checkOptionSets(
    draw: DrawInputs,
    seeds: Array<[number, number]>,
    extra?: Partial<OptionSpec>): Promise<void> {
  for (const [scale, seed] of seeds) {
    const {sets, check} = draw(new Random(seed), scale);
    const alone = extra == null ? [] : [{labelSmoothing: 0, zLoss: 0}];
    for (const set of [...alone, ...sets]) {
      for (const reduction of REDUCTION_NAMES) {
        await check({...set, ...extra, reduction});
      }
    }
  }
}

export const optionCases: TestCase[] = [
  {
    name: 'loss options (zLoss, classWeights, with smoothing, weights, ' +
        'ignoreIndex) equal a float64 reference under every reduction, ' +
        'logits up to +-1e4',
    async run(context) {
      // 16-bit textures hold no lse^2 of logits near 1e4 (beyond 65504).
      await checkOptionSets(lossInputs(context),
          context.floatPrecision === 16 ? [[3, 291]] : [[3, 291], [1e4, 292]]);
    },
  },
  {
    name: 'linear loss options (zLoss, classWeights, with smoothing, ' +
        'weights, ignoreIndex) equal a float64 reference in value and ' +
        'gradients to hidden, kernel and bias, logits up to +-1e4',
    async run(context) {
      await checkOptionSets(linearInputs(context),
          context.floatPrecision === 16 ? [[1, 293]] : [[1, 293], [60, 294]]);
    },
  },
  {
    name: 'softcap: both losses, alone and with smoothing, weights, class ' +
        'weights and zLoss, equal a float64 reference in value and ' +
        'gradients, logits up to +-1e4',
    async run(context) {
      await checkOptionSets(lossInputs(context), [[3, 301], [1e4, 302]],
          {softcap: 30});
      await checkOptionSets(linearInputs(context), [[1, 303], [60, 304]],
          {softcap: 20});
    },
  },
  {
    name: 'loss options: a zLoss training step runs the fused kernels (on ' +
        'cpu, wasm and tensorflow the forward kernel and its in-place ' +
        'gradient, as the plain loss; elsewhere the loss-only pair) and ' +
        'writes no more [batch, numClasses] tensors than the plain loss',
    async run(context) {
      const {tf, loss} = context;
      const random = new Random(296);
      const [batch, numClasses] = [16, 301];
      const labels = tf.tensor1d(random.labels(batch, numClasses), 'int32');
      const logits = tf.tensor2d(
          context.storable(random.logits(batch * numClasses, 5)),
          [batch, numClasses]);
      const step = (options: object) => tf.profile(() =>
        tf.grad((x: Tensor) => loss(labels, x, options))(logits));
      const countFull = (info: Awaited<ReturnType<typeof step>>) =>
        info.kernels.filter(kernel => kernel.outputShapes.some(shape =>
          (shape ?? []).reduce((a, b) => a * b, 1) === batch * numClasses))
            .length;
      const plain = await step({});
      const zLoss = await step({zLoss: 1e-3, labelSmoothing: 0});
      const names = zLoss.kernels.map(kernel => kernel.name);
      const fused = ['cpu', 'wasm', 'tensorflow'].includes(context.backend) ?
          ['SparseSoftmaxCrossEntropyWithLogits',
            'SparseSoftmaxCrossEntropyWithLogitsGrad'] :
          ['SparseSoftmaxCrossEntropyLoss', 'SparseSoftmaxCrossEntropyLossGrad'];
      expectEqual(fused.map(name => names.includes(name)), [true, true],
          `${fused.join(' and ')} ran (${names.join(', ')})`);
      expectEqual(countFull(zLoss) <= countFull(plain), true,
          `[batch, numClasses] outputs: zLoss ${countFull(zLoss)}, plain ` +
              `${countFull(plain)} (${names.join(', ')})`);
      tf.dispose([plain.result as Tensor, zLoss.result as Tensor, labels,
        logits]);
    },
  },
  {
    name: 'linear loss: ignored rows (and, without a tape, rows of weight ' +
        '0) skip the matmul where the labels are on the host',
    async run(context) {
      const {tf, linearLoss} = context;
      const random = new Random(297);
      // depth < 4: the kernel's gradient, [depth, V], is told apart by size.
      const [rows, depth, numClasses] = [16, 3, 50];
      const labelValues = random.labels(rows, numClasses);
      labelValues.fill(-100, 0, 8);
      const hidden = tf.tensor2d(
          context.storable(random.logits(rows * depth, 1)), [rows, depth]);
      const kernel = tf.tensor2d(
          context.storable(random.logits(depth * numClasses, 1)),
          [depth, numClasses]);
      const weightValues = Float32Array.from({length: rows},
          (_, i) => i % 2 === 0 ? 0 : 1.5);
      // Made fresh for each call: on the GPU backends labels still on the
      // CPU are what can be read without a read-back.
      const logitRows = async (f: () => Tensor | Tensor[]) => {
        const info = await tf.profile(f);
        tf.dispose(info.result as Tensor[]);
        return info.kernels.flatMap(kernel => kernel.outputShapes)
            .filter(shape => shape != null && shape.length === 2 &&
                shape[1] === numClasses)
            .map(shape => shape![0]);
      };
      const labels = () => tf.tensor1d(labelValues, 'int32');
      const trained = await logitRows(() => tf.tidy(() => tf.grads(
          (h: Tensor, k: Tensor) => linearLoss(labels(), h, k,
              {ignoreIndex: -100}))([hidden, kernel])));
      expectEqual(Math.max(...trained), 8,
          `most logits rows in a training step (${trained.join(', ')})`);
      const evaluated = await logitRows(() => tf.tidy(() => linearLoss(
          labels(), hidden, kernel, {ignoreIndex: -100,
            weights: tf.tensor1d(weightValues)})));
      expectEqual(Math.max(...evaluated), 4,
          `most logits rows of a weighted evaluation (${evaluated.join(', ')})`);
      tf.dispose([hidden, kernel]);
    },
  },
  {
    name: 'linear loss: a batch of padding alone gives the unfused results',
    async run(context) {
      const {tf, loss, linearLoss} = context;
      const random = new Random(298);
      const [rows, depth, numClasses] = [16, 3, 50];
      const hidden = tf.tensor2d(
          context.storable(random.logits(rows * depth, 1)), [rows, depth]);
      const kernel = tf.tensor2d(
          context.storable(random.logits(depth * numClasses, 1)),
          [depth, numClasses]);
      // Every row ignored (fresh labels, so that they are found on the GPU
      // backends too): the batch runs as before, with the unfused results.
      // Not under the means, whose 0 / 0 gradient is NaN unfused and, fused
      // on WebGL, whatever its shaders make of NaN coefficients.
      const allIgnored = () => tf.tensor1d(new Int32Array(rows).fill(-100),
          'int32');
      await expectNoLeak(tf, 'all ignored', async () => {
        for (const reduction of [tf.Reduction.NONE, tf.Reduction.SUM]) {
          const results = tf.tidy(() => {
            const f = (fused: boolean) => (h: Tensor, k: Tensor) => tf.sum(
                fused ? linearLoss(allIgnored(), h, k,
                            {ignoreIndex: -100, reduction}) :
                        loss(allIgnored(), tf.matMul(h, k), undefined, 0,
                            reduction, -100));
            return [...tf.grads(f(true))([hidden, kernel]),
              f(true)(hidden, kernel),
              ...tf.grads(f(false))([hidden, kernel]),
              f(false)(hidden, kernel)];
          });
          const values = await Promise.all(results.map(t => t.data()));
          for (let i = 0; i < 3; i++) {
            const expected = Array.from(values[i + 3]);
            expectEqual(Array.from(values[i]), expected,
                `all ignored, reduction ${reduction}, output ${i}`);
          }
          tf.dispose(results);
        }
      });
      tf.dispose([hidden, kernel]);
    },
  },
  {
    name: 'loss options: second-order gradients (Hessian-vector products) ' +
        'with zLoss, returnLogSumExp, label smoothing and softcap equal a ' +
        'float64 reference',
    async run(context) {
      const {tf, loss} = context;
      const random = new Random(299);
      const [batch, numClasses] = [6, 9];
      const logitValues =
          context.storable(random.logits(batch * numClasses, 3));
      const labelValues = random.labels(batch, numClasses);
      const directionValues =
          context.storable(random.logits(batch * numClasses, 1));
      const logits = tf.tensor2d(logitValues, [batch, numClasses]);
      const labels = tf.tensor1d(labelValues, 'int32');
      const direction = tf.tensor2d(directionValues, [batch, numClasses]);
      for (const softcap of [undefined, 4]) {
        const spec = {zLoss: 0.05, labelSmoothing: 0.1, softcap};
        const options = {...spec,
          reduction: tf.Reduction.MEAN as unknown as Reduction};
        const hessianVector = (f: (x: Tensor) => Tensor) => tf.grad(
            (x: Tensor) => tf.sum(tf.mul(tf.grad(f)(x), direction)))(logits);
        const expected = optionHessianVectorReference(logitValues,
            labelValues, directionValues, numClasses, spec);
        await expectNoLeak(tf, `softcap ${softcap}`, async () => {
          const [fused, withStatistic] = tf.tidy(() => [
            hessianVector(x => loss(labels, x, options)),
            hessianVector(x => loss(labels, x,
                {...options, returnLogSumExp: true}).loss),
          ]);
          expectGradientClose(context, await fused.data(), expected,
              `softcap ${softcap}: Hessian-vector product`);
          expectGradientClose(context, await withStatistic.data(), expected,
              `softcap ${softcap}: Hessian-vector product, returnLogSumExp`);
          tf.dispose([fused, withStatistic]);
        });
      }
      tf.dispose([logits, labels, direction]);
    },
  },
  {
    name: 'loss options: the options form equals the positional form',
    async run(context) {
      const {tf, loss} = context;
      const random = new Random(295);
      const labels = tf.tensor1d(random.labels(6, 4), 'int32');
      const logits = tf.tensor2d(context.storable(random.logits(24, 3)),
          [6, 4]);
      const weights = tf.tensor1d(context.storable(random.logits(6, 2)));
      await expectNoLeak(tf, 'both forms', async () => {
        const [positional, object] = tf.tidy(() => [
          loss(labels, logits, weights, 0.1, tf.Reduction.NONE, 1),
          loss(labels, logits, {weights, labelSmoothing: 0.1,
            reduction: tf.Reduction.NONE, ignoreIndex: 1}),
        ]);
        expectEqual(Array.from(await object.data()),
            Array.from(await positional.data()), 'options form');
        tf.dispose([positional, object]);
      });
      tf.dispose([labels, logits, weights]);
    },
  },
  {
    name: 'loss options: bad values throw before any work, leave the ' +
        'user\'s tensors untouched and leak nothing',
    async run(context) {
      const {tf, loss, linearLoss} = context;
      const labels = tf.tensor1d([0, 2, 1], 'int32');
      const logits = tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 8, 9], [3, 3]);
      const kernel = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
      const hidden = tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]);
      const intWeights = tf.tensor1d([1, 2, 3], 'int32');
      const matrixWeights = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
      const cases: Array<[object, string[]]> = [
        [{zLoss: NaN}, ['zLoss', 'NaN']],
        [{zLoss: -1}, ['zLoss', '-1']],
        [{zLoss: Infinity}, ['zLoss', 'Infinity']],
        [{zLoss: '0.1'}, ['zLoss']],
        [{softcap: 0}, ['softcap', 'finite number > 0', '0']],
        [{softcap: -2}, ['softcap', '-2']],
        [{softcap: NaN}, ['softcap', 'NaN']],
        [{softcap: Infinity}, ['softcap', 'Infinity']],
        [{classWeights: [1, 2]}, ['classWeights', '[3]', '[2]']],
        [{classWeights: intWeights}, ['classWeights', 'float32', 'int32']],
        [{classWeights: matrixWeights}, ['classWeights', '[3]', '[2,3]']],
        [{zloss: 0.1}, ['options', 'unknown', 'zloss']],
        [{labelSmoothing: NaN}, ['labelSmoothing', 'NaN']],
      ];
      const before = await Promise.all(
          [labels, logits, kernel, hidden].map(t => t.data()));
      await expectNoLeak(tf, 'errors', () => {
        for (const [options, parts] of cases) {
          expectThrows(() => loss(labels, logits, options),
              ['sparseSoftmaxCrossEntropy', ...parts]);
          expectThrows(() => linearLoss(labels, hidden, kernel, options),
              ['linearSparseSoftmaxCrossEntropy', ...parts]);
        }
        expectThrows(() => (loss as (...args: unknown[]) => Tensor)(
            labels, logits, {zLoss: 0.1}, 0.1),
        ['sparseSoftmaxCrossEntropy', 'options', 'last argument']);
      });
      const after = await Promise.all(
          [labels, logits, kernel, hidden].map(t => t.data()));
      expectEqual(after.map(a => Array.from(a)), before.map(b => Array.from(b)),
          'the user\'s tensors');
      expectEqual([labels, logits, kernel, hidden, intWeights,
        matrixWeights].some(t => t.isDisposed), false, 'none disposed');
      tf.dispose([labels, logits, kernel, hidden, intWeights, matrixWeights]);
    },
  },
];
