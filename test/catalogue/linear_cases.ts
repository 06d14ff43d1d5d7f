/**
 * `linearSparseSoftmaxCrossEntropy` in every lane: value and gradients
 * (hidden, kernel, bias, weights) equal the unfused loss on the same
 * backend, `context.loss(labels, matMul(hidden, kernel) + bias, ...)`, over
 * several row chunks; a training step holds no `tokens x V` tensor and
 * leaks nothing.
 */
import type {Reduction, Tensor} from '@tensorflow/tfjs';

import type {LinearSparseSoftmaxCrossEntropyOptions} from '../../src';

import {expectClose, expectEqual} from './assert';
import {CaseContext, TestCase} from './case';
import {expectNoLeak} from './memory';
import {Random} from './random';

interface Layer {
  labels: Tensor;
  hidden: Tensor;
  kernel: Tensor;
  bias: Tensor;
  weights: Tensor;
}

function makeLayer(
    {tf, storable}: CaseContext, seed: number, rows: number, depth: number,
    numClasses: number, transposeKernel: boolean, scale = 1): Layer {
  const random = new Random(seed);
  return {
    labels: tf.tensor1d(random.labels(rows, numClasses), 'int32'),
    hidden: tf.tensor2d(storable(random.logits(rows * depth, 2 * scale)),
        [rows, depth]),
    kernel: tf.tensor2d(storable(random.logits(depth * numClasses, scale)),
        transposeKernel ? [numClasses, depth] : [depth, numClasses]),
    bias: tf.tensor1d(storable(random.logits(numClasses, scale))),
    weights: tf.tensor1d(storable(Array.from(random.logits(rows, 2),
        (w, i) => i % 3 === 0 ? 0 : w))),
  };
}

/** The definition, from the package's loss on the whole logits. */
function unfused(
    {tf, loss}: CaseContext, labels: Tensor, hidden: Tensor, kernel: Tensor,
    options: LinearSparseSoftmaxCrossEntropyOptions): Tensor {
  const product = tf.matMul(hidden, kernel, false,
      options.transposeKernel ?? false);
  const logits = options.bias == null ? product :
                                        tf.add(product, options.bias);
  return loss(labels, logits, options.weights as Tensor | undefined,
      options.labelSmoothing ?? 0,
      options.reduction ?? tf.Reduction.SUM_BY_NONZERO_WEIGHTS,
      options.ignoreIndex);
}

type Loss = (labels: Tensor, hidden: Tensor, kernel: Tensor,
    options: LinearSparseSoftmaxCrossEntropyOptions) => Tensor;

/** Value and gradients of `sum(loss)` w.r.t. hidden, kernel, bias, weights. */
async function valueAndGradients(
    context: CaseContext, f: Loss, layer: Layer,
    options: LinearSparseSoftmaxCrossEntropyOptions,
    withWeightGradient: boolean): Promise<Float32Array[]> {
  const {tf} = context;
  const xs = [layer.hidden, layer.kernel, layer.bias,
    ...(withWeightGradient ? [layer.weights] : [])];
  const tensors = tf.tidy(() => {
    const value = tf.sum(f(layer.labels, layer.hidden, layer.kernel, options));
    const grads = tf.grads((h: Tensor, k: Tensor, b: Tensor, w?: Tensor) =>
      tf.sum(f(layer.labels, h, k, {...options, bias: b,
        weights: withWeightGradient ? w : options.weights})))(xs);
    return [value, ...grads];
  });
  const values = await Promise.all(tensors.map(t => t.data() as
      Promise<Float32Array>));
  tf.dispose(tensors);
  return values;
}

async function expectSameAsUnfused(
    context: CaseContext, layer: Layer,
    options: LinearSparseSoftmaxCrossEntropyOptions, what: string):
    Promise<void> {
  const withWeightGradient = options.weights != null &&
      options.reduction !== context.tf.Reduction.SUM_BY_NONZERO_WEIGHTS;
  const ours = await valueAndGradients(context, context.linearLoss, layer,
      options, withWeightGradient);
  const theirs = await valueAndGradients(context,
      (...args) => unfused(context, ...args), layer, options,
      withWeightGradient);
  const names = ['value', 'dHidden', 'dKernel', 'dBias', 'dWeights'];
  // Fused and unfused sums round differently (as the loss against its
  // oracle, and more on 16-bit textures).
  const rtol = 5 * context.rtol;
  const atol = 10 * context.atol;
  ours.forEach((values, i) =>
    expectClose(values, theirs[i], rtol, atol, `${what}: ${names[i]}`));
}

