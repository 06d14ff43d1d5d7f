/**
 * `returnPredictions` on both losses, in every lane whose kernels find the
 * predicted class: `predicted` is each example's first argmax (as
 * `tf.argMax` on the unfused logits, capped with `softcap`), -1 for ignored
 * examples; `correct` is `predicted == label`; `accuracy` the share of kept
 * examples predicted correctly. The same from every path (no tape, a
 * first-order gradient, a recorded gradient; for the linear loss, padding
 * rows left out of the matmul), with the loss and its gradients unchanged.
 */
import type {Reduction, Tensor} from '@tensorflow/tfjs';

import type {LossPredictions} from '../../src';

import {expectClose, expectEqual} from './assert';
import {CaseContext, TestCase} from './case';
import {tfArgMax} from './loss_kernel_option_cases';
import {expectNoLeak} from './memory';
import {Random} from './random';

/** Each row's first argmax of `values` (`[rows, numClasses]`). */
function firstArgMax(values: ArrayLike<number>, numClasses: number):
    number[] {
  const rows = values.length / numClasses;
  return Array.from({length: rows}, (_, row) => {
    let best = 0;
    for (let j = 1; j < numClasses; j++) {
      best = values[row * numClasses + j] > values[row * numClasses + best] ?
          j : best;
    }
    return best;
  });
}

/** What `returnPredictions` must give for these labels and argmaxes. */
function expectedPredictions(
    argMax: number[], labels: ArrayLike<number>, ignoreIndex?: number) {
  const predicted = argMax.map((p, i) => labels[i] === ignoreIndex ? -1 : p);
  const correct = predicted.map((p, i) => p === labels[i]);
  const kept = argMax.filter((_, i) => labels[i] !== ignoreIndex).length;
  const hits = correct.filter(c => c).length;
  return {predicted, correct, accuracy: kept === 0 ? 0 : hits / kept};
}

async function expectPredictions(
    actual: LossPredictions, expected: ReturnType<typeof expectedPredictions>,
    shape: number[], what: string, accuracyTolerance = 1e-6):
    Promise<void> {
  expectEqual(actual.predicted.dtype, 'int32', `${what}: predicted dtype`);
  expectEqual(actual.predicted.shape, shape, `${what}: predicted shape`);
  expectEqual(Array.from(await actual.predicted.data()), expected.predicted,
      `${what}: predicted`);
  expectEqual(actual.correct.dtype, 'bool', `${what}: correct dtype`);
  expectEqual(Array.from(await actual.correct.data(), c => c === 1),
      expected.correct, `${what}: correct`);
  expectEqual(actual.accuracy.shape, [], `${what}: accuracy shape`);
  const accuracy = (await actual.accuracy.data())[0];
  // 16-bit textures round the accuracy to float16 (a relative 2^-11).
  expectEqual(Math.abs(accuracy - expected.accuracy) <= accuracyTolerance, true,
      `${what}: accuracy ${accuracy}, expected ${expected.accuracy}`);
}

/** The three tensors of `LossPredictions`, kept out of a scope. */
function keepPredictions(
    {tf}: CaseContext, outputs: LossPredictions): LossPredictions {
  return {
    predicted: tf.keep(outputs.predicted),
    correct: tf.keep(outputs.correct),
    accuracy: tf.keep(outputs.accuracy),
  };
}

function disposePredictions({tf}: CaseContext, p: LossPredictions): void {
  tf.dispose([p.predicted, p.correct, p.accuracy]);
}

