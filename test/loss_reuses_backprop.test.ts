/**
 * On `cpu` and `wasm` a first-order training step through
 * `tf.losses.sparseSoftmaxCrossEntropy` runs the forward kernel once and
 * turns its `backprop` into the gradient in place (`backpropReusable`):
 * values as the op's step, one gradient kernel and no loss-only gradient
 * kernel, nothing leaked; a gradient that is itself recorded still runs the
 * loss-only kernels; and the gradient kernel without the attribute leaves
 * `backprop` as it was. With `softcap` (and no z-loss or statistic) the
 * step takes the same route, the forward kernel writing `backprop` through
 * the cap, and equals the step through the loss-only kernels and through
 * ops; the forward kernel's gradient refuses a run with `softcap`.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

import {sparseSoftmaxCrossEntropy, sparseSoftmaxCrossEntropyWithLogits} from '../src';

import {expectClose} from './catalogue/assert';
import {Random} from './catalogue/random';

beforeAll(() => {
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
});

// [3, 7] runs the JavaScript loops on cpu, [40, 1000] the copied row passes.
const SHAPES = [[3, 7], [40, 1000]] as const;

/** How many of the op's forward, gradient and loss-only kernels a profiled step ran. */
function stepKernels(profile: Awaited<ReturnType<typeof tf.profile>>) {
  const names = profile.kernels.map(kernel => kernel.name);
  const count = (matches: (name: string) => boolean) =>
      names.filter(matches).length;
  return {
    forward: count(name => name === 'SparseSoftmaxCrossEntropyWithLogits'),
    gradient: count(name => name === 'SparseSoftmaxCrossEntropyWithLogitsGrad'),
    lossOnly: count(name => name.startsWith('SparseSoftmaxCrossEntropyLoss')),
  };
}

/** Live tensors and backend data ids: equal before and after a step that leaks nothing. */
function liveCounts() {
  return {tensors: tf.memory().numTensors, dataIds: tf.backend().numDataIds()};
}

