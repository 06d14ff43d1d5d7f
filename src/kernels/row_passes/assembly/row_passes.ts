// The row passes of the wasm kernels, in AssemblyScript, compiled by
// scripts/build_wasm.mjs into `../row_passes_binary.ts` three times: with
// 128-bit SIMD, without it (ASC_FEATURE_SIMD false: the scalar loops only),
// and with SIMD on a shared memory (tfjs's threaded build).
//
// The module runs on tfjs-backend-wasm's own memory (imported as
// `env.memory`): every pointer is a tensor's offset in that heap. It owns no
// memory (no data segments, no allocator, no stack; the build checks); the
// one block it uses besides tensors, its exp's constants, the JavaScript side
// allocates from the backend.
//
// The math is the cpu kernel's (SparseSoftmaxCrossEntropyWithLogits_impl.ts,
// SparseSoftmaxCrossEntropyLoss_impl.ts). Sums and dot products accumulate
// in float64 (the SIMD exp's sums in float32 over blocks of 256 logits
// first). The SIMD exp works in float32 lanes (within 1 ulp, see `expLanes`);
// the scalar one in float64 (correctly rounded but for 3e-10,
// as the cpu kernel's expFloat32).

// Host imports: log per row only, never per logit.
@external("Math", "log")
declare function log(x: f64): f64;

/** `exp` below this is under float32's smallest subnormal, above the next over its largest finite value. */
const MIN_EXP_INPUT: f64 = -104;
const MAX_EXP_INPUT: f64 = 89;
const LOG2_E: f64 = 1.4426950408889634;
const LN2: f64 = 0.6931471805599453;
const FLOAT64_EXPONENT_BIAS: i64 = 1023;
const FLOAT64_MANTISSA_BITS: i64 = 52;

// exp(x) = 2^k * exp(r), k = round(x / ln 2), |r| <= ln(2) / 2, exp(r) its
// Taylor series to degree 8 (truncation below 3e-10 relative, under a
// float32 ulp's 6e-8 as the cpu kernel's expFloat32 is). No table: the
// module owns no memory to keep one in.
const C2: f64 = 1.0 / 2;
const C3: f64 = 1.0 / 6;
const C4: f64 = 1.0 / 24;
const C5: f64 = 1.0 / 120;
const C6: f64 = 1.0 / 720;
const C7: f64 = 1.0 / 5040;
const C8: f64 = 1.0 / 40320;

/** `exp` accurate to 3e-10 relative, for results that end up float32. */
@inline
function expScalar(x: f64): f64 {
  // NaN stays NaN through min and max; +-Infinity clamp to 0 and Infinity.
  const clamped = min(max(x, MIN_EXP_INPUT), MAX_EXP_INPUT);
  const k = nearest(clamped * LOG2_E);
  const r = clamped - k * LN2;
  const expR = 1 + r * (1 + r * (C2 + r * (C3 + r * (C4 + r * (C5 + r * (C6 +
      r * (C7 + r * C8)))))));
  const powerOfTwo = reinterpret<f64>(
      (<i64>k + FLOAT64_EXPONENT_BIAS) << FLOAT64_MANTISSA_BITS);
  return expR * powerOfTwo;
}

// Float32 exp for four lanes: k = round(d / ln 2) by adding 1.5 * 2^23,
// r = d - k ln2 in two steps (Cody and Waite: k * LN2_HIGH is exact, and so
// is the subtraction), exp(r) by Cephes' expf polynomial, and 2^k as two
// factors, so that results in float32's subnormal range are rounded, not
// lost. Within 1 ulp of exp for normal results (test/wasm_binary.test.ts),
// where the cpu kernel's float64 expFloat32 is within half an ulp and 3e-10.
const ROUNDING_SHIFT_F32: f32 = 12582912; // 1.5 * 2^23
const LOG2_E_F32: f32 = 1.44269504;
const LN2_HIGH: f32 = 0.693359375;
const LN2_LOW: f32 = -2.12194440e-4;
const P0: f32 = 1.9875691500e-4;
const P1: f32 = 1.3981999507e-3;
const P2: f32 = 8.3334519073e-3;
const P3: f32 = 4.1665795894e-2;
const P4: f32 = 1.6666665459e-1;
const P5: f32 = 5.0000001201e-1;
const MIN_EXP_INPUT_F32: f32 = -104;
const FLOAT32_EXPONENT_BIAS: i32 = 127;
const SUM_BLOCK: i32 = 256;

