/**
 * Cases for the GPU lanes only (webgl, webgpu): nothing is read back to the
 * CPU while the op, the loss and their gradients run; on WebGPU a new
 * batch size or class count compiles no new pipeline; on WebGL a `tf.losses`
 * training step packs unpacked logits once for its two kernels.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type {Tensor} from '@tensorflow/tfjs';

import {expectClose, expectEqual} from '../catalogue/assert';
import {CaseContext, TestCase} from '../catalogue/case';
import {Random} from '../catalogue/random';
import {reference} from '../catalogue/reference';

/** The backend methods through which every read of tensor data goes. */
const READ_METHODS = ['readSync', 'read'] as const;

/**
 * Runs `body` with the current backend's read methods counting their calls;
 * returns the count. The methods are restored whatever happens.
 */
function countReads(tf: typeof tfjs, body: () => void): number {
  const backend = tf.backend() as unknown as
      {[method: string]: (...args: unknown[]) => unknown};
  const originals = READ_METHODS.map(method => backend[method]);
  let reads = 0;
  READ_METHODS.forEach((method, i) => {
    backend[method] = (...args: unknown[]) => {
      reads++;
      return originals[i].apply(backend, args);
    };
  });
  try {
    body();
  } finally {
    READ_METHODS.forEach((method, i) => {
      backend[method] = originals[i];
    });
  }
  return reads;
}

/**
 * Everything a training step or an evaluation can ask of the package: the
 * op's outputs, the loss under each reduction and option, and their
 * gradients to third order, all left on the device.
 */
function everyUse(context: CaseContext, features: Tensor, labels: Tensor,
                  weights: Tensor): Tensor[] {
  const {tf, op, loss} = context;
  const opLoss = (x: Tensor) => tf.sum(tf.mul(op(x, labels).loss, weights));
  const bothOutputs = (x: Tensor) => {
    const {loss: perExample, backprop} = op(x, labels);
    return tf.add(tf.sum(perExample), tf.sum(tf.mul(backprop, x)));
  };
  const meanLoss = (x: Tensor) => loss(labels, x, weights);
  const smoothedLoss = (x: Tensor) =>
      loss(labels, x, undefined, 0.1, tf.Reduction.MEAN);
  const grad = (f: (x: Tensor) => Tensor) => tf.grad(f);
  const outputs = op(features, labels);
  return [
    outputs.loss, outputs.backprop,
    loss(labels, features, undefined, 0, tf.Reduction.NONE),
    meanLoss(features), smoothedLoss(features),
    grad(opLoss)(features), grad(bothOutputs)(features),
    grad(meanLoss)(features), grad(smoothedLoss)(features),
    grad(x => tf.sum(grad(opLoss)(x)))(features),
    grad(x => tf.sum(grad(meanLoss)(x)))(features),
    grad(x => tf.sum(grad(x2 => tf.sum(grad(opLoss)(x2)))(x)))(features),
    grad(x => tf.sum(grad(x2 => tf.sum(grad(meanLoss)(x2)))(x)))(features),
  ];
}

/**
 * This package's compiled WebGPU pipelines (their shader keys start with
 * `sparseXent`; tfjs's own programs in a step are not this package's).
 */
function pipelineCount(tf: typeof tfjs): number {
  const cache =
      (tf.backend() as unknown as {pipelineCache: object}).pipelineCache;
  return Object.keys(cache).filter(key => key.startsWith('sparseXent')).length;
}

/** One training step of each kind at `[batch, numClasses]`, run to the end. */
async function trainingStepsAt(
    context: CaseContext, batch: number, numClasses: number): Promise<void> {
  const {tf, op, loss} = context;
  const random = new Random(batch * 7919 + numClasses);
  const features =
      tf.tensor2d(random.logits(batch * numClasses, 3), [batch, numClasses]);
  const labels = tf.tensor1d(random.labels(batch, numClasses), 'int32');
  const results = tf.tidy(() => [
    tf.grad((x: Tensor) => tf.mean(op(x, labels).loss))(features),
    tf.grad((x: Tensor) => {
      const {loss: perExample, backprop} = op(x, labels);
      return tf.add(tf.sum(perExample), tf.sum(tf.mul(backprop, x)));
    })(features),
    tf.grad((x: Tensor) => loss(labels, x))(features),
  ]);
  await Promise.all(results.map(t => t.data()));
  tf.dispose([features, labels, ...results]);
}

