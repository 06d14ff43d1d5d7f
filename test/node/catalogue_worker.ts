/**
 * Runs catalogue cases in a plain Node process, as a user's app runs: tfjs and
 * the package are loaded with Node's own `require`, outside jest's VM (where
 * typed arrays come from another realm and numeric loops run ~20x slower).
 * The parent (`node_lane.ts`) sends a case name over IPC and gets
 * `{ok, message}` back.
 */
// `require`, not `import * as`: a bundler's ESM interop would hand us a copy
// of the namespace, not the object a CommonJS user holds.
// eslint-disable-next-line @typescript-eslint/no-require-imports
import tf = require('@tensorflow/tfjs');

import {linearSparseSoftmaxCrossEntropy, sparseSoftmaxCrossEntropy, sparseSoftmaxCrossEntropyWithLogits} from '../../src/index.js';
import {catalogue, CaseContext, tolerancesFor} from '../catalogue/index.js';
import {NO_READ_BACKS} from './lane_checks.js';
import type {LaneReady} from './node_lane.js';
import {tensorflowCases} from './tensorflow_cases.js';

export interface CaseRequest {
  name: string;
}

export interface CaseReply {
  name: string;
  ok: boolean;
  message?: string;
}

async function contextFor(
    backend: string, flags: {[flag: string]: boolean}): Promise<CaseContext> {
  if (backend === 'wasm') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('@tensorflow/tfjs-backend-wasm');
    // Node has no worker threads for the wasm backend's threaded build.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  }
  if (backend === 'tensorflow') {
    // tfjs-node (after the package here, unless the lane preloads it).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('@tensorflow/tfjs-node');
  }
  // Once the backend's package has registered its flags.
  for (const [flag, value] of Object.entries(flags)) {
    tf.env().set(flag, value);
  }
  if (!(await tf.setBackend(backend)) || tf.getBackend() !== backend) {
    throw new Error(`could not set the ${backend} backend`);
  }
  return {
    tf,
    op: sparseSoftmaxCrossEntropyWithLogits,
    loss: sparseSoftmaxCrossEntropy,
    linearLoss: linearSparseSoftmaxCrossEntropy,
    backend,
    // wasm and tfjs-node data live on the CPU: their kernels check labels
    // as cpu's do (tfjs-node's with TensorFlow's own kernel).
    checksLabels: ['cpu', 'wasm', 'tensorflow'].includes(backend),
    ...tolerancesFor(tf.backend().floatPrecision()),
  };
}

/** See `lane_checks.ts`. */
async function noReadBacks(): Promise<void> {
  const backend = tf.backend();
  const readSync = backend.readSync;
  let reads = 0;
  backend.readSync = function(...args: Parameters<typeof readSync>) {
    reads++;
    return readSync.apply(this, args);
  };
  try {
    const logits = tf.tensor2d([[1, 2, 3], [3, 2, 1]]);
    const labels = tf.tensor1d([2, 0], 'int32');
    const dLogits = tf.grad((x: tf.Tensor) =>
        sparseSoftmaxCrossEntropyWithLogits(x, labels).loss.sum())(logits);
    if (reads !== 0) {
      throw new Error(`${reads} read-backs on ${tf.getBackend()}`);
    }
    tf.dispose([logits, labels, dLogits]);
  } finally {
    backend.readSync = readSync;
  }
}

async function runCase(
    context: CaseContext, {name}: CaseRequest): Promise<CaseReply> {
  if (name === NO_READ_BACKS) {
    return noReadBacks().then(() => ({name, ok: true}),
        (error: Error) => ({name, ok: false, message: error.message}));
  }
  const testCase = [...catalogue, ...tensorflowCases].find(
      c => c.name === name);
  if (testCase === undefined) {
    return {name, ok: false, message: `no case named ${name}`};
  }
  try {
    if (tf.getBackend() !== context.backend) {
      throw new Error(`backend is ${tf.getBackend()}, not ${context.backend}`);
    }
    await testCase.run(context);
    return {name, ok: true};
  } catch (error) {
    const message = error instanceof Error ?
        `${error.message}\n${error.stack ?? ''}` : String(error);
    return {name, ok: false, message};
  }
}

async function main(): Promise<void> {
  const context = await contextFor(process.argv[2] ?? 'cpu',
      JSON.parse(process.argv[3] ?? '{}') as {[flag: string]: boolean});
  const send = (reply: CaseReply | LaneReady) => process.send?.(reply);
  process.on('message', (request: CaseRequest) => {
    void runCase(context, request).then(send);
  });
  send({ready: true, tfjsCore: tf.version_core});
}

void main();
