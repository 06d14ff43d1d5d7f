/**
 * The loss-only kernel pair's attributes (`SparseSoftmaxCrossEntropyLossAttrs`)
 * run directly, as the losses run them: `softcap` in the forward kernel's
 * row results and loss and in the gradient kernel's `dFeatures`, against a
 * float64 reference of the capped row; `predictions` as each row's first
 * argmax of the logits as read, against the reference and `tf.argMax`.
 * And on `cpu` and `wasm` the forward kernel's internal `softcap`
 * (`SparseSoftmaxCrossEntropyWithLogitsAttrs`): loss, log-sum-exp and
 * `backprop` through the cap against the same reference.
 * Widths cross the SIMD lanes' and the GPU reductions' boundaries.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type {Tensor} from '@tensorflow/tfjs';

import {SparseSoftmaxCrossEntropyLoss, SparseSoftmaxCrossEntropyLossAttrs, SparseSoftmaxCrossEntropyLossGrad, SparseSoftmaxCrossEntropyWithLogits, SparseSoftmaxCrossEntropyWithLogitsAttrs} from '../../src/kernel_names';

import {expectClose, expectEqual} from './assert';
import {CaseContext, TestCase} from './case';
import {expectNoLeak} from './memory';
import {Random} from './random';

const WIDTHS = [1, 7, 37, 1001, 4099];

/** tfjs's type for kernel attributes (`NamedAttrMap`, not exported). */
type AttrMap = Parameters<ReturnType<typeof tfjs.engine>['runKernel']>[2];


interface CappedRows {
  rowMax: Float64Array;
  logSumExp: Float64Array;
  loss: Float64Array;
  dFeatures: Float64Array;
  predicted: Int32Array;
}

/**
 * Per row of `x` capped to `c tanh(x / c)` (no cap without `softcap`): the
 * kernel's outputs in float64, and `dFeatures` for upstream `dLoss` and
 * `dLogSumExp`.
 */
function cappedRowsReference(
    logits: Float32Array, labels: Int32Array, numClasses: number,
    dLoss: Float32Array, dLogSumExp: Float32Array,
    softcap?: number): CappedRows {
  const batch = labels.length;
  const out: CappedRows = {
    rowMax: new Float64Array(batch),
    logSumExp: new Float64Array(batch),
    loss: new Float64Array(batch),
    dFeatures: new Float64Array(batch * numClasses),
    predicted: new Int32Array(batch),
  };
  const cap = (x: number) =>
      softcap == null ? x : softcap * Math.tanh(x / softcap);
  const slope = (x: number) =>
      softcap == null ? 1 : 1 - Math.tanh(x / softcap) ** 2;
  for (let row = 0; row < batch; row++) {
    const x = Array.from(logits.subarray(row * numClasses,
        (row + 1) * numClasses), cap);
    let argmax = 0;
    for (let j = 1; j < numClasses; j++) {
      argmax = x[j] > x[argmax] ? j : argmax;
    }
    const max = x[argmax];
    const shifted = Math.log(x.reduce((sum, v) => sum + Math.exp(v - max), 0));
    const label = labels[row];
    out.rowMax[row] = max;
    out.logSumExp[row] = shifted;
    out.loss[row] = max + shifted - x[label];
    out.predicted[row] = argmax;
    for (let j = 0; j < numClasses; j++) {
      const p = Math.exp(x[j] - max - shifted);
      out.dFeatures[row * numClasses + j] =
          ((dLoss[row] + dLogSumExp[row]) * p -
           (j === label ? dLoss[row] : 0)) *
          slope(logits[row * numClasses + j]);
    }
  }
  return out;
}

function runLossKernel(
    {tf}: CaseContext, features: Tensor, labels: Tensor,
    attrs: SparseSoftmaxCrossEntropyLossAttrs): Tensor[] {
  return tf.engine().runKernel(SparseSoftmaxCrossEntropyLoss,
      {features, labels}, attrs as AttrMap) as Tensor[];
}

function maxAbs(values: ArrayLike<number>): number {
  let largest = 0;
  for (let i = 0; i < values.length; i++) {
    largest = Math.max(largest, Math.abs(values[i]));
  }
  return largest;
}

/**
 * Loss and row results: 1e-6 relative on the 32-bit CPU backends, 1e-5 on
 * the GPU ones (the bars), the lane's own on 16-bit textures; the
 * absolute floor scaled by the row's magnitude, which float32 rounds at.
 */
function rowTolerance(context: CaseContext): number {
  if (context.floatPrecision === 16) {
    return context.rtol;
  }
  return ['cpu', 'wasm', 'tensorflow'].includes(context.backend) ? 1e-6 :
                                                                   1e-5;
}

/**
 * `tf.argMax` over the last axis of `logits` capped with `softcap`. On the
 * `webgpu` backend it runs on `cpu`: tfjs-backend-webgpu 4.22's argMax does
 * not always return the first of equal maxima (on the webgpu lane it
 * returned a later one), which is what `predicted` must equal.
 */