/**
 * The float32 exp's constants as a table of v128 lanes in the host's heap
 * (`expConstantsBytes()` at `constants`, written once by `writeExpConstants`):
 * V8's TurboFan rematerialises every v128 constant at each use, three
 * instructions inside the loop, where a load from the table is folded into
 * the instruction that uses it.
 */
const MIN_INPUT_AT = 0;
const LOG2_E_AT = 1;
const ROUNDING_SHIFT_AT = 2;
const LN2_HIGH_AT = 3;
const LN2_LOW_AT = 4;
const P0_AT = 5;
const P1_AT = 6;
const P2_AT = 7;
const P3_AT = 8;
const P4_AT = 9;
const P5_AT = 10;
const ONE_AT = 11;
const BIAS_AT = 12;

/** Bytes of the table (16 per constant). */
export function expConstantsBytes(): i32 {
  return 13 * 16;
}

@inline
function storeConstant(constants: usize, index: i32, lanes: v128): void {
  v128.store(constants + (<usize>index << 4), lanes);
}

export function writeExpConstants(constants: usize): void {
  if (ASC_FEATURE_SIMD) {
    storeConstant(constants, MIN_INPUT_AT, f32x4.splat(MIN_EXP_INPUT_F32));
    storeConstant(constants, LOG2_E_AT, f32x4.splat(LOG2_E_F32));
    storeConstant(constants, ROUNDING_SHIFT_AT, f32x4.splat(ROUNDING_SHIFT_F32));
    storeConstant(constants, LN2_HIGH_AT, f32x4.splat(LN2_HIGH));
    storeConstant(constants, LN2_LOW_AT, f32x4.splat(LN2_LOW));
    storeConstant(constants, P0_AT, f32x4.splat(P0));
    storeConstant(constants, P1_AT, f32x4.splat(P1));
    storeConstant(constants, P2_AT, f32x4.splat(P2));
    storeConstant(constants, P3_AT, f32x4.splat(P3));
    storeConstant(constants, P4_AT, f32x4.splat(P4));
    storeConstant(constants, P5_AT, f32x4.splat(P5));
    storeConstant(constants, ONE_AT, f32x4.splat(1));
    storeConstant(constants, BIAS_AT, i32x4.splat(FLOAT32_EXPONENT_BIAS));
  }
}

@inline
function expConstant(constants: usize, index: i32): v128 {
  return v128.load(constants + (<usize>index << 4));
}

/** `exp(d)` for four float32 lanes with d <= 0 (or NaN), as described above. */
@inline
function expLanes(d: v128, constants: usize): v128 {
  const clamped = f32x4.pmax(d, expConstant(constants, MIN_INPUT_AT));
  const roundingShift = expConstant(constants, ROUNDING_SHIFT_AT);
  const shifted = f32x4.add(
      f32x4.mul(clamped, expConstant(constants, LOG2_E_AT)), roundingShift);
  const k = f32x4.sub(shifted, roundingShift);
  const r = f32x4.sub(
      f32x4.sub(clamped, f32x4.mul(k, expConstant(constants, LN2_HIGH_AT))),
      f32x4.mul(k, expConstant(constants, LN2_LOW_AT)));
  let p = f32x4.add(f32x4.mul(expConstant(constants, P0_AT), r),
      expConstant(constants, P1_AT));
  p = f32x4.add(f32x4.mul(p, r), expConstant(constants, P2_AT));
  p = f32x4.add(f32x4.mul(p, r), expConstant(constants, P3_AT));
  p = f32x4.add(f32x4.mul(p, r), expConstant(constants, P4_AT));
  p = f32x4.add(f32x4.mul(p, r), expConstant(constants, P5_AT));
  const expR = f32x4.add(f32x4.add(f32x4.mul(p, f32x4.mul(r, r)), r),
      expConstant(constants, ONE_AT));
  // k's bits are the low bits of `shifted`'s, above those of the shift.
  const kInt = i32x4.sub(shifted, roundingShift);
  const kHalf = i32x4.shr_s(kInt, 1);
  const bias = expConstant(constants, BIAS_AT);
  const powerLow = i32x4.shl(i32x4.add(kHalf, bias), 23);
  const powerHigh = i32x4.shl(i32x4.add(i32x4.sub(kInt, kHalf), bias), 23);
  return f32x4.mul(f32x4.mul(expR, powerLow), powerHigh);
}

