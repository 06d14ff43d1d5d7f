/**
 * Switching backends with `tf.setBackend` between calls and during training:
 * the numbers must be those of a cpu-only run. These run in a GPU lane's
 * page and switch among every backend the page has registered: cpu and
 * webgl in the WebGL page, cpu, webgl and webgpu in the WebGPU page.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type {Scalar, Tensor, Variable} from '@tensorflow/tfjs';

import {expectClose, expectEqual} from '../catalogue/assert';
import {CaseContext, TestCase} from '../catalogue/case';
import {Random} from '../catalogue/random';

type Backend = string;

/** The page's backends, cpu first (the reference). */
function backendsOf(tf: typeof tfjs): Backend[] {
  const names = Object.keys(tf.engine().registryFactory);
  return ['cpu', ...names.filter(name => name !== 'cpu').sort()];
}

/**
 * Switches without awaiting: for a backend that is already initialised,
 * tfjs switches synchronously, which lets a switch happen inside
 * `optimizer.minimize`'s loss function, between the forward pass and the
 * gradient.
 */
function switchTo(tf: typeof tfjs, backend: Backend): void {
  void tf.setBackend(backend);
  expectEqual(tf.getBackend(), backend, 'backend right after tf.setBackend');
}

/**
 * tfjs moves a tensor to another backend by reading it with `readSync`.
 * WebGPU's `readSync` on this machine's SwiftShader adapter returns zeros
 * and then loses the device (tfjs's, not this package's: it goes through a
 * WebGPU canvas), so before tensors leave `webgpu` they are read with
 * `data()`, which leaves their values cached for that move, as a WebGPU
 * user must. WebGL tensors move with plain `readSync`.
 */
async function readyToLeave(
    tf: typeof tfjs, tensors: Tensor[]): Promise<void> {
  if (tf.getBackend() === 'webgpu') {
    await Promise.all(tensors.map(t => t.data()));
  }
}

/** Tensors, and data ids summed over all backends (data moves between them). */
function memoryOf(tf: typeof tfjs): {numTensors: number, numDataIds: number} {
  return {
    numTensors: tf.memory().numTensors,
    numDataIds: backendsOf(tf).reduce(
        (sum, name) => sum + tf.engine().findBackend(name).numDataIds(), 0),
  };
}

/**
 * Runs `body` with every backend initialised (so that switching is
 * synchronous) and cpu current, checking that nothing leaked on any.
 */
async function withAllBackends(
    context: CaseContext, body: () => Promise<void>): Promise<void> {
  const {tf} = context;
  for (const backend of [...backendsOf(tf)].reverse()) {
    expectEqual(await tf.setBackend(backend), true,
        `tf.setBackend('${backend}')`);
  }
  const before = memoryOf(tf);
  try {
    await body();
  } finally {
    await tf.setBackend(context.backend);
  }
  expectEqual(memoryOf(tf), before, 'tensors and data ids after the case');
}

interface Outputs {
  loss: Float32Array;
  backprop: Float32Array;
  gradient: Float32Array;
}

/** The op's outputs and the gradient of its weighted loss, on the current backend. */
async function outputsOf(
    context: CaseContext, features: Tensor, labels: Tensor,
    weights: Tensor): Promise<Outputs> {
  const {tf, op} = context;
  const {loss, backprop} = op(features, labels);
  const gradient = tf.grad((x: Tensor) =>
      tf.sum(tf.mul(op(x, labels).loss, weights)))(features);
  const [lossValues, backpropValues, gradientValues] =
      await Promise.all([loss.data(), backprop.data(), gradient.data()]);
  tf.dispose([loss, backprop, gradient]);
  return {
    loss: lossValues as Float32Array,
    backprop: backpropValues as Float32Array,
    gradient: gradientValues as Float32Array,
  };
}

function expectSameOutputs(
    {rtol, atol}: CaseContext, actual: Outputs, expected: Outputs,
    what: string): void {
  expectClose(actual.loss, expected.loss, rtol, atol, `${what}: loss`);
  expectClose(actual.backprop, expected.backprop, rtol, atol,
      `${what}: backprop`);
  expectClose(actual.gradient, expected.gradient, rtol, atol,
      `${what}: gradient`);
}

/**
 * Where each training step runs: forward pass, then gradient and update,
 * given the page's backends.
 */
type Schedule =
    (step: number, backends: Backend[]) => [forward: Backend, backward: Backend];

const STEPS = 12;

interface TrainingRun {
  losses: number[];
  kernel: Float32Array;
  bias: Float32Array;
}

