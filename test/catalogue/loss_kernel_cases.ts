/**
 * The loss-only kernel pair (`SparseSoftmaxCrossEntropyLoss` and its
 * gradient kernel), reached as users reach it: through the package's loss
 * with `Reduction.NONE`, whose value and gradient must equal the op's
 * `loss` output and its gradient; and the op under a gradient tape, which
 * records the forward kernel's outputs as two tape nodes
 * (`recorded_outputs.ts`).
 */
import type {Tensor} from '@tensorflow/tfjs';

import {expectClose, expectEqual} from './assert';
import {CaseContext, TestCase} from './case';
import {expectNoLeak} from './memory';
import {Random} from './random';
import {reference, referenceGradient, referenceHessianVectorProduct} from './reference';

/**
 * One training step, `tf.valueAndGrad` of `tf.mean(perExampleLoss(x))` on
 * `[64, 500]` logits: its peak bytes (above the bytes in use before) must
 * stay within `logitCopies` times the logits' bytes plus per-row vectors,
 * and it must leak nothing.
 */
async function expectTrainingStepPeak(
    context: CaseContext, seed: number,
    perExampleLoss: (x: Tensor, labels: Tensor) => Tensor,
    logitCopies: number): Promise<void> {
  const {tf} = context;
  const random = new Random(seed);
  const [batch, numClasses] = [64, 500];
  const logits = tf.tensor2d(
      context.storable(random.logits(batch * numClasses, 3)),
      [batch, numClasses]);
  const labels = tf.tensor1d(random.labels(batch, numClasses), 'int32');
  const step = tf.valueAndGrad(
      (x: Tensor) => tf.mean(perExampleLoss(x, labels)));
  const before = tf.memory().numBytes;
  const profile = await tf.profile(() => {
    const {value, grad} = step(logits);
    return [value, grad];
  });
  tf.dispose(profile.result as Tensor[]);
  const peak = profile.peakBytes - before;
  const logitBytes = 4 * batch * numClasses;
  expectEqual(peak <= logitCopies * logitBytes + 64 * batch, true,
      `peak ${peak} bytes, ${(peak / logitBytes).toFixed(2)} x the logits`);
  await expectNoLeak(tf, 'training step', async () => {
    const {value, grad} = step(logits);
    await grad.data();
    tf.dispose([value, grad]);
  });
  tf.dispose([logits, labels]);
}

/** The per-example loss through the loss-only kernel. */
function perExample(
    {tf, loss}: CaseContext, logits: Tensor, labels: Tensor): Tensor {
  return loss(labels, logits, undefined, 0, tf.Reduction.NONE);
}

/**
 * Rows in several regimes: small logits, a spread of +-1e4 around a large
 * offset (where `exp(x - rowMax - logSumExp)` must take `x - rowMax` first),
 * and a dominant logit.
 */
function mixedRows(
    random: Random, batch: number, numClasses: number,
    context: CaseContext): Float32Array {
  const values = random.logits(batch * numClasses, 3);
  for (let row = 0; row < batch; row++) {
    const offset = row * numClasses;
    if (row % 3 === 1) {
      const base = context.floatPrecision === 16 ? 2000 : 1e4;
      for (let j = 0; j < numClasses; j++) {
        values[offset + j] = base + (values[offset + j] > 0 ? 4 : -4);
      }
    } else if (row % 3 === 2) {
      values[offset + random.int(numClasses)] += 30;
    }
  }
  return context.storable(values);
}