/**
 * `scale * exp(x - shift)` (`x - shift` rounded to float32, as TensorFlow
 * rounds it) for every logit of a row, into `out` (when nonzero), returning
 * `sum_j exp(x_j - shift)` in float64; for `x - shift <= 0` (every use:
 * `shift` is at least the row's max).
 */
function expPass(row: usize, numClasses: i32, shift: f32, scale: f32,
    out: usize, constants: usize): f64 {
  let sum: f64 = 0;
  let j = 0;
  const end = vectorEnd(numClasses);
  if (ASC_FEATURE_SIMD && end > 0) {
    const shiftLanes = f32x4.splat(shift);
    const scaleLanes = f32x4.splat(scale);
    let sumLow = f64x2.splat(0);
    let sumHigh = f64x2.splat(0);
    // Float32 lane sums over blocks of SUM_BLOCK logits (error below
    // SUM_BLOCK / 4 float32 ulps of the block's sum), then float64.
    let blockSum = f32x4.splat(0);
    let blockEnd = min(end, SUM_BLOCK);
    for (; j < end; j += 4) {
      if (j == blockEnd) {
        sumLow = f64x2.add(sumLow, lowHalf(blockSum));
        sumHigh = f64x2.add(sumHigh, highHalf(blockSum));
        blockSum = f32x4.splat(0);
        blockEnd = min(end, j + SUM_BLOCK);
      }
      const at = <usize>j << 2;
      const shiftedExp =
          expLanes(f32x4.sub(v128.load(row + at), shiftLanes), constants);
      blockSum = f32x4.add(blockSum, shiftedExp);
      if (out != 0) {
        v128.store(out + at, f32x4.mul(shiftedExp, scaleLanes));
      }
    }
    sumLow = f64x2.add(sumLow, lowHalf(blockSum));
    sumHigh = f64x2.add(sumHigh, highHalf(blockSum));
    sum = sumLanes(f64x2.add(sumLow, sumHigh));
  }
  const shift64 = <f64>shift;
  for (; j < numClasses; j++) {
    const shiftedExp = <f32>expScalar(<f64>f32At(row, j) - shift64);
    sum += <f64>shiftedExp;
    if (out != 0) {
      storeF32At(out, j, shiftedExp * scale);
    }
  }
  return sum;
}

/** Float32 lanes 0-1 and 2-3 of a v128 as two f64x2. */
@inline
function lowHalf(values: v128): v128 {
  return f64x2.promote_low_f32x4(values);
}

@inline
function highHalf(values: v128): v128 {
  return f64x2.promote_low_f32x4(i64x2.shuffle(values, values, 1, 1));
}

/** Two f64x2 rounded to float32 into one v128's four lanes. */
@inline
function toFloat32(low: v128, high: v128): v128 {
  return i64x2.shuffle(f32x4.demote_f64x2_zero(low),
      f32x4.demote_f64x2_zero(high), 0, 2);
}

