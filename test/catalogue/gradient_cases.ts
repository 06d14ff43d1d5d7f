import type * as tfjs from '@tensorflow/tfjs';
import type {Scalar, Tensor} from '@tensorflow/tfjs';

import {expectClose, expectEqual} from './assert';
import {TestCase} from './case';
import {Random} from './random';
import {reference, referenceGradient, referenceHessianVectorProduct} from './reference';

export const gradientCases: TestCase[] = [
  {
    name: 'gradient of both outputs matches the closed form',
    async run({tf, op, rtol, atol}) {
      const random = new Random(11);
      const [batch, numClasses] = [6, 9];
      const features = random.logits(batch * numClasses, 4);
      const labels = random.labels(batch, numClasses);
      const dLoss = random.logits(batch, 1);
      const dBackprop = random.logits(batch * numClasses, 1);
      const labelTensor = tf.tensor1d(labels, 'int32');
      const lossWeights = tf.tensor1d(dLoss);
      const backpropWeights = tf.tensor2d(dBackprop, [batch, numClasses]);
      const [dFeatures, dLabels] = tf.grads((x: Tensor, y: Tensor) => {
        const {loss, backprop} = op(x, y);
        return tf.add(tf.sum(tf.mul(loss, lossWeights)),
            tf.sum(tf.mul(backprop, backpropWeights)));
      })([tf.tensor2d(features, [batch, numClasses]), labelTensor]);
      const expected = referenceGradient(
          reference(features, labels, numClasses), dLoss, dBackprop, numClasses);
      expectClose(await dFeatures.data(), expected, rtol, atol, 'dFeatures');
      expectEqual(dLabels.dtype, 'float32', 'dLabels dtype');
      expectClose(await dLabels.data(), new Float32Array(batch), 0, 0, 'dLabels');
      tf.dispose([dFeatures, dLabels, labelTensor, lossWeights, backpropWeights]);
    },
  },
  {
    name: 'gradient of the loss matches the one-hot composite oracle',
    async run({tf, op, rtol, atol}) {
      const random = new Random(12);
      const [batch, numClasses] = [8, 13];
      const logits = tf.tensor2d(random.logits(batch * numClasses, 5),
          [batch, numClasses]);
      const labels = tf.tensor1d(random.labels(batch, numClasses), 'int32');
      const weights = tf.tensor1d(random.logits(batch, 1));
      const ours = tf.grad((x: Tensor) =>
          tf.sum(tf.mul(op(x, labels).loss, weights)))(logits);
      const oracle = tf.grad((x: Tensor) => tf.sum(tf.mul(
          tf.losses.softmaxCrossEntropy(tf.oneHot(labels, numClasses), x,
              undefined, 0, tf.Reduction.NONE),
          weights)))(logits);
      expectClose(await ours.data(), await oracle.data(), rtol, 10 * atol,
          'dFeatures vs oracle');
      tf.dispose([logits, labels, weights, ours, oracle]);
    },
  },
  {
    name: 'gradient of the loss agrees with finite differences',
    async run({tf, op, floatPrecision, storable}) {
      const random = new Random(13);
      const [batch, numClasses] = [3, 5];
      const features = storable(random.logits(batch * numClasses, 2));
      const labels = tf.tensor1d(random.labels(batch, numClasses), 'int32');
      const weights = random.logits(batch, 1);
      const weightTensor = tf.tensor1d(weights);
      const f = (x: Tensor) => tf.sum(tf.mul(op(x, labels).loss, weightTensor));
      const gradient = tf.grad(f)(tf.tensor2d(features, [batch, numClasses]));
      const analytic = await gradient.data();
      // 16-bit floats keep ~3 digits of the loss: a smaller step would only
      // difference that rounding.
      const step = floatPrecision === 16 ? 0.2 : 1e-2;
      const numeric = new Float64Array(features.length);
      for (let i = 0; i < features.length; i++) {
        // The shifted logit as stored, and the loss there (read with
        // `data()`: WebGPU's synchronous reads are unreliable).
        const valueAt = async (delta: number) => {
          const shifted = Float32Array.from(features);
          shifted[i] = storable([shifted[i] + delta])[0];
          const lossThere =
              tf.tidy(() => f(tf.tensor2d(shifted, [batch, numClasses])));
          const [value] = await lossThere.data();
          lossThere.dispose();
          return [shifted[i], value];
        };
        const [[up, lossUp], [down, lossDown]] =
            [await valueAt(step), await valueAt(-step)];
        numeric[i] = (lossUp - lossDown) / (up - down);
      }
      expectClose(analytic, numeric, 2e-2, 2e-3, 'analytic vs numeric');
      tf.dispose([labels, weightTensor, gradient]);
    },
  },
  {
    name: 'second-order gradient is the Hessian-vector product',
    async run({tf, op, rtol, atol}) {
      const random = new Random(14);
      const [batch, numClasses] = [4, 6];
      const features = random.logits(batch * numClasses, 3);
      const labels = random.labels(batch, numClasses);
      const v = random.logits(batch * numClasses, 1);
      const labelTensor = tf.tensor1d(labels, 'int32');
      const vTensor = tf.tensor2d(v, [batch, numClasses]);
      const summedLoss = (x: Tensor) => tf.sum(op(x, labelTensor).loss);
      const hvp = tf.grad((x: Tensor) =>
          tf.sum(tf.mul(tf.grad(summedLoss)(x), vTensor)))(
          tf.tensor2d(features, [batch, numClasses]));
      const expected = referenceHessianVectorProduct(
          reference(features, labels, numClasses), v, numClasses);
      expectClose(await hvp.data(), expected, rtol, 10 * atol, 'Hv');
      tf.dispose([labelTensor, vTensor, hvp]);
    },
  },
  {
    name: 'third-order gradient matches the closed form',
    async run({tf, op, rtol, atol}) {
      const {features, labelTensor, vTensor, wTensor, expected} =
          thirdOrderProblem(tf, 15);
      const summedLoss = (r: Tensor) => tf.sum(op(r, labelTensor).loss);
      const hvp = (s: Tensor) =>
          tf.sum(tf.mul(tf.grad(summedLoss)(s), vTensor));
      const third = tf.grad((t: Tensor) =>
          tf.sum(tf.mul(tf.grad(hvp)(t), wTensor)))(features);
      expectClose(await third.data(), expected, rtol, 10 * atol, 'third order');
      tf.dispose([features, labelTensor, vTensor, wTensor, third]);
    },
  },
  {
    name: 'second-order gradient through `backprop` matches the closed form',
    async run({tf, op, rtol, atol}) {
      // The gradient of sum(w * backprop) is H w (H the loss's Hessian), so
      // the gradient of sum(v * H w) is the loss's third-order form.
      const {features, labelTensor, vTensor, wTensor, expected} =
          thirdOrderProblem(tf, 17);
      const weightedBackprop = (r: Tensor) =>
          tf.sum(tf.mul(op(r, labelTensor).backprop, wTensor));
      const second = tf.grad((s: Tensor) =>
          tf.sum(tf.mul(tf.grad(weightedBackprop)(s), vTensor)))(features);
      expectClose(await second.data(), expected, rtol, 10 * atol,
          'second order through backprop');
      tf.dispose([features, labelTensor, vTensor, wTensor, second]);
    },
  },
  {
    name: 'tf.variableGrads and optimizer.minimize train a model to near-zero loss',
    async run({tf, op, storable}) {
      const random = new Random(16);
      const [batch, inputs, numClasses] = [24, 5, 4];
      const x = tf.tensor2d(random.logits(batch * inputs, 1), [batch, inputs]);
      // Labels a linear model can fit exactly: the argmax of a fixed projection.
      const labels = tf.tidy(() => tf.argMax(tf.matMul(x,
          tf.tensor2d(random.logits(inputs * numClasses, 1), [inputs, numClasses])), 1));
      const kernel = tf.variable(tf.zeros([inputs, numClasses]));
      const bias = tf.variable(tf.zeros([numClasses]));
      const meanLoss = () => tf.mean(
          op(tf.add(tf.matMul(x, kernel), bias), labels).loss) as Scalar;
      const {value, grads} = tf.variableGrads(meanLoss);
      expectEqual(Object.keys(grads).length, 2, 'variableGrads count');
      const initialLoss = (await value.data())[0];
      tf.dispose([value, grads]);
      const optimizer = tf.train.adam(0.1);
      for (let step = 0; step < 300; step++) {
        optimizer.minimize(meanLoss);
      }
      const finalLossTensor = tf.tidy(meanLoss);
      const finalLoss = (await finalLossTensor.data())[0];
      finalLossTensor.dispose();
      // Zero weights: every logit is 0 and the loss is log(numClasses), as
      // stored.
      const uniformLoss = storable([Math.log(numClasses)])[0];
      expectEqual(Math.abs(initialLoss - uniformLoss) < 1e-5, true,
          `initial loss ${initialLoss}, expected ${uniformLoss}`);
      expectEqual(finalLoss < 0.05, true, `final loss ${finalLoss}`);
      optimizer.dispose();
      tf.dispose([x, labels, kernel, bias]);
    },
  },
];

