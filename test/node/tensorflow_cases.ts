/**
 * Cases for tfjs-node's `'tensorflow'` backend beyond the catalogue, run in
 * the tfjs-node lane's plain Node process (`catalogue_worker.ts`): which
 * kernels run, and that the op, the loss, the linear loss and their
 * gradients (to third order) read nothing back from TensorFlow's memory,
 * with the cpu backend's values. The read-back and label cases run at two
 * sizes, one each side of the forward kernel's `FUSED_KERNEL_BELOW_LOGITS`
 * (32768): TensorFlow's fused kernel below it, TensorFlow ops from there.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type {Tensor} from '@tensorflow/tfjs';

import {expectClose, expectEqual} from '../catalogue/assert';
import {CaseContext, TestCase} from '../catalogue/case';
import {expectNoLeak} from '../catalogue/memory';
import {Random} from '../catalogue/random';
import {checkAgainstReference} from '../catalogue/values_cases';

const KERNEL_NAMES = ['SparseSoftmaxCrossEntropyWithLogits',
  'SparseSoftmaxCrossEntropyWithLogitsGrad', 'SparseSoftmaxCrossEntropyLoss',
  'SparseSoftmaxCrossEntropyLossGrad'];

type Paths = {[path: string]: () => Tensor};

/** `[batch, numClasses]` under and over 32768 logits. */
const SIZES: Array<{size: string, batch: number, numClasses: number}> = [
  {size: '45 logits', batch: 5, numClasses: 9},
  {size: '33000 logits', batch: 5, numClasses: 6600},
];

/** The TensorFlow ops the backend runs by name while `body` runs. */
function tensorflowOps(tf: typeof tfjs, body: () => void): string[] {
  const backend = tf.backend() as unknown as {[method: string]: unknown};
  const methods = ['executeSingleOutput', 'executeMultipleOutputs'];
  const originals = methods.map(method => backend[method]);
  const ops: string[] = [];
  methods.forEach((method, i) => {
    backend[method] = (name: string, ...args: unknown[]) => {
      ops.push(name);
      return (originals[i] as (...args: unknown[]) => unknown).apply(
          backend, [name, ...args]);
    };
  });
  try {
    body();
  } finally {
    methods.forEach((method, i) => backend[method] = originals[i]);
  }
  return ops;
}

/** Each path, as a function of `x`, keyed by what it exercises. */
function paths(
    {tf, op, loss, linearLoss}: CaseContext, x: Tensor, labels: Tensor,
    hidden: Tensor, kernel: Tensor): Paths {
  const sumLoss = (y: Tensor) => tf.sum(op(y, labels).loss);
  const bothOutputs = (y: Tensor) => {
    const {loss: l, backprop} = op(y, labels);
    return tf.add(tf.sum(l), tf.sum(tf.square(backprop)));
  };
  const lossApi = (y: Tensor) => loss(labels, y);
  const smoothed = (y: Tensor) => loss(labels, y, undefined, 0.1);
  const linear = (k: Tensor) =>
    linearLoss(labels, hidden, k, {chunkSize: 2, labelSmoothing: 0.1});
  const grad = (f: (y: Tensor) => Tensor) => (y: Tensor) =>
    tf.sum(tf.mul(tf.grad(f)(y), y));
  return {
    'forward loss': () => op(x, labels).loss,
    'forward backprop': () => op(x, labels).backprop,
    'loss': () => lossApi(x),
    'gradient of the loss output': () => tf.grad(sumLoss)(x),
    'gradient of both outputs': () => tf.grad(bothOutputs)(x),
    'gradient of tf.losses': () => tf.grad(lossApi)(x),
    'gradient of tf.losses with label smoothing': () => tf.grad(smoothed)(x),
    'linear loss': () => linear(kernel),
    'gradient of the linear loss': () => tf.grad(linear)(kernel),
    'second order': () => tf.grad(grad(sumLoss))(x),
    'second order of tf.losses': () => tf.grad(grad(lossApi))(x),
    'third order': () => tf.grad(grad(grad(sumLoss)))(x),
  };
}

