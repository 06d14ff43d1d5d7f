/**
 * Shared by the wasm tests (SIMD and scalar): every path of the op and the
 * loss, with their gradients to third order, run on the current wasm
 * backend while its read-backs (`read`, `readSync`) are counted, and
 * checked against the cpu kernel's values.
 */
import * as tf from '@tensorflow/tfjs';
import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';

import {sparseSoftmaxCrossEntropy, sparseSoftmaxCrossEntropyWithLogits} from '../src';
import {rowPassesFor} from '../src/kernels/wasm/heap_row_passes';

import {expectClose} from './catalogue/assert';

type Paths = {[path: string]: () => tf.Tensor};

/** Each path, as a function of `x`, keyed by what it exercises. */
function paths(x: tf.Tensor2D, labels: tf.Tensor1D): Paths {
  const op = (y: tf.Tensor) => sparseSoftmaxCrossEntropyWithLogits(y, labels);
  const loss = (y: tf.Tensor) => sparseSoftmaxCrossEntropy(labels, y);
  const sumLoss = (y: tf.Tensor) => tf.sum(op(y).loss);
  const bothOutputs = (y: tf.Tensor) => {
    const {loss: l, backprop} = op(y);
    return tf.add(tf.sum(l), tf.sum(tf.square(backprop)));
  };
  const grad = (f: (y: tf.Tensor) => tf.Tensor) => (y: tf.Tensor) =>
    tf.sum(tf.mul(tf.grad(f)(y), y));
  return {
    'forward loss': () => op(x).loss,
    'forward backprop': () => op(x).backprop,
    'loss': () => loss(x),
    'gradient of the loss output': () => tf.grad(sumLoss)(x),
    'gradient of both outputs': () => tf.grad(bothOutputs)(x),
    'gradient of tf.losses': () => tf.grad(loss)(x),
    'second order': () => tf.grad(grad(sumLoss))(x),
    'second order of tf.losses': () => tf.grad(grad(loss))(x),
    'third order': () => tf.grad(grad(grad(sumLoss)))(x),
  };
}

/** Runs every path on wasm counting read-backs, then on cpu; returns both. */
export async function everyPathOnWasmAndCpu(): Promise<{
  readBacks: {[path: string]: number},
  wasm: {[path: string]: Float32Array},
  cpu: {[path: string]: Float32Array},
}> {
  const featureValues = Array.from({length: 5 * 9}, (_, i) => Math.sin(i) * 4);
  const labelValues = [0, 8, 3, 3, 5];
  const run = (backendName: string, onEach?: (name: string,
      body: () => tf.Tensor) => tf.Tensor) => {
    tf.setBackend(backendName);
    const x = tf.tensor2d(featureValues, [5, 9]);
    const labels = tf.tensor1d(labelValues, 'int32');
    const out: {[path: string]: tf.Tensor} = {};
    for (const [name, body] of Object.entries(paths(x, labels))) {
      out[name] = onEach ? onEach(name, body) : body();
    }
    tf.dispose([x, labels]);
    return out;
  };
  const readBacks: {[path: string]: number} = {};
  const backend = tf.findBackend('wasm') as BackendWasm;
  const original = {read: backend.read, readSync: backend.readSync};
  let count = 0;
  backend.read = (...args) => {
    count++;
    return original.read.apply(backend, args);
  };
  backend.readSync = (...args) => {
    count++;
    return original.readSync.apply(backend, args);
  };
  let wasmTensors: {[path: string]: tf.Tensor};
  try {
    wasmTensors = run('wasm', (name, body) => {
      count = 0;
      const result = body();
      readBacks[name] = count;
      return result;
    });
  } finally {
    Object.assign(backend, original);
  }
  const values = async (tensors: {[path: string]: tf.Tensor}) => {
    const out: {[path: string]: Float32Array} = {};
    for (const [name, t] of Object.entries(tensors)) {
      out[name] = await t.data() as Float32Array;
    }
    tf.dispose(Object.values(tensors));
    return out;
  };
  const wasm = await values(wasmTensors);
  const cpu = await values(run('cpu'));
  await tf.setBackend('wasm');
  return {readBacks, wasm, cpu};
}

