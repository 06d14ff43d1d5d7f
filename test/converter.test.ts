/**
 * A TensorFlow graph that uses `SparseSoftmaxCrossEntropyWithLogits`, loaded
 * with `tf.loadGraphModel` from a hand-written GraphDef (no files): both
 * outputs (`xent:0` loss, `xent:1` backprop) once the package's
 * `/converter` entry has registered the op.
 */
import * as tf from '@tensorflow/tfjs';

import {sparseSoftmaxCrossEntropyWithLogitsGraphOp} from '../src/converter';

import {expectClose, expectEqual} from './catalogue/assert';
import {tolerancesFor} from './catalogue/case';
import {expectNoLeak} from './catalogue/memory';
import {Random} from './catalogue/random';
import {reference} from './catalogue/reference';

const NUM_CLASSES = 4;

function placeholder(name: string, dtype: string, dims: number[]) {
  return {
    name, op: 'Placeholder',
    attr: {
      dtype: {type: dtype},
      shape: {shape: {dim: dims.map(size => ({size: String(size)}))}},
    },
  };
}

/** features [?, 4] float, labels [?] int32 (or int64) -> xent:0, xent:1. */
function graphDef(labelsType = 'DT_INT32') {
  return {
    node: [
      placeholder('features', 'DT_FLOAT', [-1, NUM_CLASSES]),
      placeholder('labels', labelsType, [-1]),
      {
        name: 'xent', op: 'SparseSoftmaxCrossEntropyWithLogits',
        input: ['features', 'labels'],
        attr: {T: {type: 'DT_FLOAT'}, Tlabels: {type: labelsType}},
      },
    ],
    versions: {producer: 1395},
  };
}

async function load(labelsType?: string): Promise<tf.GraphModel> {
  return tf.loadGraphModel(tf.io.fromMemory({
    modelTopology: graphDef(labelsType),
    weightSpecs: [],
    weightData: new ArrayBuffer(0),
  }));
}

const {rtol, atol} = tolerancesFor(32);

beforeAll(async () => {
  await tf.setBackend('cpu');
});

it('executes both outputs of the node, matching the op', async () => {
  const model = await load();
  const random = new Random(5);
  const featureValues = random.logits(6 * NUM_CLASSES, 3);
  const labelValues = random.labels(6, NUM_CLASSES);
  const features = tf.tensor2d(featureValues, [6, NUM_CLASSES]);
  const labels = tf.tensor1d(labelValues, 'int32');
  const expected = reference(featureValues, labelValues, NUM_CLASSES);
  await expectNoLeak(tf, 'execute', async () => {
    const [loss, backprop] = model.execute(
        {features, labels}, ['xent:0', 'xent:1']) as tf.Tensor[];
    expectEqual(loss.shape, [6], 'loss shape');
    expectEqual(backprop.shape, [6, NUM_CLASSES], 'backprop shape');
    expectClose(await loss.data(), expected.loss, rtol, atol, 'loss');
    expectClose(await backprop.data(), expected.backprop, rtol, atol,
        'backprop');
    // `xent` names output 0, as in TensorFlow.
    const byName = model.execute({features, labels}, 'xent') as tf.Tensor;
    expectClose(await byName.data(), expected.loss, rtol, atol, 'xent');
    tf.dispose([loss, backprop, byName]);
  });
  tf.dispose([features, labels]);
  model.dispose();
});

it('runs under executeAsync and with int64 labels in the graph', async () => {
  const model = await load('DT_INT64');
  const features = tf.tensor2d([[1, 1, 1, 1], [1, 2, 3, 4]]);
  const labels = tf.tensor1d([3, 0], 'int32');
  const [loss, backprop] = await model.executeAsync(
      {features, labels}, ['xent:0', 'xent:1']) as tf.Tensor[];
  expectClose(await loss.data(), [1.3862944, 3.4401897], rtol, atol, 'loss');
  expectClose(await backprop.data(), [0.25, 0.25, 0.25, -0.75, -0.9679414,
    0.0871443, 0.2368828, 0.6439143], rtol, atol, 'backprop');
  tf.dispose([features, labels, loss, backprop]);
  model.dispose();
});

it('reports a bad label with TensorFlow\'s CPU error', async () => {
  const model = await load();
  const features = tf.zeros([4, NUM_CLASSES]);
  const labels = tf.tensor1d([4, 3, 0, -1], 'int32');
  expect(() => model.execute({features, labels}, 'xent:0')).toThrow(
      'Received a label value of -1 which is outside the valid range of ' +
      '[0, 4).  Label values: 4 3 0 -1');
  tf.dispose([features, labels]);
  model.dispose();
});

it('the main entry\'s graph op registers by hand (tf.registerOp)',
    async () => {
      tf.deregisterOp('SparseSoftmaxCrossEntropyWithLogits');
      const unknown = await load();
      const features = tf.zeros([1, NUM_CLASSES]);
      const labels = tf.tensor1d([0], 'int32');
      expect(() => unknown.execute({features, labels}, 'xent:0'))
          .toThrow('tf.registerOp');
      unknown.dispose();
      // Ops are looked up when a model loads: register first.
      tf.registerOp('SparseSoftmaxCrossEntropyWithLogits',
          sparseSoftmaxCrossEntropyWithLogitsGraphOp);
      const model = await load();
      const loss = model.execute({features, labels}, 'xent:0') as tf.Tensor;
      expectClose(await loss.data(), [Math.log(NUM_CLASSES)], rtol, atol,
          'loss');
      tf.dispose([features, labels, loss]);
      model.dispose();
    });
