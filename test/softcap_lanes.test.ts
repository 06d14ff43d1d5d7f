/**
 * The row passes' soft cap and predictions (src/kernels/row_passes/assembly/
 * row_passes.ts), in both binaries, against float64:
 * - the capped logit `cap * tanh(x / cap)` (`softcapLanes` in the SIMD
 *   binary, `tanhScalar` in float64 in the scalar one), read back as
 *   `rowMax` of rows of four equal logits, and the cap's derivative
 *   `1 - tanh(x / cap)^2`, read back from `lossGrad` with `rowMax` the
 *   capped logit, `logSumExp = dLoss = 0` and `dLogSumExp = 1` (so every
 *   entry is `exp(0)` times the derivative), within the bounds the source
 *   states (`BOUNDS`), over magnitudes from 1e-30 to 1e30 of both signs;
 * - `predicted`, each row's first argmax (ties to the smallest index, as
 *   `tf.argMax`) wherever the maximum lies: in a SIMD lane, across lanes,
 *   across the 512-logit blocks, in the row's tail (capped: equal logits
 *   in a lane and in the tail read equal), in a row all -Infinity (0),
 *   capped and uncapped;
 * - the forward pass with `softcap` (`cappedBackpropRow`): loss,
 *   log-sum-exp and `backprop` = d loss / d x through the cap against
 *   float64, rows crossing the lanes, the 512-logit blocks and the tail.
 */
import {scalarHex, simdHex} from '../src/kernels/row_passes/row_passes_binary';

import {expectClose} from './catalogue/assert';
import {Random} from './catalogue/random';

const BINARIES = [['simd', simdHex], ['scalar', scalarHex]] as const;

interface Passes {
  memory: WebAssembly.Memory;
  forward: CallableFunction;
  lossForward: CallableFunction;
  lossGrad: CallableFunction;
  constants: number;
}

/** A binary on a memory of `bytes`, its constants at the end. */
function passesOn(hex: string, bytes: number): Passes {
  const memory = new WebAssembly.Memory(
      {initial: Math.ceil((bytes + 8192) / 65536)});
  const exports = new WebAssembly.Instance(
      new WebAssembly.Module(Buffer.from(hex, 'hex')),
      {env: {memory}, Math: {log: Math.log}}).exports as
      {[name: string]: CallableFunction};
  const constants = Math.ceil(bytes / 64) * 64;
  exports.writeExpConstants(constants);
  return {memory, forward: exports.forward, lossForward: exports.lossForward,
    lossGrad: exports.lossGrad, constants};
}

/** Float32's ulp at `value` (normal range). */
function ulp(value: number): number {
  return 2 ** (Math.floor(Math.log2(Math.abs(Math.fround(value)))) - 23);
}

/** One logit per row, magnitudes 1e-30 to 1e30 and both signs, and the specials. */
function logitsToCap(): Float32Array {
  const values: number[] = [0, -0, Infinity, -Infinity];
  for (let i = 0; i <= 60000; i++) {
    const magnitude = Math.fround(10 ** (-30 + 60 * i / 60000));
    values.push(magnitude, -magnitude);
  }
  return Float32Array.from(values);
}

/**
 * The bounds the source states: the capped value, in float32 ulps of the
 * exact value, the SIMD lanes' five roundings (1 / cap, x / cap, 2 + expm1,
 * the division, the product with cap); the derivative, in the SIMD binary
 * `(1 - t)(1 + t)` from `t = capped / cap` (as TensorFlow's TanhGrad): 2
 * ulps plus 2^-21 absolute (t's error times 2|t|, where 1 - t^2 cancels);
 * the scalar binary's float64 within its rounding, plus 2^-124 where
 * exp(-2|y|) underflows.
 */
const BOUNDS = {
  simd: {cap: 5, derivative: 2, derivativeAbsolute: 2 ** -21},
  scalar: {cap: 0.51, derivative: 0.51, derivativeAbsolute: 2 ** -124},
};