/** The checks both wasm test files make. */
export function describeInPlaceKernels(variant: 'simd'|'scalar'): void {
  it(`runs the ${variant} row passes on the backend's own memory`, () => {
    const backend = tf.backend() as BackendWasm;
    const rowPasses = rowPassesFor(backend);
    expect(rowPasses?.variant).toBe(variant);
    const heap = (backend.wasm as unknown as {HEAPU8: Uint8Array}).HEAPU8;
    expect(rowPasses?.memory.buffer).toBe(heap.buffer);
  });

  it('reads nothing back: the op, the loss and their gradients (to third ' +
     'order) give the cpu kernels\' values', async () => {
    const {readBacks, wasm, cpu} = await everyPathOnWasmAndCpu();
    expect(readBacks).toEqual(Object.fromEntries(
        Object.keys(readBacks).map(name => [name, 0])));
    expect(Object.keys(readBacks)).toHaveLength(9);
    for (const name of Object.keys(cpu)) {
      expectClose(wasm[name], cpu[name], 2e-5, 2e-6, name);
    }
  });

  it('copies no batch x classes tensor in a first-order training step on ' +
     'the op or the loss (no Identity clone of backprop or the logits), ' +
     'with cpu\'s gradient', async () => {
    const [batch, classes] = [6, 7];
    const featureValues = Float32Array.from({length: batch * classes},
        (_, i) => Math.cos(i) * 3);
    const labelValues = Int32Array.from([0, 6, 2, 2, 5, 1]);
    const steps = {
      'op loss': (labels: tf.Tensor) => (y: tf.Tensor) =>
        tf.mean(sparseSoftmaxCrossEntropyWithLogits(y, labels).loss),
      'tf.losses': (labels: tf.Tensor) => (y: tf.Tensor) =>
        sparseSoftmaxCrossEntropy(labels, y),
    };
    for (const [name, stepOf] of Object.entries(steps)) {
      const gradientOn = async (backendName: string) => {
        await tf.setBackend(backendName);
        const x = tf.tensor2d(featureValues, [batch, classes]);
        const labels = tf.tensor1d(labelValues, 'int32');
        const before = tf.memory().numTensors;
        const profile = await tf.profile(() => {
          const {value, grad} = tf.valueAndGrad(stepOf(labels))(x);
          return [value, grad];
        });
        const [value, grad] = profile.result as tf.Tensor[];
        const identities = profile.kernels.filter(kernel =>
          kernel.name === 'Identity' &&
          kernel.outputShapes.some(shape =>
            shape.reduce((n, d) => n * d, 1) === batch * classes));
        const out = {value: await value.data(), grad: await grad.data(),
          batchByClassesIdentities: identities.length};
        tf.dispose([value, grad]);
        const leaked = tf.memory().numTensors - before;
        tf.dispose([x, labels]);
        return {...out, leaked};
      };
      const onWasm = await gradientOn('wasm');
      const onCpu = await gradientOn('cpu');
      await tf.setBackend('wasm');
      expect({name, identities: onWasm.batchByClassesIdentities,
        leaked: onWasm.leaked}).toEqual({name, identities: 0, leaked: 0});
      expectClose(onWasm.value, onCpu.value, 2e-5, 2e-6, `${name} value`);
      expectClose(onWasm.grad, onCpu.grad, 2e-5, 2e-6, `${name} gradient`);
    }
  });

  it('throws TensorFlow\'s label error from the heap, leaking nothing',
      () => {
        const features = tf.zeros([4, 4]);
        const labels = tf.tensor1d([4, 3, 0, -1], 'int32');
        const before = {tensors: tf.memory().numTensors,
          dataIds: tf.backend().numDataIds()};
        expect(() => sparseSoftmaxCrossEntropyWithLogits(features, labels))
            .toThrow('Received a label value of -1 which is outside the ' +
                'valid range of [0, 4).  Label values: 4 3 0 -1');
        expect(() => sparseSoftmaxCrossEntropy(labels, features))
            .toThrow('Label values: 4 3 0 -1');
        expect({tensors: tf.memory().numTensors,
          dataIds: tf.backend().numDataIds()}).toEqual(before);
        tf.dispose([features, labels]);
      });
}