export async function tfArgMax(
    {tf, backend}: CaseContext, logits: Tensor,
    softcap?: number): Promise<number[]> {
  const argMax = (x: Tensor) => tf.tidy(() => tf.argMax(softcap == null ?
      x : tf.mul(tf.tanh(tf.div(x, softcap)), softcap), -1));
  if (backend !== 'webgpu') {
    const result = argMax(logits);
    const values = Array.from(await result.data());
    result.dispose();
    return values;
  }
  const values = await logits.data();
  await tf.setBackend('cpu');
  try {
    return tf.tidy(() =>
        Array.from(argMax(tf.tensor(values, logits.shape)).dataSync()));
  } finally {
    await tf.setBackend(backend);
  }
}

/** Logits with exact ties: every row's maximum is written at two places. */
function tiedLogits(
    random: Random, batch: number, numClasses: number, scale: number,
    context: CaseContext): Float32Array {
  const logits = context.storable(random.logits(batch * numClasses, scale));
  for (let row = 0; row < batch && numClasses > 1; row++) {
    const offset = row * numClasses;
    const first = random.int(numClasses - 1);
    const second = first + 1 + random.int(numClasses - 1 - first);
    const top = context.storable([scale * 1.5 + row])[0];
    logits[offset + first] = top;
    logits[offset + second] = top;
  }
  return logits;
}