@inline
function sumLanes(values: v128): f64 {
  return f64x2.extract_lane(values, 0) + f64x2.extract_lane(values, 1);
}

/** Logits this pass does four at a time (0 without SIMD). */
@inline
function vectorEnd(numClasses: i32): i32 {
  return ASC_FEATURE_SIMD ? numClasses & ~3 : 0;
}

@inline
function f32At(base: usize, index: i32): f32 {
  return load<f32>(base + (<usize>index << 2));
}

@inline
function storeF32At(base: usize, index: i32, value: f32): void {
  store<f32>(base + (<usize>index << 2), value);
}

@inline
function isLabel(label: i32, numClasses: i32): bool {
  return <u32>label < <u32>numClasses;
}

function fillNaN(out: usize, numClasses: i32): void {
  for (let j = 0; j < numClasses; j++) {
    storeF32At(out, j, NaN);
  }
}

/** The row's largest logit; NaN if the row has one (the row then is NaN). */
function rowMax(row: usize, numClasses: i32): f32 {
  let largest: f32 = -Infinity;
  let j = 0;
  if (ASC_FEATURE_SIMD && numClasses >= 16) {
    // Four independent accumulators: f32x4.max (NaN-propagating) is several
    // machine instructions, and one chain of them bound the pass's speed.
    let lanes0 = f32x4.splat(-Infinity);
    let lanes1 = lanes0;
    let lanes2 = lanes0;
    let lanes3 = lanes0;
    const end = numClasses & ~15;
    for (; j < end; j += 16) {
      const at = row + (<usize>j << 2);
      lanes0 = f32x4.max(lanes0, v128.load(at));
      lanes1 = f32x4.max(lanes1, v128.load(at, 16));
      lanes2 = f32x4.max(lanes2, v128.load(at, 32));
      lanes3 = f32x4.max(lanes3, v128.load(at, 48));
    }
    const lanes = f32x4.max(f32x4.max(lanes0, lanes1), f32x4.max(lanes2, lanes3));
    largest = max(max(f32x4.extract_lane(lanes, 0), f32x4.extract_lane(lanes, 1)),
        max(f32x4.extract_lane(lanes, 2), f32x4.extract_lane(lanes, 3)));
  }
  for (; j < numClasses; j++) {
    largest = max(largest, f32At(row, j));
  }
  return largest;
}

/** `values_j *= scale` in place (float32 products). */
function scaleRow(values: usize, numClasses: i32, scale: f32): void {
  let j = 0;
  const end = vectorEnd(numClasses);
  if (ASC_FEATURE_SIMD && end > 0) {
    const scaleLanes = f32x4.splat(scale);
    for (; j < end; j += 4) {
      const at = values + (<usize>j << 2);
      v128.store(at, f32x4.mul(v128.load(at), scaleLanes));
    }
  }
  for (; j < numClasses; j++) {
    storeF32At(values, j, f32At(values, j) * scale);
  }
}

/**
 * The forward kernel: per row, `loss = log(sumExp) - (x_y - rowMax)` and
 * `backprop = exp(x - rowMax) / sumExp - onehot(y)`. A label outside
 * `[0, numClasses)` gives a NaN row (the JavaScript side rejects such labels
 * before it calls this).
 */
export function forward(features: usize, labels: usize, loss: usize,
    backprop: usize, batch: i32, numClasses: i32, constants: usize): void {
  for (let row = 0; row < batch; row++) {
    const rowOffset = <usize>row * <usize>numClasses << 2;
    const logits = features + rowOffset;
    const out = backprop + rowOffset;
    const label = load<i32>(labels + (<usize>row << 2));
    if (!isLabel(label, numClasses)) {
      storeF32At(loss, row, NaN);
      fillNaN(out, numClasses);
      continue;
    }
    const largest = rowMax(logits, numClasses);
    const shift = <f64>largest;
    const sum = expPass(logits, numClasses, largest, 1, out, constants);
    scaleRow(out, numClasses, <f32>(1 / sum));
    storeF32At(out, label, f32At(out, label) - 1);
    storeF32At(loss, row,
        <f32>(log(sum) - (<f64>f32At(logits, label) - shift)));
  }
}