/** Counts calls of the backend's `read` and `readSync` while `body` runs. */
function countReadBacks<T>(tf: typeof tfjs, body: () => T):
    {result: T, readBacks: number} {
  const backend = tf.backend() as unknown as {[method: string]: unknown};
  const originals = {read: backend.read, readSync: backend.readSync};
  let readBacks = 0;
  for (const [method, original] of Object.entries(originals)) {
    backend[method] = (...args: unknown[]) => {
      readBacks++;
      return (original as (...args: unknown[]) => unknown).apply(
          backend, args);
    };
  }
  try {
    return {result: body(), readBacks};
  } finally {
    Object.assign(backend, originals);
  }
}

export const tensorflowCases: TestCase[] = [
  {
    name: 'tensorflow: the package\'s own kernels are registered, not the generic fallback',
    run({tf}) {
      const names = KERNEL_NAMES.map(kernelName =>
        tf.getKernel(kernelName, 'tensorflow')?.kernelFunc.name);
      expectEqual(names, KERNEL_NAMES.map(name =>
        `${name[0].toLowerCase()}${name.slice(1)}Tensorflow`), 'kernels');
    },
  },
  ...SIZES.map(({size, batch, numClasses}): TestCase => ({
    name: `tensorflow: the op, the loss, the linear loss and their gradients (to third order) read nothing back, with cpu's values (${size})`,
    async run(context) {
      const {tf, rtol, atol} = context;
      const depth = 3;
      const featureValues =
          Array.from({length: batch * numClasses}, (_, i) => Math.sin(i) * 4);
      const labelValues = [0, numClasses - 1, 3, 3, 5];
      const run = async (backendName: string) => {
        await tf.setBackend(backendName);
        const x = tf.tensor2d(featureValues, [batch, numClasses]);
        const labels = tf.tensor1d(labelValues, 'int32');
        const hidden = tf.tensor2d(featureValues.slice(0, batch * depth),
            [batch, depth]);
        const kernel = tf.tensor2d(
            featureValues.slice(0, depth * numClasses).map(v => v / 4),
            [depth, numClasses]);
        const readBacks: {[path: string]: number} = {};
        const values: {[path: string]: Float32Array} = {};
        for (const [name, body] of
             Object.entries(paths(context, x, labels, hidden, kernel))) {
          const counted = countReadBacks(tf, body);
          readBacks[name] = counted.readBacks;
          values[name] = await counted.result.data() as Float32Array;
          counted.result.dispose();
        }
        tf.dispose([x, labels, hidden, kernel]);
        return {readBacks, values};
      };
      const onTensorflow = await run('tensorflow');
      const onCpu = await run('cpu');
      await tf.setBackend('tensorflow');
      expectEqual(onTensorflow.readBacks, Object.fromEntries(
          Object.keys(onTensorflow.readBacks).map(name => [name, 0])),
      'read-backs per path');
      for (const name of Object.keys(onCpu.values)) {
        expectClose(onTensorflow.values[name], onCpu.values[name], rtol,
            10 * atol, name);
      }
    },
  })),
  ...SIZES.map(({size, batch, numClasses}): TestCase => ({
    name: `tensorflow: an out-of-range label gives TensorFlow's own message, worded as cpu's, leaking nothing (${size})`,
    async run({tf, op, loss}) {
      const messages = async (backendName: string) => {
        await tf.setBackend(backendName);
        const features = tf.zeros([batch, numClasses]);
        const labels = tf.tensor1d(
            [numClasses, numClasses - 1, 0, -1, 1].slice(0, batch), 'int32');
        const caught: string[] = [];
        await expectNoLeak(tf, backendName, () => {
          for (const call of [() => op(features, labels),
            () => loss(labels, features),
            () => tf.grad((x: Tensor) => loss(labels, x))(features)]) {
            try {
              call();
              caught.push('no error');
            } catch (error) {
              caught.push((error as Error).message);
            }
          }
        });
        tf.dispose([features, labels]);
        return caught;
      };
      const onTensorflow = await messages('tensorflow');
      const onCpu = await messages('cpu');
      await tf.setBackend('tensorflow');
      expectEqual(onTensorflow, onCpu, 'messages');
    },
  })),
  {
    // The catalogue's special values are mostly at small shapes, where the
    // forward is TensorFlow's fused kernel; these rows run the composed one.
    name: 'tensorflow: over 32768 logits, logits of +-1e4, NaN, -Infinity and near the largest float match the float64 reference',
    async run(context) {
      const numClasses = 8200;
      const random = new Random(31);
      const rows = [
        random.logits(numClasses, 1e4),
        random.logits(numClasses, 4),
        random.logits(numClasses, 4),
        Float32Array.from({length: numClasses},
            (_, i) => (i & 2) === 0 ? 0.9 * context.maxFloat :
                                      -0.9 * context.maxFloat),
        random.logits(numClasses, 30),
      ];
      rows[1][4321] = NaN;
      for (let i = 0; i < numClasses; i += 3) {
        rows[2][i] = -Infinity;
      }
      const features = new Float32Array(rows.length * numClasses);
      rows.forEach((row, i) => features.set(row, i * numClasses));
      await checkAgainstReference(context, features,
          Int32Array.from([17, 5, 1, 4, numClasses - 1]), numClasses,
          'special values over 32768 logits');
    },
  },
  {
    name: 'tensorflow: a tf.losses training step runs the forward kernel and scales its backprop (one Softmax a step), with the op\'s values',
    run({tf, op, loss, rtol, atol}) {
      const [batch, numClasses] = [5, 6600];
      const x = tf.randomNormal([batch, numClasses], 0, 3, 'float32', 7);
      const labels = tf.tensor1d([0, numClasses - 1, 3, 3, 5], 'int32');
      const lossStep = tf.valueAndGrad((y: Tensor) => tf.mean(
          loss(labels, y, undefined, 0, tf.Reduction.NONE)));
      const opStep = tf.valueAndGrad((y: Tensor) => tf.mean(op(y, labels).loss));
      let fromLoss: {value: Tensor, grad: Tensor} | undefined;
      const ops = tensorflowOps(tf, () => fromLoss = lossStep(x));
      const fromOp = opStep(x);
      expectEqual(ops.filter(name => /Softmax/.test(name)), ['Softmax'],
          'TensorFlow softmax ops of the loss step');
      const {value, grad} = fromLoss as {value: Tensor, grad: Tensor};
      expectClose(value.dataSync() as Float32Array,
          fromOp.value.dataSync() as Float32Array, rtol, atol, 'loss');
      expectClose(grad.dataSync() as Float32Array,
          fromOp.grad.dataSync() as Float32Array, rtol, atol, 'gradient');
      tf.dispose([x, labels, value, grad, fromOp.value, fromOp.grad]);
    },
  },
  {
    name: 'tensorflow: the forward runs TensorFlow\'s fused kernel under 32768 logits, TensorFlow\'s Softmax from there',
    run({tf, op}) {
      const forwardOps = SIZES.map(({batch, numClasses}) => {
        const features = tf.randomNormal([batch, numClasses]);
        const labels = tf.zeros([batch], 'int32');
        const ops = tensorflowOps(tf, () => tf.dispose(
            Object.values(op(features, labels))));
        tf.dispose([features, labels]);
        return ['SparseSoftmaxCrossEntropyWithLogits', 'Softmax']
            .filter(name => ops.includes(name));
      });
      expectEqual(forwardOps,
          [['SparseSoftmaxCrossEntropyWithLogits'], ['Softmax']],
          'TensorFlow ops of the forward, per size');
    },
  },
];
