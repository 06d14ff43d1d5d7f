/**
 * On `cpu` and `wasm` a first-order training step through
 * `tf.losses.sparseSoftmaxCrossEntropy` runs the forward kernel once and
 * turns its `backprop` into the gradient in place (`backpropReusable`):
 * values as the op's step, one gradient kernel and no loss-only gradient
 * kernel, nothing leaked; a gradient that is itself recorded still runs the
 * loss-only kernels; and the gradient kernel without the attribute leaves
 * `backprop` as it was.
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
        const before = {tensors: tf.memory().numTensors,
          dataIds: tf.backend().numDataIds()};
        const profile = await tf.profile(() => {
          const {value, grad} = lossStep(x);
          return [value, grad];
        });
        const [value, grad] = profile.result as tf.Tensor[];
        const names = profile.kernels.map(kernel => kernel.name);
        expect({
          forward: names.filter(
              name => name === 'SparseSoftmaxCrossEntropyWithLogits').length,
          gradient: names.filter(
              name => name === 'SparseSoftmaxCrossEntropyWithLogitsGrad').length,
          lossOnly: names.filter(
              name => name.startsWith('SparseSoftmaxCrossEntropyLoss')).length,
        }).toEqual({forward: 1, gradient: 1, lossOnly: 0});
        const expected = opStep(x);
        expectClose(await value.data(), await expected.value.data(), 1e-6,
            1e-6, 'value');
        expectClose(await grad.data(), await expected.grad.data(), 1e-6, 1e-7,
            'gradient');
        tf.dispose([value, grad, expected.value, expected.grad]);
        expect({tensors: tf.memory().numTensors,
          dataIds: tf.backend().numDataIds()}).toEqual(before);
        tf.dispose([x, labels]);
      });
    }

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