/**
 * The loss-only kernel: per row `loss`, `rowMax` and
 * `logSumExp = log(sum_j exp(x_j - rowMax))`; nothing of the logits' size.
 */
export function lossForward(features: usize, labels: usize, loss: usize,
    rowMaxOut: usize, logSumExpOut: usize, batch: i32, numClasses: i32,
    constants: usize): void {
  for (let row = 0; row < batch; row++) {
    const logits = features + (<usize>row * <usize>numClasses << 2);
    const label = load<i32>(labels + (<usize>row << 2));
    const largest = rowMax(logits, numClasses);
    const shift = <f64>largest;
    const logSum = log(expPass(logits, numClasses, largest, 1, 0, constants));
    storeF32At(rowMaxOut, row, largest);
    storeF32At(logSumExpOut, row, <f32>logSum);
    storeF32At(loss, row, isLabel(label, numClasses) ?
        <f32>(logSum - (<f64>f32At(logits, label) - shift)) : NaN);
  }
}

/** Whether all `count` float32 values are zero (either sign). */
export function isAllZero(values: usize, count: i32): bool {
  let j = 0;
  const end = vectorEnd(count);
  if (ASC_FEATURE_SIMD && end > 0) {
    const magnitude = i32x4.splat(0x7fffffff);
    for (; j < end; j += 4) {
      if (v128.any_true(v128.and(v128.load(values + (<usize>j << 2)),
          magnitude))) {
        return false;
      }
    }
  }
  for (; j < count; j++) {
    if (f32At(values, j) != 0) {
      return false;
    }
  }
  return true;
}

/** `out_j = scale * values_j` (a float32 product, as the cpu kernel's). */
function scaledRow(values: usize, out: usize, numClasses: i32, scale: f32):
    void {
  let j = 0;
  const end = vectorEnd(numClasses);
  if (ASC_FEATURE_SIMD && end > 0) {
    const scaleLanes = f32x4.splat(scale);
    for (; j < end; j += 4) {
      const at = <usize>j << 2;
      v128.store(out + at, f32x4.mul(v128.load(values + at), scaleLanes));
    }
  }
  for (; j < numClasses; j++) {
    storeF32At(out, j, f32At(values, j) * scale);
  }
}

/** `sum_j a_j * b_j` in float64. */
function rowDot(a: usize, b: usize, numClasses: i32): f64 {
  let sum: f64 = 0;
  let j = 0;
  const end = vectorEnd(numClasses);
  if (ASC_FEATURE_SIMD && end > 0) {
    let sumLow = f64x2.splat(0);
    let sumHigh = f64x2.splat(0);
    for (; j < end; j += 4) {
      const at = <usize>j << 2;
      const aLanes = v128.load(a + at);
      const bLanes = v128.load(b + at);
      sumLow = f64x2.add(sumLow, f64x2.mul(lowHalf(aLanes), lowHalf(bLanes)));
      sumHigh = f64x2.add(sumHigh,
          f64x2.mul(highHalf(aLanes), highHalf(bLanes)));
    }
    sum = sumLanes(f64x2.add(sumLow, sumHigh));
  }
  for (; j < numClasses; j++) {
    sum += <f64>f32At(a, j) * <f64>f32At(b, j);
  }
  return sum;
}

