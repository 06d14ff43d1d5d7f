import type {Scalar, Tensor} from '@tensorflow/tfjs';

import {expectEqual} from './assert';
import {TestCase} from './case';
import {expectNoLeak} from './memory';
import {Random} from './random';

export const memoryCases: TestCase[] = [
  {
    name: 'the op, its gradient and its second-order gradient leak nothing',
    async run({tf, op, storable}) {
      const random = new Random(21);
      // As stored, so that reading them back gives the same numbers.
      const features = tf.tensor2d(storable(random.logits(6 * 7, 3)), [6, 7]);
      const labels = tf.tensor1d(random.labels(6, 7), 'int32');
      const featureValues = Array.from(await features.data());
      const labelValues = Array.from(await labels.data());
      await expectNoLeak(tf, 'forward', async () => {
        const result = op(features, labels);
        await result.backprop.data();
        tf.dispose(result);
      });
      await expectNoLeak(tf, 'first-order gradient', async () => {
        const gradient = tf.grad((x: Tensor) =>
            tf.sum(op(x, labels).loss))(features);
        await gradient.data();
        gradient.dispose();
      });
      await expectNoLeak(tf, 'gradient of both outputs', async () => {
        const gradient = tf.grad((x: Tensor) => {
          const {loss, backprop} = op(x, labels);
          return tf.add(tf.sum(loss), tf.sum(tf.square(backprop)));
        })(features);
        await gradient.data();
        gradient.dispose();
      });
      await expectNoLeak(tf, 'second-order gradient', async () => {
        const hessianDiagonalish = tf.grad((x: Tensor) => tf.sum(tf.grad(
            (y: Tensor) => tf.sum(op(y, labels).loss))(x)))(features);
        await hessianDiagonalish.data();
        hessianDiagonalish.dispose();
      });
      await expectNoLeak(tf, 'training steps', async () => {
        const logits = tf.variable(features);
        const optimizer = tf.train.sgd(0.5);
        for (let step = 0; step < 5; step++) {
          optimizer.minimize(() => tf.mean(op(logits, labels).loss) as Scalar);
        }
        optimizer.dispose();
        logits.dispose();
      });
      expectEqual(Array.from(await features.data()), featureValues, 'features');
      expectEqual(Array.from(await labels.data()), labelValues, 'labels');
      tf.dispose([features, labels]);
    },
  },
];