/**
 * Random `[3, 5]` logits, labels and directions `v`, `w` (as tensors), with
 * the loss's third-order form in `v` and `w` at them (`referenceThirdOrder`).
 */
function thirdOrderProblem(tf: typeof tfjs, seed: number) {
  const random = new Random(seed);
  const [batch, numClasses] = [3, 5];
  const shape: [number, number] = [batch, numClasses];
  const features = random.logits(batch * numClasses, 2);
  const labels = random.labels(batch, numClasses);
  const v = random.logits(batch * numClasses, 1);
  const w = random.logits(batch * numClasses, 1);
  const p = reference(features, labels, numClasses).probabilities;
  return {
    features: tf.tensor2d(features, shape),
    labelTensor: tf.tensor1d(labels, 'int32'),
    vTensor: tf.tensor2d(v, shape),
    wTensor: tf.tensor2d(w, shape),
    expected: referenceThirdOrder(p, v, w, batch, numClasses),
  };
}

/**
 * d/dx_k of w^T (diag(p) - p p^T) v, per row, for softmax `p`:
 * p_k (w_k v_k - sum_i w_i v_i p_i - w_k (p.v) - v_k (p.w) + 2 (p.w)(p.v)).
 */
function referenceThirdOrder(
    p: Float64Array, v: ArrayLike<number>, w: ArrayLike<number>,
    batch: number, numClasses: number): Float64Array {
  const expected = new Float64Array(batch * numClasses);
  for (let row = 0; row < batch; row++) {
    const at = (j: number) => row * numClasses + j;
    let pv = 0, pw = 0, pwv = 0;
    for (let j = 0; j < numClasses; j++) {
      pv += p[at(j)] * v[at(j)];
      pw += p[at(j)] * w[at(j)];
      pwv += p[at(j)] * w[at(j)] * v[at(j)];
    }
    for (let k = 0; k < numClasses; k++) {
      expected[at(k)] = p[at(k)] * (w[at(k)] * v[at(k)] - pwv -
          w[at(k)] * pv - v[at(k)] * pw + 2 * pw * pv);
    }
  }
  return expected;
}