/** `c * tanh(x / c)` in float64, or `x` uncapped. */
function capped64(x: number, softcap?: number): number {
  return softcap == null ? x : softcap * Math.tanh(x / softcap);
}

/**
 * Rows for `predicted`: random logits with the row's maximum planted at
 * several columns (ties: the first must win), in different first-pass
 * chunks and lanes for long rows; a row of equal logits; a row whose
 * largest logits saturate the cap (1e3 and 1e4 both cap to exactly `c`
 * for the caps used here, so the first of them wins).
 */
function predictionRows(
    random: Random, batch: number, numClasses: number,
    context: CaseContext): Float32Array {
  const values = random.logits(batch * numClasses, 3);
  for (let row = 0; row < batch; row++) {
    const offset = row * numClasses;
    if (row % 4 === 1) {
      values.fill(0.5, offset, offset + numClasses);
    } else if (row % 4 === 2) {
      const first = random.int(numClasses);
      values[offset + first] = context.floatPrecision === 16 ? 1e3 : 1e4;
      values[offset + random.int(numClasses)] = 1e3;
    } else {
      const columns = [0, 1, 2].map(() => random.int(numClasses));
      columns.forEach(col => values[offset + col] = 7.25);
    }
  }
  return context.storable(values);
}

const SOFTCAPS = [undefined, 30, 20];