export const lossKernelCases: TestCase[] = [
  {
    name: 'loss-only kernel: per-example loss matches the float64 reference',
    async run(context) {
      const {tf, rtol, atol} = context;
      const random = new Random(41);
      for (const [batch, numClasses] of [[7, 5], [3, 1], [2, 3000], [0, 4]]) {
        const features = mixedRows(random, batch, numClasses, context);
        const labels = random.labels(batch, numClasses);
        const [logitTensor, labelTensor] = [
          tf.tensor2d(features, [batch, numClasses]),
          tf.tensor1d(labels, 'int32'),
        ];
        const loss = perExample(context, logitTensor, labelTensor);
        expectEqual(loss.shape, [batch], `[${batch}, ${numClasses}] shape`);
        expectClose(await loss.data(),
            reference(features, labels, numClasses).loss, rtol, atol,
            `[${batch}, ${numClasses}] loss`);
        tf.dispose([logitTensor, labelTensor, loss]);
      }
    },
  },
  {
    name: 'loss-only kernel: a NaN logit or an all -Infinity row poisons only its row',
    async run(context) {
      const {tf, rtol, atol, floatPrecision} = context;
      const rows = [[1, 2, 3], [0, NaN, 1], [-2, 0, 2]];
      // 16-bit textures turn -Infinity into NaN (see CaseContext.storable).
      if (floatPrecision === 32) {
        rows.push([-Infinity, -Infinity, -Infinity]);
      }
      const labels = rows.map((_, row) => row % 3);
      const logits = tf.tensor2d(rows);
      const labelTensor = tf.tensor1d(labels, 'int32');
      const loss = await perExample(context, logits, labelTensor).data();
      const gradient = await tf.grad((x: Tensor) =>
          tf.sum(perExample(context, x, labelTensor)))(logits).data();
      const expected = reference(rows.flat(), labels, 3);
      expectClose(loss, expected.loss, rtol, atol, 'loss');
      for (let row = 0; row < rows.length; row++) {
        const gradientRow = Array.from(gradient.slice(3 * row, 3 * row + 3));
        expectEqual(gradientRow.every(Number.isNaN), row % 2 === 1,
            `gradient row ${row} NaN: ${gradientRow}`);
      }
      tf.dispose([logits, labelTensor]);
    },
  },
  {
    name: 'loss-only kernel: gradient matches the closed form and the op',
    async run(context) {
      const {tf, op, rtol, atol} = context;
      const random = new Random(42);
      const [batch, numClasses] = [9, 11];
      const features = mixedRows(random, batch, numClasses, context);
      const labels = random.labels(batch, numClasses);
      const dLoss = random.logits(batch, 1);
      const [logits, labelTensor, weights] = [
        tf.tensor2d(features, [batch, numClasses]),
        tf.tensor1d(labels, 'int32'), tf.tensor1d(dLoss),
      ];
      const [viaLoss, viaOp] = [
        (x: Tensor) => perExample(context, x, labelTensor),
        (x: Tensor) => op(x, labelTensor).loss,
      ].map(f => tf.grad((x: Tensor) => tf.sum(tf.mul(f(x), weights)))(logits));
      const expected = referenceGradient(
          reference(features, labels, numClasses), dLoss,
          new Float64Array(batch * numClasses), numClasses);
      expectClose(await viaLoss.data(), expected, rtol, atol, 'dFeatures');
      expectClose(await viaLoss.data(), await viaOp.data(), rtol, atol,
          'loss-only vs op gradient');
      tf.dispose([logits, labelTensor, weights, viaLoss, viaOp]);
    },
  },
  {
    name: 'loss-only kernel: second-order gradient is the Hessian-vector product',
    async run(context) {
      const {tf, rtol, atol} = context;
      const random = new Random(43);
      const [batch, numClasses] = [4, 6];
      const features = context.storable(random.logits(batch * numClasses, 3));
      const labels = random.labels(batch, numClasses);
      const v = random.logits(batch * numClasses, 1);
      const [labelTensor, vTensor] =
          [tf.tensor1d(labels, 'int32'), tf.tensor2d(v, [batch, numClasses])];
      const summedLoss = (x: Tensor) =>
          tf.sum(perExample(context, x, labelTensor));
      const hvp = tf.grad((x: Tensor) =>
          tf.sum(tf.mul(tf.grad(summedLoss)(x), vTensor)))(
          tf.tensor2d(features, [batch, numClasses]));
      const expected = referenceHessianVectorProduct(
          reference(features, labels, numClasses), v, numClasses);
      expectClose(await hvp.data(), expected, rtol, 10 * atol, 'Hv');
      tf.dispose([labelTensor, vTensor, hvp]);
    },
  },
  {
    name: 'loss-only kernel: a training step holds no [batch, numClasses] tensor but the gradient',
    async run(context) {
      // tfjs counts bytes per tensor: the saved features (a copy of the
      // caller's handle) and dFeatures, plus per-row vectors.
      await expectTrainingStepPeak(context, 44,
          (x, labels) => perExample(context, x, labels), 2);
    },
  },
  {
    name: 'op under a gradient tape: training on `loss` holds three [batch, numClasses] tensors, no zeros for `backprop`',
    async run(context) {
      // tfjs counts bytes per tensor: two saved copies of `backprop` (one
      // per tape node) with `backprop` in the forward pass, with dFeatures
      // in the backward; the forward kernel's node would add the zeros tfjs
      // makes as `backprop`'s gradient, saved features a copy each.
      await expectTrainingStepPeak(context, 45,
          (x, labels) => context.op(x, labels).loss, 3);
    },
  },
  {
    name: 'op under a gradient tape: outputs equal the forward kernel\'s, gradients of both outputs match the closed form',
    async run(context) {
      const {tf, op, rtol, atol} = context;
      const random = new Random(46);
      const [batch, numClasses] = [6, 7];
      const features = mixedRows(random, batch, numClasses, context);
      const labels = random.labels(batch, numClasses);
      const dLoss = random.logits(batch, 1);
      const dBackprop = random.logits(batch * numClasses, 1);
      const [logits, labelTensor, dLossTensor, dBackpropTensor] = [
        tf.tensor2d(features, [batch, numClasses]),
        tf.tensor1d(labels, 'int32'), tf.tensor1d(dLoss),
        tf.tensor2d(dBackprop, [batch, numClasses]),
      ];
      const untaped = op(logits, labelTensor);
      // Copies of the taped outputs, read once the gradient is done.
      let taped: Tensor[] = [];
      const gradient = tf.grad((x: Tensor) => {
        const {loss, backprop} = op(x, labelTensor);
        taped = [tf.keep(loss.clone()), tf.keep(backprop.clone())];
        return tf.add(tf.sum(tf.mul(loss, dLossTensor)),
            tf.sum(tf.mul(backprop, dBackpropTensor)));
      })(logits);
      expectClose(await taped[0].data(), await untaped.loss.data(), rtol, atol,
          'loss');
      expectClose(await taped[1].data(), await untaped.backprop.data(), rtol,
          atol, 'backprop');
      tf.dispose(taped);
      const expected = referenceGradient(
          reference(features, labels, numClasses), dLoss,
          Float64Array.from(dBackprop), numClasses);
      expectClose(await gradient.data(), expected, rtol, atol, 'dFeatures');
      tf.dispose([logits, labelTensor, dLossTensor, dBackpropTensor, untaped,
        gradient]);
    },
  },
  {
    name: 'logits in a packed texture (as WebGL\'s matMul and add write them) give the reference values and gradients',
    async run(context) {
      const {tf, op, backend, rtol, atol, floatPrecision, maxExactLabel} =
          context;
      const random = new Random(47);
      // 70001 classes take a merge pass, 300001 a second one (on WebGL).
      for (const [batch, numClasses] of [[5, 1001], [3, 70001], [2, 300001]]) {
        const features = mixedRows(random, batch, numClasses, context);
        if (floatPrecision === 32) {
          features[3] = -Infinity;                      // row 0: p = 0 there
          features[(batch - 1) * numClasses + 7] = NaN;  // last row: NaN
        }
        // 16-bit textures hold labels exactly only up to maxExactLabel.
        const labels =
            random.labels(batch, Math.min(numClasses, maxExactLabel + 1));
        const dLoss = random.logits(batch, 1);
        const raw = tf.tensor2d(features, [batch, numClasses]);
        const labelTensor = tf.tensor1d(labels, 'int32');
        const dLossTensor = tf.tensor1d(dLoss);
        // A packed binary op: on WebGL with packing on, its output is packed.
        const logits = tf.add(raw, tf.zerosLike(raw));
        if (backend === 'webgl' && tf.env().getBool('WEBGL_PACK') &&
            tf.env().getBool('WEBGL_PACK_BINARY_OPERATIONS')) {
          const texData = (tf.backend() as unknown as
              {texData: {get(id: object): {isPacked: boolean}}}).texData;
          expectEqual(texData.get(logits.dataId).isPacked, true,
              'the logits are packed');
        }
        const what = `[${batch}, ${numClasses}]`;
        const expected = reference(features, labels, numClasses);
        const {loss, backprop} = op(logits, labelTensor);
        expectClose(await loss.data(), expected.loss, rtol, atol, `${what} loss`);
        expectClose(await backprop.data(), expected.backprop, rtol, atol,
            `${what} backprop`);
        const expectedGradient = referenceGradient(expected, dLoss,
            new Float64Array(batch * numClasses), numClasses);
        const [viaLoss, viaOp] = [
          (x: Tensor) => perExample(context, x, labelTensor),
          (x: Tensor) => op(x, labelTensor).loss,
        ].map(f => tf.grad((x: Tensor) =>
          tf.sum(tf.mul(f(x), dLossTensor)))(logits));
        expectClose(await viaLoss.data(), expectedGradient, rtol, atol,
            `${what} loss-only gradient`);
        expectClose(await viaOp.data(), expectedGradient, rtol, atol,
            `${what} op gradient`);
        tf.dispose([raw, labelTensor, dLossTensor, logits, loss, backprop,
          viaLoss, viaOp]);
      }
    },
  },
  {
    name: 'logits whose texture tfjs laid out under another texture size limit give the reference values and gradients',
    async run(context) {
      const {tf, op, backend, rtol, atol} = context;
      const random = new Random(53);
      const [batch, numClasses] = [6, 1001];
      const features = mixedRows(random, batch, numClasses, context);
      const labels = random.labels(batch, numClasses);
      const raw = tf.tensor2d(features, [batch, numClasses]);
      const labelTensor = tf.tensor1d(labels, 'int32');
      // Packed on WebGL with packing on: a grid of 2x2 blocks 501 texels wide.
      const logits = tf.add(raw, tf.zerosLike(raw));
      const onWebgl = backend === 'webgl';
      const textureSizeLimit =
          onWebgl ? tf.env().getNumber('WEBGL_MAX_TEXTURE_SIZE') : 0;
      const results: Tensor[] = [];
      try {
        // New outputs are now squarified: the WebGL kernels must not sample
        // the logits at their outputs' texture coordinates.
        if (onWebgl) {
          tf.env().set('WEBGL_MAX_TEXTURE_SIZE', 256);
        }
        const {loss, backprop} = op(logits, labelTensor);
        const gradient =
            tf.grad((x: Tensor) => tf.sum(op(x, labelTensor).loss))(logits);
        const lossOnlyGradient = tf.grad((x: Tensor) =>
          tf.sum(perExample(context, x, labelTensor)))(logits);
        results.push(loss, backprop, gradient, lossOnlyGradient);
        if (onWebgl) {
          const texData = (tf.backend() as unknown as
              {texData: {get(id: object): {texShape: number[]}}}).texData;
          expectEqual(texData.get(backprop.dataId).texShape[1] !==
              texData.get(logits.dataId).texShape[1], true,
              'backprop laid out unlike the logits');
        }
        const expected = reference(features, labels, numClasses);
        const expectedGradient = referenceGradient(expected,
            new Float64Array(batch).fill(1),
            new Float64Array(batch * numClasses), numClasses);
        expectClose(await loss.data(), expected.loss, rtol, atol, 'loss');
        expectClose(await backprop.data(), expected.backprop, rtol, atol,
            'backprop');
        expectClose(await gradient.data(), expectedGradient, rtol, atol,
            'op gradient');
        expectClose(await lossOnlyGradient.data(), expectedGradient, rtol,
            atol, 'loss-only gradient');
        await expectNoLeak(tf, 'a training step read by coordinates', async () => {
          const {value, grad} = tf.valueAndGrad(
              (x: Tensor) => tf.mean(op(x, labelTensor).loss))(logits);
          await grad.data();
          tf.dispose([value, grad]);
        });
      } finally {
        if (onWebgl) {
          tf.env().set('WEBGL_MAX_TEXTURE_SIZE', textureSizeLimit);
        }
        tf.dispose([raw, labelTensor, logits, ...results]);
      }
    },
  },
  {
    name: 'loss-only kernel: an empty batch gives an empty loss and gradient',
    async run(context) {
      const {tf} = context;
      const logits = tf.zeros([0, 4]);
      const labels = tf.tensor1d([], 'int32');
      const loss = perExample(context, logits, labels);
      // tf.grad of a non-scalar: tfjs-backend-wasm 4.22 sums an empty tensor
      // to uninitialised memory, so no sum here.
      const grad = tf.grad((x: Tensor) => perExample(context, x, labels))(logits);
      expectEqual(loss.shape, [0], 'loss shape');
      expectEqual(grad.shape, [0, 4], 'gradient shape');
      expectEqual((await grad.data()).length, 0, 'gradient values');
      tf.dispose([logits, labels, loss, grad]);
    },
  },
];