export const linearCases: TestCase[] = [
  {
    name: 'linear cross-entropy equals the unfused loss: every reduction, ' +
        'weights, smoothing, ignoreIndex, both kernel layouts',
    async run(context) {
      const {tf} = context;
      const reductions: Reduction[] = [tf.Reduction.NONE, tf.Reduction.SUM,
        tf.Reduction.MEAN, tf.Reduction.SUM_BY_NONZERO_WEIGHTS];
      for (const transposeKernel of [false, true]) {
        // 10 rows in chunks of 4: three chunks, the last partial.
        const layer = makeLayer(context, 31, 10, 5, 9, transposeKernel);
        for (const reduction of reductions) {
          for (const [weights, labelSmoothing, ignoreIndex] of [
            [undefined, 0, undefined], [layer.weights, 0.1, 3],
          ] as Array<[Tensor|undefined, number, number|undefined]>) {
            const options = {bias: layer.bias, weights, labelSmoothing,
              reduction, ignoreIndex, transposeKernel, chunkSize: 4};
            await expectNoLeak(tf, 'loss and gradients', () =>
              expectSameAsUnfused(context, layer, options,
                  `transposeKernel ${transposeKernel}, reduction ` +
                      `${reduction}, weights ${weights != null}`));
          }
        }
        tf.dispose(Object.values(layer));
      }
    },
  },
  {
    name: 'linear cross-entropy: logits of about +-1e4 stay exact',
    async run(context) {
      const {tf} = context;
      // Hidden up to 200, kernel entries up to 100, D = 2.
      const layer = makeLayer(context, 37, 6, 2, 5, false, 100);
      for (const reduction of [tf.Reduction.NONE, tf.Reduction.MEAN]) {
        await expectSameAsUnfused(context, layer,
            {bias: layer.bias, reduction, labelSmoothing: 0.2, chunkSize: 4},
            `reduction ${reduction}`);
      }
      tf.dispose(Object.values(layer));
    },
  },
  {
    name: 'linear cross-entropy: a training step writes no tokens x V ' +
        'tensor, and training with optimizer.minimize leaks nothing',
    async run(context) {
      const {tf} = context;
      const layer = makeLayer(context, 41, 64, 8, 300, false);
      const profile = await tf.profile(() => tf.grads(
          (k: Tensor, b: Tensor) => context.linearLoss(layer.labels,
              layer.hidden, k, {bias: b, chunkSize: 8}))(
          [layer.kernel, layer.bias]));
      const largest = Math.max(...profile.kernels.map(kernel => Math.max(
          ...kernel.outputShapes.map(
              shape => (shape ?? []).reduce((a, b) => a * b, 1)))));
      // D x V = 2400 against 64 x 300 = 19200 logits.
      expectEqual(largest <= 8 * 300, true,
          `largest kernel output ${largest} <= D x V`);
      tf.dispose(profile.result as Tensor[]);
      await expectNoLeak(tf, 'training steps', async () => {
        const kernel = tf.variable(layer.kernel);
        const bias = tf.variable(layer.bias);
        const optimizer = tf.train.sgd(0.5);
        const losses: number[] = [];
        for (let step = 0; step < 8; step++) {
          const loss = optimizer.minimize(() => context.linearLoss(
              layer.labels, layer.hidden, kernel, {bias}) as
              ReturnType<typeof tf.scalar>, true);
          losses.push((await loss!.data())[0]);
          loss!.dispose();
        }
        expectEqual(losses[7] < losses[0], true,
            `the loss falls: ${losses.join(', ')}`);
        optimizer.dispose();
        tf.dispose([kernel, bias]);
      });
      tf.dispose(Object.values(layer));
    },
  },
];