/** For every GPU lane: the loss-only kernel's runtime options. */
const lossKernelOptionCases: TestCase[] = [
  {
    name: 'loss-only kernel: softcap and predictions give the float64 loss and tf.argMax of the capped logits (ties: the first), read nothing back, and compile no program per softcap value',
    async run(context) {
      const {tf} = context;
      const random = new Random(71);
      const runKernel = (features: Tensor, labels: Tensor, attrs: object) =>
          tf.engine().runKernel('SparseSoftmaxCrossEntropyLoss',
              {features, labels}, attrs as tfjs.NamedAttrMap) as Tensor[];
      // Lanes with 16-bit textures hold indices up to 2048 exactly.
      const shapes = context.floatPrecision === 16 ?
          [[6, 5], [8, 700], [4, 2049]] :
          [[6, 5], [8, 700], [5, 3000], [2, 300000]];
      const [rtol, atol] = context.floatPrecision === 32 ?
          [1e-5, 1e-5] : [context.rtol, context.atol];
      for (const [batch, numClasses] of shapes) {
        const values = predictionRows(random, batch, numClasses, context);
        const labelValues = random.labels(batch, numClasses);
        const raw = tf.tensor2d(values, [batch, numClasses]);
        // On WebGL with packing, a binary op's output is a packed texture.
        const packed = tf.add(raw, tf.zerosLike(raw));
        const labels = tf.tensor1d(labelValues, 'int32');
        const predictedBySoftcap: number[][] = [];
        for (const [features, softcap] of [raw, packed].flatMap(
            features => SOFTCAPS.map(softcap => [features, softcap] as const))) {
          const what = `[${batch}, ${numClasses}] softcap ${softcap}${
            features === packed ? ' (tf.add)' : ''}`;
          let outputs: Tensor[] = [];
          const reads = countReads(tf, () => {
            outputs = runKernel(features, labels, {softcap, predictions: true});
          });
          expectEqual(reads, 0, `reads ${what}`);
          expectEqual(outputs.length, 4, `outputs ${what}`);
          const [loss, , , predicted] = outputs;
          expectEqual(predicted.dtype, 'int32', `predicted dtype ${what}`);
          expectEqual(predicted.shape, [batch], `predicted shape ${what}`);
          const expectedLoss = new Float64Array(batch);
          const expectedPredicted = new Int32Array(batch);
          for (let row = 0; row < batch; row++) {
            const x = (j: number) =>
                capped64(values[row * numClasses + j], softcap);
            let best = 0;
            for (let j = 1; j < numClasses; j++) {
              if (x(j) > x(best)) {
                best = j;
              }
            }
            let sumExp = 0;
            for (let j = 0; j < numClasses; j++) {
              sumExp += Math.exp(x(j) - x(best));
            }
            expectedPredicted[row] = best;
            expectedLoss[row] =
                Math.log(sumExp) - (x(labelValues[row]) - x(best));
          }
          const lossValues = await loss.data();
          expectClose(lossValues, expectedLoss, rtol, atol, `loss ${what}`);
          expectEqual(Array.from(await predicted.data()),
              Array.from(expectedPredicted), `predicted ${what}`);
          predictedBySoftcap.push(Array.from(await predicted.data()));
          tf.dispose(outputs);
          // Without predictions: three outputs, the same loss (to float32
          // rounding: the passes add in another order).
          const plain = runKernel(features, labels, {softcap});
          expectEqual(plain.length, 3, `outputs without predictions ${what}`);
          expectClose(await plain[0].data(), lossValues, 1e-6, 1e-6,
              `loss without predictions ${what}`);
          tf.dispose(plain);
        }
        tf.dispose([raw, packed, labels]);
        // tf.argMax of the capped logits, on cpu: tfjs's WebGPU argMax does
        // not always pick the first of equal maxima.
        await tf.setBackend('cpu');
        try {
          SOFTCAPS.forEach((softcap, i) => {
            const argMax = tf.tidy(() => {
              const x = tf.tensor2d(values, [batch, numClasses]);
              return tf.argMax(softcap == null ? x :
                  tf.mul(tf.tanh(tf.div(x, softcap)), softcap), 1);
            });
            const expected = Array.from(argMax.dataSync());
            [i, i + SOFTCAPS.length].forEach(run => expectEqual(
                predictedBySoftcap[run], expected,
                `tf.argMax [${batch}, ${numClasses}] softcap ${softcap}`));
            argMax.dispose();
          });
        } finally {
          await tf.setBackend(context.backend);
        }
      }
      // An empty batch: four empty outputs, `predicted` int32.
      const empty = runKernel(tf.zeros([0, 5]), tf.zeros([0], 'int32'),
          {softcap: 30, predictions: true});
      expectEqual(empty.map(t => `${t.dtype} [${t.shape}]`),
          ['float32 [0]', 'float32 [0,1]', 'float32 [0,1]', 'int32 [0]'],
          'outputs of an empty batch');
      tf.dispose(empty);
      // After a first cap, another compiles nothing new.
      const features = tf.tensor2d(random.logits(4 * 300, 50), [4, 300]);
      const labels = tf.tensor1d(random.labels(4, 300), 'int32');
      let compiled = 0;
      for (const softcap of [3, 7.5, 1000]) {
        const step = tf.grad((x: Tensor) =>
            tf.sum(context.loss(labels, x, {softcap})))(features);
        const outputs = runKernel(features, labels,
            {softcap, predictions: true});
        await step.data();
        tf.dispose([step, ...outputs]);
        if (softcap === 3) {
          compiled = programCount(tf);
        }
        expectEqual(programCount(tf), compiled,
            `programs after softcap ${softcap}`);
      }
      tf.dispose([features, labels]);
    },
  },
];

/**
 * The package's compiled programs: WebGPU pipelines (`pipelineCount`), or
 * WebGL's compiled shaders.
 */
function programCount(tf: typeof tfjs): number {
  if (tf.getBackend() === 'webgpu') {
    return pipelineCount(tf);
  }
  return Object.keys(
      (tf.backend() as unknown as {binaryCache: object}).binaryCache).length;
}