/** A small softmax regression trained with SGD, following `schedule`. */
async function train(
    context: CaseContext, schedule: Schedule): Promise<TrainingRun> {
  const {tf, op} = context;
  const random = new Random(31);
  const [batch, inputs, numClasses] = [16, 5, 4];
  switchTo(tf, 'cpu');
  const x = tf.tensor2d(random.logits(batch * inputs, 1), [batch, inputs]);
  const labels = tf.tensor1d(random.labels(batch, numClasses), 'int32');
  // tf.variable shares its initial value's data; tidy frees the tensor.
  const [kernel, bias]: Variable[] = tf.tidy(() => [
    tf.variable(tf.tensor2d(
        random.logits(inputs * numClasses, 0.5), [inputs, numClasses])),
    tf.variable(tf.zeros([numClasses])),
  ]);
  const optimizer = tf.train.sgd(0.5);
  const losses: number[] = [];
  const backends = backendsOf(tf);
  for (let step = 0; step < STEPS; step++) {
    const [forward, backward] = schedule(step, backends);
    if (forward !== tf.getBackend()) {
      // SGD keeps its learning rate as a scalar tensor (tfjs's field `c`),
      // which moves with the step too.
      const learningRate = (optimizer as unknown as {c: Tensor}).c;
      await readyToLeave(tf, [x, labels, kernel, bias, learningRate]);
    }
    switchTo(tf, forward);
    const loss = optimizer.minimize(() => {
      const meanLoss =
          tf.mean(op(tf.add(tf.matMul(x, kernel), bias), labels).loss);
      if (backward !== forward) {
        switchTo(tf, backward);
      }
      return meanLoss as Scalar;
    }, true);
    expectEqual(tf.getBackend(), backward, `backend after step ${step}`);
    if (loss === null) {
      throw new Error('optimizer.minimize returned no cost');
    }
    losses.push((await loss.data())[0]);
    loss.dispose();
  }
  const run = {
    losses,
    kernel: await kernel.data() as Float32Array,
    bias: await bias.data() as Float32Array,
  };
  optimizer.dispose();
  tf.dispose([x, labels, kernel, bias]);
  return run;
}

async function expectSameTraining(
    context: CaseContext, schedule: Schedule): Promise<void> {
  const {rtol, atol} = context;
  const cpuOnly = await train(context, () => ['cpu', 'cpu']);
  const switching = await train(context, schedule);
  expectEqual(cpuOnly.losses[STEPS - 1] < cpuOnly.losses[0], true,
      `the cpu-only run learns (${cpuOnly.losses})`);
  expectClose(switching.losses, cpuOnly.losses, rtol, atol, 'loss per step');
  expectClose(switching.kernel, cpuOnly.kernel, rtol, atol, 'trained kernel');
  expectClose(switching.bias, cpuOnly.bias, rtol, atol, 'trained bias');
}

export const switchingCases: TestCase[] = [
  {
    name: 'calls alternate among the backends on the same tensors',
    async run(context) {
      const {tf} = context;
      await withAllBackends(context, async () => {
        const random = new Random(30);
        const [batch, numClasses] = [6, 7];
        const features = tf.tensor2d(
            random.logits(batch * numClasses, 3), [batch, numClasses]);
        const labels = tf.tensor1d(random.labels(batch, numClasses), 'int32');
        const weights = tf.tensor1d(random.logits(batch, 1));
        const onCpu = await outputsOf(context, features, labels, weights);
        for (const backend of backendsOf(tf).slice(1)) {
          switchTo(tf, backend);
          const onGpu = await outputsOf(context, features, labels, weights);
          expectSameOutputs(context, onGpu, onCpu, `cpu tensors on ${backend}`);
          // Inputs made by this backend, then used on cpu.
          const [gpuFeatures, gpuLabels] = tf.tidy(() => [
            tf.add(features, tf.scalar(0)),
            tf.add(labels, tf.scalar(0, 'int32')),
          ]);
          await readyToLeave(
              tf, [features, labels, weights, gpuFeatures, gpuLabels]);
          switchTo(tf, 'cpu');
          const back = await outputsOf(context, gpuFeatures, gpuLabels, weights);
          expectSameOutputs(context, back, onCpu, `${backend} tensors on cpu`);
          // Outputs made on one backend and read after switching.
          switchTo(tf, backend);
          const result = context.op(features, labels);
          await readyToLeave(tf, [features, labels, weights, result.loss]);
          switchTo(tf, 'cpu');
          expectClose(await result.loss.data(), onCpu.loss, context.rtol,
              context.atol, `${backend} loss read on cpu`);
          tf.dispose([gpuFeatures, gpuLabels, result]);
        }
        tf.dispose([features, labels, weights]);
      });
    },
  },
  {
    name: 'optimizer.minimize switching backends between steps ' +
        'matches a cpu-only run',
    async run(context) {
      await withAllBackends(context, () => expectSameTraining(context,
          (step, backends) => {
            const backend = backends[step % backends.length];
            return [backend, backend];
          }));
    },
  },
  {
    name: 'optimizer.minimize with the forward pass on one backend and ' +
        'the gradient on another matches a cpu-only run',
    async run(context) {
      // Over the steps, every ordered pair of distinct backends but those
      // from webgpu: the gradient would move the forward pass's tensors off
      // webgpu inside `minimize`, with the `readSync` that `readyToLeave`
      // explains, and nothing can be awaited there.
      await withAllBackends(context, () => expectSameTraining(context,
          (step, backends) => {
            const pairs = backends.flatMap(forward => backends
                .filter(backward => backward !== forward && forward !== 'webgpu')
                .map(backward => [forward, backward] as [Backend, Backend]));
            return pairs[step % pairs.length];
          }));
    },
  },
];