describe.each(BINARIES)('the %s binary', (variant, hex) => {
  it('caps within its bound of float64\'s cap * tanh(x / cap), and so ' +
     'is the derivative 1 - tanh(x / cap)^2', () => {
    const xs = logitsToCap();
    const batch = xs.length;
    const numClasses = 4;
    const size = batch * numClasses;
    // logits, dFeatures, then rows: labels, loss, rowMax, logSumExp, zeros, ones.
    const logitsAt = 0;
    const outAt = 4 * size;
    const rows = [0, 1, 2, 3, 4, 5].map(i => 8 * size + 4 * batch * i);
    const [labelsAt, lossAt, rowMaxAt, logSumExpAt, zerosAt, onesAt] = rows;
    const passes = passesOn(hex, 8 * size + 24 * batch);
    const {memory} = passes;
    const logits = new Float32Array(memory.buffer, logitsAt, size);
    xs.forEach((x, row) => logits.fill(x, 4 * row, 4 * row + 4));
    new Float32Array(memory.buffer, onesAt, batch).fill(1);
    for (const cap of [30, 1, 0.0625]) {
      passes.lossForward(logitsAt, labelsAt, lossAt, rowMaxAt, logSumExpAt,
          batch, numClasses, passes.constants, 0, cap);
      const capped = new Float32Array(memory.buffer, rowMaxAt, batch);
      // The derivative: rowMax = the capped logit, logSumExp 0.
      passes.lossGrad(logitsAt, labelsAt, rowMaxAt, zerosAt, zerosAt, onesAt,
          outAt, batch, numClasses, passes.constants, cap);
      const derivatives = new Float32Array(memory.buffer, outAt, size);
      const bound = BOUNDS[variant];
      let worstCap = {excess: -Infinity, ulps: 0, x: 0};
      let worstDerivative = {excess: -Infinity, ulps: 0, x: 0};
      xs.forEach((x, row) => {
        const y = x / cap;
        const exact = cap * Math.tanh(y);
        const capUlps = exact === 0 ? Math.abs(capped[row]) / 2 ** -149 :
            Math.abs(capped[row] - exact) / ulp(exact);
        if (!(capUlps - bound.cap <= worstCap.excess)) {
          worstCap = {excess: capUlps - bound.cap, ulps: capUlps, x};
        }
        // Column 1 (column 0 is the label's, computed in float64).
        const exactDerivative = 1 / Math.cosh(y) ** 2;
        const error = Math.max(0,
            Math.abs(derivatives[4 * row + 1] - exactDerivative) -
            bound.derivativeAbsolute);
        const derivativeUlps = error === 0 ? 0 : error / ulp(exactDerivative);
        const excess = derivativeUlps - bound.derivative;
        if (!(excess <= worstDerivative.excess)) {
          worstDerivative = {excess, ulps: derivativeUlps, x};
        }
      });
      expect({cap, worstCap, worstDerivative,
        within: worstCap.excess <= 0 && worstDerivative.excess <= 0})
          .toEqual({cap, worstCap, worstDerivative, within: true});
    }
  });
});

/** tf.argMax's rule: the first index of the largest value. */
function firstArgMax(values: ArrayLike<number>): number {
  let best = 0;
  for (let j = 1; j < values.length; j++) {
    if (values[j] > values[best]) best = j;
  }
  return best;
}

/** Deterministic values in [-0.5, 0.5). */
function noise(seed: number): number {
  return Math.fround(((seed * 2654435761) >>> 0) / 2 ** 32 - 0.5);
}

interface ArgMaxRow {
  logits: Float32Array;
  /** The first argmax of the values as the kernel reads them. */
  expected: number;
  what: string;
}

/**
 * Rows whose maximum is planted once or several times (ties) at positions
 * in the first lane, across lanes, in later 512-logit blocks and in the
 * scalar tail. Capped (cap 1), the planted values are distinct and at
 * least 1e3, all read as exactly 1 (tanh is 1 in float32 there), the rest
 * below 0.5: the first planted wins, whichever is largest uncapped.
 */
function argMaxRows(capped: boolean): ArgMaxRow[] {
  const rows: ArgMaxRow[] = [];
  const plantings: Array<[number, number[]]> = [
    [4, [0]], [4, [3]], [4, [1, 2]], [7, [5]], [7, [2, 6]], [16, [9, 13]],
    [37, [36]], [37, [4, 8, 36]], [515, [514]], [515, [3, 513]],
    [1030, [600, 601, 1029]], [1030, [1027, 515]], [1539, [1538, 1536]],
    [1539, [1200, 100, 700]], [2048, [2047, 1024, 512]],
  ];
  plantings.forEach(([numClasses, positions], r) => {
    const logits = Float32Array.from({length: numClasses},
        (_, j) => noise(r * 10007 + j));
    positions.forEach((at, i) => {
      // Uncapped: equal values, a tie. Capped: distinct, the last largest.
      logits[at] = capped ? 1e3 * (i + 1) : 7;
    });
    rows.push({logits, expected: Math.min(...positions),
      what: `${numClasses} classes, maximum at ${positions}`});
  });
  if (capped) {
    // Equal values below saturation, one in a SIMD lane and one in the
    // row's tail: they must read equal (the same tanh for both).
    for (const numClasses of [7, 519]) {
      const logits = Float32Array.from({length: numClasses},
          (_, j) => noise(numClasses + j));
      logits[1] = logits[numClasses - 1] = 0.9;
      rows.push({logits, expected: 1,
        what: `${numClasses} classes, 0.9 at 1 and in the tail`});
    }
  }
  rows.push({logits: new Float32Array(9).fill(-Infinity), expected: 0,
    what: 'all -Infinity'});
  const oneFinite = new Float32Array(21).fill(-Infinity);
  oneFinite[17] = -3;
  rows.push({logits: oneFinite, expected: 17, what: 'one finite'});
  if (!capped) {
    rows.push({logits: Float32Array.from({length: 600}, (_, j) => noise(j)),
      what: 'no ties', expected: -1});
    const last = rows[rows.length - 1];
    last.expected = firstArgMax(last.logits);
  }
  return rows;
}