export const predictionCases: TestCase[] = [
  {
    name: 'returnPredictions on the loss: predicted (first argmax as ' +
        'tf.argMax, ties included, -1 when ignored), correct and accuracy ' +
        'from the loss kernel, with and without a tape and under a ' +
        'recorded gradient, with softcap too; the loss and its gradient ' +
        'unchanged; nothing leaked',
    async run(context) {
      const {tf, loss} = context;
      for (const numClasses of [7, 1001]) {
        for (const softcap of [undefined, 2]) {
          const random = new Random(numClasses + (softcap ?? 0));
          const shape = [2, 5];
          const batch = 10;
          const values =
              context.storable(random.logits(batch * numClasses, 3));
          for (const row of [1, 6]) {  // ties at each row's top
            values[row * numClasses + 2] = 9;
            values[row * numClasses + numClasses - 1] = 9;
          }
          const capped = Array.from(values, x =>
              softcap == null ? x : Math.fround(softcap * Math.tanh(x / softcap)));
          const argMax = firstArgMax(capped, numClasses);
          const labelValues = random.labels(batch, numClasses);
          [0, 1, 4, 6].forEach(row => labelValues[row] = argMax[row]);
          labelValues[3] = -100;
          const expected = expectedPredictions(argMax, labelValues, -100);
          const logits = tf.tensor(values, [...shape, numClasses]);
          const labels = tf.tensor(labelValues, shape, 'int32');
          const options = {ignoreIndex: -100, softcap, labelSmoothing: 0.1,
            reduction: tf.Reduction.MEAN as unknown as Reduction};
          const what = `[${shape}, ${numClasses}] softcap ${softcap}`;
          await expectNoLeak(tf, what, async () => {
            const eager = loss(labels, logits,
                {...options, returnPredictions: true});
            const plain = loss(labels, logits, options);
            let taped: LossPredictions|undefined;
            const dLogits = tf.grad((x: Tensor) => {
              const outputs = loss(labels, x,
                  {...options, returnPredictions: true});
              taped = keepPredictions(context, outputs);
              return outputs.loss;
            })(logits);
            const dPlain =
                tf.grad((x: Tensor) => loss(labels, x, options))(logits);
            // A recorded gradient: the inner loss's statistics come from
            // the path that builds the loss from differentiable ops.
            let recorded: LossPredictions|undefined;
            const secondOrder = tf.grad((x: Tensor) => tf.sum(tf.grad(
                (y: Tensor) => {
                  const outputs = loss(labels, y,
                      {...options, returnPredictions: true});
                  recorded ??= keepPredictions(context, outputs);
                  return outputs.loss;
                })(x)))(logits);
            expectEqual(await tfArgMax(context, logits, softcap), argMax,
                `${what}: tf.argMax against the reference`);
            const tolerance = context.floatPrecision === 16 ? 1e-3 : 1e-6;
            await expectPredictions(eager, expected, shape, `${what}: eager`,
                tolerance);
            await expectPredictions(taped!, expected, shape, `${what}: taped`,
                tolerance);
            await expectPredictions(recorded!, expected, shape,
                `${what}: recorded`, tolerance);
            // The same loss; the plain one may run another kernel path
            // (on cpu, wasm and tensorflow, the forward kernel's backprop).
            const {rtol} = context;
            expectClose(await eager.loss.data(), await plain.data(), rtol,
                rtol, `${what}: loss`);
            const dPlainValues = await dPlain.data();
            expectClose(await dLogits.data(), dPlainValues, rtol,
                rtol * Math.max(...Array.from(dPlainValues, Math.abs)),
                `${what}: gradient`);
            tf.dispose([eager.loss, plain, dLogits, dPlain, secondOrder]);
            [eager, taped!, recorded!].forEach(
                p => disposePredictions(context, p));
          });
          tf.dispose([logits, labels]);
        }
      }
    },
  },
  {
    name: 'returnPredictions on the linear loss: predicted, correct and ' +
        'accuracy equal tf.argMax on the unfused logits (integer logits, ' +
        'so ties are exact), chunk by chunk, from every path: no tape, ' +
        'NONE and SUM under a tape, padding rows left out of the matmul; ' +
        'rows of weight 0 still predicted; nothing leaked',
    async run(context) {
      const {tf, linearLoss} = context;
      const random = new Random(331);
      const [rows, depth, numClasses] = [11, 4, 9];
      const small = (size: number) =>
          Float32Array.from({length: size}, () => random.int(5) - 2);
      const hiddenValues = small(rows * depth);
      const kernelValues = small(depth * numClasses);
      const biasValues = small(numClasses);
      const logitValues = new Float64Array(rows * numClasses);
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < numClasses; c++) {
          let total = biasValues[c];
          for (let k = 0; k < depth; k++) {
            total += hiddenValues[r * depth + k] * kernelValues[k * numClasses + c];
          }
          logitValues[r * numClasses + c] = total;
        }
      }
      const argMax = firstArgMax(logitValues, numClasses);
      const labelValues = random.labels(rows, numClasses);
      [0, 2, 5, 9].forEach(row => labelValues[row] = argMax[row]);
      [3, 4, 10].forEach(row => labelValues[row] = -100);
      const expected = expectedPredictions(argMax, labelValues, -100);
      const hidden = tf.tensor2d(hiddenValues, [rows, depth]);
      const kernel = tf.tensor2d(kernelValues, [depth, numClasses]);
      const bias = tf.tensor1d(biasValues);
      const weights = tf.tensor1d(Float32Array.from({length: rows},
          (_, i) => i % 3 === 0 ? 0 : 1));
      // Fresh labels each call: on the GPU backends labels not yet uploaded
      // are read without a read-back, so the padding rows are left out.
      const labels = () => tf.tensor1d(labelValues, 'int32');
      const options = {bias, ignoreIndex: -100, chunkSize: 4,
        returnPredictions: true as const};
      await expectNoLeak(tf, 'linear predictions', async () => {
        const results: LossPredictions[] = [];
        const scope = tf.tidy(() => {
          const eager = linearLoss(labels(), hidden, kernel, options);
          results.push(keepPredictions(context, eager));
          const weighted = linearLoss(labels(), hidden, kernel,
              {...options, weights});
          results.push(keepPredictions(context, weighted));
          for (const reduction of [tf.Reduction.NONE, tf.Reduction.SUM]) {
            tf.grads((h: Tensor, k: Tensor) => {
              const outputs = linearLoss(labels(), h, k, {...options,
                reduction: reduction as unknown as Reduction});
              results.push(keepPredictions(context, outputs));
              return tf.sum(outputs.loss);
            })([hidden, kernel]);
          }
          return tf.argMax(tf.add(tf.matMul(hidden, kernel), bias), 1);
        });
        expectEqual(Array.from(await scope.data()), argMax,
            'tf.argMax on the unfused logits against the reference');
        const paths = ['no tape', 'weights with zeros', 'NONE under a tape',
          'SUM under a tape'];
        for (let i = 0; i < results.length; i++) {
          await expectPredictions(results[i], expected, [rows],
              `linear, ${paths[i]}`);
          disposePredictions(context, results[i]);
        }
        scope.dispose();
      });
      tf.dispose([hidden, kernel, bias, weights]);
    },
  },
];