/** For every GPU lane (webgl, webgpu). */
export const gpuCases: TestCase[] = [
  ...lossKernelOptionCases,
  {
    name: 'the loss is within 1e-5 relative of a float64 reference, up to 2,000,000 classes',
    async run(context) {
      const {tf, op, loss: lossFunction} = context;
      const random = new Random(62);
      // float32 lanes: the bar (an absolute 1e-6 for losses near 0, where
      // float32's cancellation in `logSumExp - (x - rowMax)` is TF's too);
      // 16-bit textures: the lane's own tolerance.
      const [rtol, atol] =
          context.floatPrecision === 32 ? [1e-5, 1e-6] : [context.rtol, context.atol];
      for (const [batch, numClasses, scale] of
           [[7, 10, 3], [64, 1000, 3], [16, 1000, 100], [3, 100003, 3],
             [2, 250000, 3], [1, 2000000, 3]]) {
        const features = context.storable(
            random.logits(batch * numClasses, scale));
        const labels = random.labels(
            batch, Math.min(numClasses, context.maxExactLabel + 1));
        const expected = reference(features, labels, numClasses).loss;
        const featureTensor = tf.tensor2d(features, [batch, numClasses]);
        const labelTensor = tf.tensor1d(labels, 'int32');
        const {loss, backprop} = op(featureTensor, labelTensor);
        const perExample = lossFunction(
            labelTensor, featureTensor, undefined, 0, tf.Reduction.NONE);
        const what = `[${batch}, ${numClasses}] at scale ${scale}`;
        expectClose(await loss.data(), expected, rtol, atol, `op loss ${what}`);
        expectClose(await perExample.data(), expected, rtol, atol,
            `tf.losses ${what}`);
        tf.dispose([featureTensor, labelTensor, loss, backprop, perExample]);
      }
    },
  },
  {
    name: 'nothing is read back while the op, the loss and their gradients run',
    async run(context) {
      const {tf} = context;
      const random = new Random(61);
      // Long rows (several slices on WebGPU) and short ones, a bad label.
      for (const [batch, numClasses] of [[5, 7], [3, 9000]]) {
        // Labels the lane represents exactly (16-bit textures: to 2048).
        const labelValues = random.labels(
            batch, Math.min(numClasses, context.maxExactLabel + 1));
        const featureValues = random.logits(batch * numClasses, 3);
        const weightValues = random.logits(batch, 1);
        const features = tf.tensor2d(featureValues, [batch, numClasses]);
        const labels = tf.tensor1d(labelValues, 'int32');
        const badLabels = tf.tensor1d(
            labelValues.map((label, row) => row === 1 ? numClasses : label),
            'int32');
        const weights = tf.tensor1d(weightValues);
        let results: Tensor[] = [];
        const reads = countReads(tf, () => {
          results = [
            ...everyUse(context, features, labels, weights),
            ...everyUse(context, features, badLabels, weights),
          ];
        });
        expectEqual(reads, 0, `reads at [${batch}, ${numClasses}]`);
        // The results are real: the same on cpu (to float32 accuracy, or
        // the lane's looser one), from new tensors of the same values
        // (moving these would read them back).
        const rtol = Math.max(context.rtol, 1e-3);
        const values = await Promise.all(results.map(t => t.data()));
        await tf.setBackend('cpu');
        try {
          const onCpu = tf.tidy(() => everyUse(context,
              tf.tensor2d(context.storable(featureValues), [batch, numClasses]),
              tf.tensor1d(labelValues, 'int32'), tf.tensor1d(weightValues)));
          for (let i = 0; i < onCpu.length; i++) {
            expectClose(values[i], await onCpu[i].data(), rtol, rtol / 10,
                `result ${i} at [${batch}, ${numClasses}] vs cpu`);
          }
          tf.dispose(onCpu);
        } finally {
          await tf.setBackend(context.backend);
        }
        tf.dispose([features, labels, badLabels, weights, ...results]);
      }
    },
  },
];