describe.each(BINARIES)('the %s binary\'s predictions', (_, hex) => {
  it.each([[false], [true]])(
      'are each row\'s first argmax of the logits as read (capped: %s), ' +
      'ties to the smallest index', (capped) => {
        for (const {logits, expected, what} of argMaxRows(capped)) {
          const numClasses = logits.length;
          const labelsAt = 4 * numClasses;
          const rowsAt = labelsAt + 16;
          const predictedAt = rowsAt + 48;
          const passes = passesOn(hex, predictedAt + 16);
          new Float32Array(passes.memory.buffer, 0, numClasses).set(logits);
          passes.lossForward(0, labelsAt, rowsAt, rowsAt + 16, rowsAt + 32, 1,
              numClasses, passes.constants, predictedAt, capped ? 1 : 0);
          const predicted =
              new Int32Array(passes.memory.buffer, predictedAt, 1)[0];
          expect({what, predicted}).toEqual({what, predicted: expected});
        }
      });
});

describe.each(BINARIES)('the %s binary\'s forward with softcap', (_, hex) => {
  it('writes the capped row\'s loss and log-sum-exp, and backprop = ' +
     '(softmax(c) - onehot) (1 - t^2), against float64', () => {
    for (const numClasses of [1, 3, 7, 37, 515, 1030, 4099]) {
      for (const [scale, cap] of [[3, 5], [100, 30], [1e4, 30], [1e4, 0.5]]) {
        const batch = 4;
        const size = batch * numClasses;
        const random = new Random(numClasses + scale + cap);
        const logits = random.logits(size, scale);
        // Specials: a row's first logit +Infinity, another row's -Infinity.
        logits[0] = Infinity;
        if (batch > 1) logits[numClasses] = -Infinity;
        const labels = random.labels(batch, numClasses);
        const [labelsAt, lossAt, lseAt, backpropAt] =
            [4 * size, 4 * size + 16 * batch, 4 * size + 32 * batch,
              4 * size + 48 * batch];
        const passes = passesOn(hex, backpropAt + 4 * size);
        const {memory} = passes;
        new Float32Array(memory.buffer, 0, size).set(logits);
        new Int32Array(memory.buffer, labelsAt, batch).set(labels);
        passes.forward(0, labelsAt, lossAt, backpropAt, batch, numClasses,
            passes.constants, lseAt, cap);
        const expected = {loss: new Float64Array(batch),
          lse: new Float64Array(batch), backprop: new Float64Array(size)};
        for (let row = 0; row < batch; row++) {
          const x = logits.subarray(row * numClasses, (row + 1) * numClasses);
          const c = Array.from(x, v => cap * Math.tanh(v / cap));
          const max = Math.max(...c);
          const lse = max + Math.log(c.reduce((sum, v) =>
            sum + Math.exp(v - max), 0));
          expected.lse[row] = lse;
          expected.loss[row] = lse - c[labels[row]];
          c.forEach((v, j) => {
            expected.backprop[row * numClasses + j] =
                (Math.exp(v - lse) - (j === labels[row] ? 1 : 0)) /
                Math.cosh(x[j] / cap) ** 2;
          });
        }
        const what = `[${batch}, ${numClasses}] scale ${scale} cap ${cap}`;
        const read = (at: number, length: number) =>
          new Float32Array(memory.buffer, at, length);
        expectClose(read(lossAt, batch), expected.loss, 1e-6, 1e-6 * cap,
            `${what}: loss`);
        expectClose(read(lseAt, batch), expected.lse, 1e-6, 1e-6 * cap,
            `${what}: logSumExp`);
        // The derivative's floor as in the catalogue (4 steps of 2^-22).
        expectClose(read(backpropAt, size), expected.backprop, 1e-5,
            4 * 2 ** -22, `${what}: backprop`);
      }
    }
  });
});