export const lossKernelOptionCases: TestCase[] = [
  {
    name: 'loss-only kernels with softcap: rowMax, logSumExp and loss of the ' +
        'capped row, and dFeatures with the cap\'s slope, equal a float64 ' +
        'reference at logits up to +-1e4, widths across SIMD and reduction ' +
        'boundaries; nothing leaked',
    async run(context) {
      const {tf} = context;
      const rtol = rowTolerance(context);
      for (const numClasses of WIDTHS) {
        for (const [scale, softcap] of [[3, 5], [100, 30], [1e4, 30],
                                        [1e4, 0.5]]) {
          const random = new Random(numClasses * 7 + scale + softcap);
          const batch = 5;
          const logitValues =
              context.storable(random.logits(batch * numClasses, scale));
          // 16-bit textures hold labels exactly only up to maxExactLabel.
          const labelValues = random.labels(
              batch, Math.min(numClasses, context.maxExactLabel + 1));
          const dLossValues = Float32Array.from(random.logits(batch, 2));
          const dLseValues = Float32Array.from(random.logits(batch, 2));
          const what = `[${batch}, ${numClasses}] scale ${scale} ` +
              `softcap ${softcap}`;
          const expected = cappedRowsReference(logitValues, labelValues,
              numClasses, dLossValues, dLseValues, softcap);
          const features = tf.tensor2d(logitValues, [batch, numClasses]);
          const labels = tf.tensor1d(labelValues, 'int32');
          const dLoss = tf.tensor1d(dLossValues);
          const dLogSumExp = tf.tensor2d(dLseValues, [batch, 1]);
          await expectNoLeak(tf, what, async () => {
            const [loss, rowMax, logSumExp] =
                runLossKernel(context, features, labels, {softcap});
            const dFeatures = tf.engine().runKernel(
                SparseSoftmaxCrossEntropyLossGrad,
                {features, labels, rowMax, logSumExp, dLoss, dLogSumExp},
                {softcap} as AttrMap) as Tensor;
            const maxRow = maxAbs(expected.rowMax);
            expectClose(await rowMax.data(), expected.rowMax, rtol,
                rtol * maxRow, `${what}: rowMax`);
            expectClose(await logSumExp.data(), expected.logSumExp, rtol,
                rtol * Math.max(1, maxRow), `${what}: logSumExp`);
            expectClose(await loss.data(), expected.loss, rtol,
                rtol * Math.max(1, maxRow), `${what}: loss`);
            // Near saturation float32 resolves `1 - tanh^2` only to a few
            // 2^-24 (tanh's spacing below 1): a floor of 4 such steps times
            // the upstream gradient's size.
            const slopeFloor = 4 * 2 ** -22 *
                (maxAbs(dLossValues) + maxAbs(dLseValues));
            expectClose(await dFeatures.data(), expected.dFeatures,
                5 * context.rtol,
                5 * context.rtol * maxAbs(expected.dFeatures) + slopeFloor,
                `${what}: dFeatures`);
            tf.dispose([loss, rowMax, logSumExp, dFeatures]);
          });
          tf.dispose([features, labels, dLoss, dLogSumExp]);
        }
      }
    },
  },
  {
    name: 'forward kernel with softcap (cpu and wasm, the backends whose ' +
        'loss step gives it; elsewhere not run): loss and logSumExp of the ' +
        'capped row and backprop = d loss / d x through the cap equal a ' +
        'float64 reference at logits up to +-1e4, on cpu both under and ' +
        'over the copied row passes\' 16384 logits; nothing leaked',
    async run(context) {
      const {tf} = context;
      if (!['cpu', 'wasm'].includes(context.backend)) {
        return;
      }
      const rtol = rowTolerance(context);
      for (const numClasses of WIDTHS) {
        for (const [scale, softcap] of [[3, 5], [100, 30], [1e4, 30],
                                        [1e4, 0.5]]) {
          const random = new Random(numClasses * 5 + scale + softcap);
          const batch = 5;
          const logitValues =
              context.storable(random.logits(batch * numClasses, scale));
          const labelValues = random.labels(batch, numClasses);
          const what = `[${batch}, ${numClasses}] scale ${scale} ` +
              `softcap ${softcap}`;
          const ones = new Float32Array(batch).fill(1);
          const expected = cappedRowsReference(logitValues, labelValues,
              numClasses, ones, new Float32Array(batch), softcap);
          const features = tf.tensor2d(logitValues, [batch, numClasses]);
          const labels = tf.tensor1d(labelValues, 'int32');
          await expectNoLeak(tf, what, async () => {
            const attrs: SparseSoftmaxCrossEntropyWithLogitsAttrs =
                {softcap, logSumExp: true};
            const [loss, backprop, logSumExp] = tf.engine().runKernel(
                SparseSoftmaxCrossEntropyWithLogits, {features, labels},
                attrs as AttrMap) as Tensor[];
            const maxRow = maxAbs(expected.rowMax);
            expectClose(await loss.data(), expected.loss, rtol,
                rtol * Math.max(1, maxRow), `${what}: loss`);
            expectClose(await logSumExp.data(),
                expected.rowMax.map((max, row) =>
                  max + expected.logSumExp[row]),
                rtol, rtol * Math.max(1, maxRow), `${what}: logSumExp`);
            // The slope's floor as in the loss-only gradient above.
            expectClose(await backprop.data(), expected.dFeatures,
                5 * context.rtol,
                5 * context.rtol * maxAbs(expected.dFeatures) + 4 * 2 ** -22,
                `${what}: backprop`);
            tf.dispose([loss, backprop, logSumExp]);
          });
          tf.dispose([features, labels]);
        }
      }
    },
  },
  {
    name: 'loss-only kernel with predictions: a fourth int32 output, each ' +
        'row\'s first argmax of the logits as read (capped with softcap), ' +
        'equal to tf.argMax, ties included; the other outputs as without it',
    async run(context) {
      const {tf} = context;
      const rtol = rowTolerance(context);
      // 16-bit textures hold indices exactly only up to maxExactLabel.
      const widths = [...WIDTHS, context.floatPrecision === 16 ? 2048 : 40000]
          .filter(width => width <= context.maxExactLabel + 1);
      for (const numClasses of widths) {
        for (const softcap of [undefined, 30]) {
          const random = new Random(numClasses * 3 + (softcap ?? 0));
          const batch = 6;
          // Ties of raw values; with the cap, also ties of saturated values:
          // beyond `|x| > 40 c` tanh is exactly 1 in float32 and float64,
          // so 1e3 and 2e3 both read as 30, the first of them the argmax.
          const logitValues = tiedLogits(random, batch, numClasses,
              softcap == null ? 4 : 2 * softcap, context);
          if (softcap != null && numClasses > 3) {
            for (const row of [1, 4]) {
              const at = row * numClasses + (row === 1 ? 0 : numClasses - 3);
              logitValues[at] = 1e3;
              logitValues[at + 2] = 2e3;
            }
          }
          const labelValues = random.labels(batch, numClasses);
          const what = `[${batch}, ${numClasses}] softcap ${softcap}`;
          const zeros = new Float32Array(batch);
          const expected = cappedRowsReference(logitValues, labelValues,
              numClasses, zeros, zeros, softcap);
          const features = tf.tensor2d(logitValues, [batch, numClasses]);
          const labels = tf.tensor1d(labelValues, 'int32');
          await expectNoLeak(tf, what, async () => {
            const withPredictions = runLossKernel(
                context, features, labels, {softcap, predictions: true});
            const without = runLossKernel(context, features, labels, {softcap});
            expectEqual(withPredictions.length, 4, `${what}: outputs`);
            expectEqual(without.length, 3, `${what}: outputs without`);
            const predicted = withPredictions[3];
            expectEqual(predicted.dtype, 'int32', `${what}: predicted dtype`);
            expectEqual(predicted.shape, [batch], `${what}: predicted shape`);
            const predictedValues = Array.from(await predicted.data());
            expectEqual(predictedValues, Array.from(expected.predicted),
                `${what}: predicted against the float64 reference`);
            expectEqual(predictedValues,
                await tfArgMax(context, features, softcap),
                `${what}: predicted against tf.argMax`);
            for (let output = 0; output < 3; output++) {
              const scale = maxAbs(await without[output].data());
              expectClose(await withPredictions[output].data(),
                  await without[output].data(), rtol, rtol * scale,
                  `${what}: output ${output} with predictions`);
            }
            tf.dispose([...withPredictions, ...without]);
          });
          tf.dispose([features, labels]);
        }
      }
    },
  },
];