/** `out_j = backprop_j * ((dLoss + upstream_j) - dot)`, rounded once. */
function backpropTimesUpstream(backprop: usize, upstream: usize, out: usize,
    numClasses: i32, rowLossGrad: f64, dot: f64): void {
  let j = 0;
  const end = vectorEnd(numClasses);
  if (ASC_FEATURE_SIMD && end > 0) {
    const lossGradLanes = f64x2.splat(rowLossGrad);
    const dotLanes = f64x2.splat(dot);
    for (; j < end; j += 4) {
      const at = <usize>j << 2;
      const backpropLanes = v128.load(backprop + at);
      const upstreamLanes = v128.load(upstream + at);
      const low = f64x2.mul(lowHalf(backpropLanes), f64x2.sub(
          f64x2.add(lossGradLanes, lowHalf(upstreamLanes)), dotLanes));
      const high = f64x2.mul(highHalf(backpropLanes), f64x2.sub(
          f64x2.add(lossGradLanes, highHalf(upstreamLanes)), dotLanes));
      v128.store(out + at, toFloat32(low, high));
    }
  }
  for (; j < numClasses; j++) {
    storeF32At(out, j, <f32>(<f64>f32At(backprop, j) *
        (rowLossGrad + <f64>f32At(upstream, j) - dot)));
  }
}

/**
 * The forward kernel's gradient: per row, with `p = backprop + onehot(y)`,
 * `dFeatures = dLoss * backprop + (dBackprop - sum_j dBackprop_j p_j) * p`;
 * one pass, `dLoss * backprop`, when `hasUpstream` is false.
 */
export function backpropGrad(backprop: usize, labels: usize, dLoss: usize,
    dBackprop: usize, hasUpstream: bool, dFeatures: usize, batch: i32,
    numClasses: i32): void {
  for (let row = 0; row < batch; row++) {
    const rowOffset = <usize>row * <usize>numClasses << 2;
    const backpropRow = backprop + rowOffset;
    const out = dFeatures + rowOffset;
    const label = load<i32>(labels + (<usize>row << 2));
    if (!isLabel(label, numClasses)) {
      fillNaN(out, numClasses);
      continue;
    }
    const rowLossGrad = f32At(dLoss, row);
    if (!hasUpstream) {
      scaledRow(backpropRow, out, numClasses, rowLossGrad);
      continue;
    }
    const upstream = dBackprop + rowOffset;
    const labelUpstream = <f64>f32At(upstream, label);
    const dot = labelUpstream + rowDot(upstream, backpropRow, numClasses);
    backpropTimesUpstream(backpropRow, upstream, out, numClasses,
        <f64>rowLossGrad, dot);
    storeF32At(out, label,
        <f32>(<f64>f32At(out, label) + (labelUpstream - dot)));
  }
}

/**
 * The loss-only kernel's gradient: per row,
 * `dFeatures = (dLoss + dLogSumExp) * softmax - dLoss * onehot(y)`, the
 * softmax rebuilt as `exp(x - rowMax - logSumExp)`.
 */
export function lossGrad(features: usize, labels: usize, rowMaxIn: usize,
    logSumExpIn: usize, dLoss: usize, dLogSumExp: usize, dFeatures: usize,
    batch: i32, numClasses: i32, constants: usize): void {
  for (let row = 0; row < batch; row++) {
    const rowOffset = <usize>row * <usize>numClasses << 2;
    const logits = features + rowOffset;
    const out = dFeatures + rowOffset;
    const label = load<i32>(labels + (<usize>row << 2));
    if (!isLabel(label, numClasses)) {
      fillNaN(out, numClasses);
      continue;
    }
    // x - rowMax - logSumExp, in that order, as the cpu kernel.
    const shift = <f64>f32At(rowMaxIn, row);
    const logSum = <f64>f32At(logSumExpIn, row);
    const oneHot = <f64>f32At(dLoss, row);
    const scale = oneHot + <f64>f32At(dLogSumExp, row);
    // softmax = exp(x - rowMax) / exp(logSumExp), one float32 factor a row.
    expPass(logits, numClasses, <f32>shift,
        <f32>(scale * expScalar(-logSum)), out, constants);
    const labelProbability =
        expScalar(<f64>f32At(logits, label) - shift - logSum);
    storeF32At(out, label, <f32>(scale == oneHot ?
        scale * (labelProbability - 1) : scale * labelProbability - oneHot));
  }
}