/** WebGPU only: pipelines are WebGPU's compiled programs. */
export const webgpuCases: TestCase[] = [
  {
    name: 'a new batch size or class count compiles no new pipeline',
    async run(context) {
      const {tf} = context;
      // Every program once, rows of one slice and of several.
      await trainingStepsAt(context, 4, 10);
      await trainingStepsAt(context, 2, 9000);
      const compiled = pipelineCount(tf);
      // Each of the kernels' programs (there are ten).
      expectEqual(compiled >= 10, true, `${compiled} pipelines compiled`);
      for (const [batch, numClasses] of
           [[1, 10], [7, 3], [1, 1], [33, 129], [3, 20000], [1, 70001]]) {
        await trainingStepsAt(context, batch, numClasses);
        expectEqual(pipelineCount(tf) - compiled, 0,
            `new pipelines at [${batch}, ${numClasses}]`);
      }
    },
  },
];

/** The loss-only kernels' names, as registered. */
const LOSS_KERNELS =
    ['SparseSoftmaxCrossEntropyLoss', 'SparseSoftmaxCrossEntropyLossGrad'];

/**
 * Runs `body` with each loss-only kernel on WebGL recording whether its
 * `features` input is a packed texture; returns what each saw, in order.
 * The kernels are restored whatever happens.
 */
function featureLayoutsSeen(
    tf: typeof tfjs, body: () => void): {[kernel: string]: boolean[]} {
  const {texData} = tf.backend() as unknown as
      {texData: {get(dataId: object): {isPacked?: boolean}}};
  const seen: {[kernel: string]: boolean[]} = {};
  const restores = LOSS_KERNELS.map(name => {
    const config = tf.getKernel(name, 'webgl');
    if (config == null) {
      throw new Error(`${name} is not registered for webgl`);
    }
    const {kernelFunc} = config;
    seen[name] = [];
    config.kernelFunc = args => {
      const features = args.inputs.features as tfjs.TensorInfo;
      seen[name].push(texData.get(features.dataId).isPacked === true);
      return kernelFunc(args);
    };
    return () => {
      config.kernelFunc = kernelFunc;
    };
  });
  try {
    body();
  } finally {
    restores.forEach(restore => restore());
  }
  return seen;
}

/** WebGL only. */
export const webglCases: TestCase[] = [
  {
    name: 'a tf.losses training step on unpacked logits packs them once for both loss-only kernels (WebGL 2 with packing), and its gradient is the op\'s',
    async run(context) {
      const {tf, op, loss} = context;
      const packs = tf.env().getNumber('WEBGL_VERSION') === 2 &&
          tf.env().getBool('WEBGL_PACK');
      const random = new Random(67);
      const [batch, numClasses] = [6, 1001];
      const features = tf.tensor2d(
          context.storable(random.logits(batch * numClasses, 3)),
          [batch, numClasses]);
      const labels = tf.tensor1d(random.labels(
          batch, Math.min(numClasses, context.maxExactLabel + 1)), 'int32');
      const before = tf.memory().numTensors;
      let viaLoss: Tensor|undefined;
      const seen = featureLayoutsSeen(tf, () => {
        viaLoss = tf.grad((x: Tensor) => tf.mean(
            loss(labels, x, undefined, 0, tf.Reduction.NONE)))(features);
      });
      expectEqual(JSON.stringify(seen), JSON.stringify(Object.fromEntries(
          LOSS_KERNELS.map(name => [name, [packs]]))),
      'whether each loss-only kernel read packed features');
      expectEqual(tf.memory().numTensors - before, 1,
          'tensors left by the step besides its gradient');
      const viaOp =
          tf.grad((x: Tensor) => tf.mean(op(x, labels).loss))(features);
      expectClose(await (viaLoss as Tensor).data(), await viaOp.data(),
          context.rtol, context.atol, 'tf.losses gradient vs the op\'s');
      tf.dispose([features, labels, viaLoss as Tensor, viaOp]);
    },
  },
];