for (const backend of ['cpu', 'wasm']) {
  describe(backend, () => {
    beforeAll(async () => {
      await tf.setBackend(backend);
    });

    for (const [batch, numClasses] of SHAPES) {
      it(`a loss step at [${batch}, ${numClasses}] equals the op's, with ` +
         'one forward and one gradient kernel, leaking nothing', async () => {
        const random = new Random(batch + numClasses);
        const x = tf.tensor2d(random.logits(batch * numClasses, 4),
            [batch, numClasses]);
        const labels = tf.tensor1d(random.labels(batch, numClasses), 'int32');
        // The loss used twice: tfjs sums its upstream before the gradient.
        const lossStep = tf.valueAndGrad((y: tf.Tensor) => {
          const perExample = sparseSoftmaxCrossEntropy(labels, y, undefined,
              0, tf.Reduction.NONE);
          return tf.add(tf.mean(perExample), tf.sum(perExample));
        });
        const opStep = tf.valueAndGrad((y: tf.Tensor) => {
          const {loss} = sparseSoftmaxCrossEntropyWithLogits(y, labels);
          return tf.add(tf.mean(loss), tf.sum(loss));
        });
        const before = liveCounts();
        const profile = await tf.profile(() => {
          const {value, grad} = lossStep(x);
          return [value, grad];
        });
        const [value, grad] = profile.result as tf.Tensor[];
        expect(stepKernels(profile)).toEqual(
            {forward: 1, gradient: 1, lossOnly: 0});
        const expected = opStep(x);
        expectClose(await value.data(), await expected.value.data(), 1e-6,
            1e-6, 'value');
        expectClose(await grad.data(), await expected.grad.data(), 1e-6, 1e-7,
            'gradient');
        tf.dispose([value, grad, expected.value, expected.grad]);
        expect(liveCounts()).toEqual(before);
        tf.dispose([x, labels]);
      });
    }

    for (const [batch, numClasses] of SHAPES) {
      it(`a capped loss step at [${batch}, ${numClasses}] runs the forward ` +
         'and gradient kernels, not the loss-only ones, and equals the ' +
         'loss-only kernels\' step and the step with the cap in ops, ' +
         'leaking nothing', async () => {
        const random = new Random(batch * numClasses);
        const x = tf.tensor2d(random.logits(batch * numClasses, 60),
            [batch, numClasses]);
        const labels = tf.tensor1d(random.labels(batch, numClasses), 'int32');
        const weights = tf.tensor1d(random.logits(batch, 1));
        // Weights on top, as a user's step has them (label smoothing runs
        // the op's kernels for its uniform term: test/catalogue/option_cases.ts).
        const options = {softcap: 30, weights};
        const capped = (y: tf.Tensor) =>
          sparseSoftmaxCrossEntropy(labels, y, options);
        // `returnLogSumExp` keeps the loss-only kernels (`fusedLoss`).
        const lossOnly = (y: tf.Tensor) => sparseSoftmaxCrossEntropy(labels, y,
            {...options, returnLogSumExp: true}).loss;
        const ops = (y: tf.Tensor) => sparseSoftmaxCrossEntropy(labels,
            tf.mul(tf.tanh(tf.div(y, 30)), 30),
            {weights});
        const before = liveCounts();
        const profile = await tf.profile(() => {
          const {value, grad} = tf.valueAndGrad(capped)(x);
          return [value, grad];
        });
        const [value, grad] = profile.result as tf.Tensor[];
        expect(stepKernels(profile)).toEqual(
            {forward: 1, gradient: 1, lossOnly: 0});
        for (const [what, step] of [['loss-only', lossOnly], ['ops', ops]] as
                 const) {
          const expected = tf.valueAndGrad(step)(x);
          expectClose(await value.data(), await expected.value.data(), 1e-6,
              1e-6, `value against ${what}`);
          expectClose(await grad.data(), await expected.grad.data(), 1e-5,
              1e-7, `gradient against ${what}`);
          tf.dispose([expected.value, expected.grad]);
        }
        tf.dispose([value, grad]);
        expect(liveCounts()).toEqual(before);
        tf.dispose([x, labels, weights]);
      });
    }

    it('a capped step with zLoss or returnLogSumExp keeps the loss-only ' +
       'kernels', async () => {
      const x = tf.tensor2d([[1, 2, 3], [3, -1, 0]]);
      const labels = tf.tensor1d([2, 0], 'int32');
      for (const options of [{softcap: 30, zLoss: 1e-4},
        {softcap: 30, returnLogSumExp: true}]) {
        const profile = await tf.profile(() => tf.grad((y: tf.Tensor) => {
          const result = sparseSoftmaxCrossEntropy(labels, y, options) as
              tf.Tensor|{loss: tf.Tensor};
          return result instanceof tf.Tensor ? result : result.loss;
        })(x));
        const names = profile.kernels.map(kernel => kernel.name);
        expect({options, lossOnly: names.includes('SparseSoftmaxCrossEntropyLoss'),
          lossOnlyGrad: names.includes('SparseSoftmaxCrossEntropyLossGrad'),
          forward: names.includes('SparseSoftmaxCrossEntropyWithLogits')})
            .toEqual({options, lossOnly: true, lossOnlyGrad: true,
              forward: false});
        tf.dispose(profile.result as tf.Tensor);
      }
      tf.dispose([x, labels]);
    });

    it('the forward kernel\'s gradient refuses a run with softcap, with a ' +
       'clear error', () => {
      const x = tf.tensor2d([[1, 2, 3], [3, -1, 0]]);
      const labels = tf.tensor1d([2, 0], 'int32');
      const capped = (y: tf.Tensor) => tf.sum((tf.engine().runKernel(
          'SparseSoftmaxCrossEntropyWithLogits', {features: y, labels},
          {softcap: 30}) as tf.Tensor[])[0]);
      // (tfjs keeps the failed gradient's tape tensors: not checked here.)
      expect(() => tf.grad(capped)(x)).toThrow(
          /no gradient with softcap/);
      tf.dispose([x, labels]);
    });

    it('a recorded gradient (second order) runs the loss-only kernels',
        async () => {
          const x = tf.tensor2d([[1, 2, 3], [3, -1, 0]]);
          const labels = tf.tensor1d([2, 0], 'int32');
          const loss = (y: tf.Tensor) => sparseSoftmaxCrossEntropy(labels, y);
          const profile = await tf.profile(() =>
            tf.grad((y: tf.Tensor) => tf.sum(tf.grad(loss)(y)))(x));
          const names = profile.kernels.map(kernel => kernel.name);
          expect(names).toContain('SparseSoftmaxCrossEntropyLoss');
          tf.dispose([profile.result as tf.Tensor, x, labels]);
        });

    it('the gradient kernel without backpropReusable leaves backprop as it ' +
       'was', async () => {
      const x = tf.tensor2d([[1, 2, 3], [3, -1, 0]]);
      const labels = tf.tensor1d([2, 0], 'int32');
      const {loss, backprop} = sparseSoftmaxCrossEntropyWithLogits(x, labels);
      const before = await backprop.data();
      const dLoss = tf.tensor1d([2, 3]);
      const dFeatures = tf.engine().runKernel(
          'SparseSoftmaxCrossEntropyWithLogitsGrad',
          {backprop, labels, dLoss}) as tf.Tensor;
      expectClose(await backprop.data(), before, 0, 0, 'backprop');
      expect(dFeatures.dataId).not.toBe(backprop.dataId);
      tf.dispose([x, labels, loss, backprop, dLoss, dFeatures]);
    });
  });
}
