// The row passes of the wasm kernels, in AssemblyScript, compiled by
// scripts/build_wasm.mjs into `../row_passes_binary.ts` three times: with
// 128-bit SIMD, without it (ASC_FEATURE_SIMD false, the scalar loops only),
// and with SIMD on a shared memory (tfjs's threaded build).
//
// The module runs on tfjs-backend-wasm's own memory (imported as
// `env.memory`): every pointer is a tensor's offset in that heap. It owns no
// memory at all, so it has no data segments, no allocator and no stack; the
// build checks the binary for data segments.
//
// The math is the cpu kernel's (SparseSoftmaxCrossEntropyWithLogits_impl.ts
// and SparseSoftmaxCrossEntropyLoss_impl.ts), rounding for rounding: logits
// are promoted to float64, `x - rowMax` and `exp` are taken in float64, sums
// accumulate in float64, and each result is rounded to float32 once.

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
const ROUNDING_SHIFT: f64 = 6755399441055744; // 1.5 * 2^52

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

/**
 * `expScalar` on both lanes of an f64x2. `k` is rounded by adding 1.5 * 2^52
 * (ROUNDING_SHIFT), which leaves it in the low bits of the sum: shifted into
 * the exponent field with its bias, they make `2^k` (exponent in
 * [-151, 129], a normal float64).
 */
@inline
function expLanes(x: v128): v128 {
  // pmax/pmin keep a NaN (`x < lower ? lower : x`) in one instruction each.
  const clamped = f64x2.pmin(f64x2.pmax(x, f64x2.splat(MIN_EXP_INPUT)),
      f64x2.splat(MAX_EXP_INPUT));
  const shifted = f64x2.add(f64x2.mul(clamped, f64x2.splat(LOG2_E)),
      f64x2.splat(ROUNDING_SHIFT));
  const k = f64x2.sub(shifted, f64x2.splat(ROUNDING_SHIFT));
  const r = f64x2.sub(clamped, f64x2.mul(k, f64x2.splat(LN2)));
  let expR = f64x2.add(f64x2.splat(C7), f64x2.mul(r, f64x2.splat(C8)));
  expR = f64x2.add(f64x2.splat(C6), f64x2.mul(r, expR));
  expR = f64x2.add(f64x2.splat(C5), f64x2.mul(r, expR));
  expR = f64x2.add(f64x2.splat(C4), f64x2.mul(r, expR));
  expR = f64x2.add(f64x2.splat(C3), f64x2.mul(r, expR));
  expR = f64x2.add(f64x2.splat(C2), f64x2.mul(r, expR));
  expR = f64x2.add(f64x2.splat(1), f64x2.mul(r, expR));
  expR = f64x2.add(f64x2.splat(1), f64x2.mul(r, expR));
  const powerOfTwo = i64x2.shl(
      i64x2.add(shifted, i64x2.splat(FLOAT64_EXPONENT_BIAS)),
      <i32>FLOAT64_MANTISSA_BITS);
  return f64x2.mul(expR, powerOfTwo);
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
  const end = vectorEnd(numClasses);
  if (ASC_FEATURE_SIMD && end > 0) {
    let lanes = f32x4.splat(-Infinity);
    for (; j < end; j += 4) {
      lanes = f32x4.max(lanes, v128.load(row + (<usize>j << 2)));
    }
    largest = max(max(f32x4.extract_lane(lanes, 0), f32x4.extract_lane(lanes, 1)),
        max(f32x4.extract_lane(lanes, 2), f32x4.extract_lane(lanes, 3)));
  }
  for (; j < numClasses; j++) {
    largest = max(largest, f32At(row, j));
  }
  return largest;
}

/**
 * `sum_j exp(x_j - shift)`, in float64; with `out` nonzero each
 * `exp(x_j - shift)` is also stored there, rounded to float32.
 */
function sumExp(row: usize, numClasses: i32, shift: f64, out: usize): f64 {
  let sum: f64 = 0;
  let j = 0;
  const end = vectorEnd(numClasses);
  if (ASC_FEATURE_SIMD && end > 0) {
    const shiftLanes = f64x2.splat(shift);
    let sumLow = f64x2.splat(0);
    let sumHigh = f64x2.splat(0);
    for (; j < end; j += 4) {
      const logits = v128.load(row + (<usize>j << 2));
      const expLow = expLanes(f64x2.sub(lowHalf(logits), shiftLanes));
      const expHigh = expLanes(f64x2.sub(highHalf(logits), shiftLanes));
      sumLow = f64x2.add(sumLow, expLow);
      sumHigh = f64x2.add(sumHigh, expHigh);
      if (out != 0) {
        v128.store(out + (<usize>j << 2), toFloat32(expLow, expHigh));
      }
    }
    sum = sumLanes(f64x2.add(sumLow, sumHigh));
  }
  for (; j < numClasses; j++) {
    const shiftedExp = expScalar(<f64>f32At(row, j) - shift);
    sum += shiftedExp;
    if (out != 0) {
      storeF32At(out, j, <f32>shiftedExp);
    }
  }
  return sum;
}

/** `values_j *= scale` in place, the product rounded once. */
function scaleRow(values: usize, numClasses: i32, scale: f64): void {
  let j = 0;
  const end = vectorEnd(numClasses);
  if (ASC_FEATURE_SIMD && end > 0) {
    const scaleLanes = f64x2.splat(scale);
    for (; j < end; j += 4) {
      const at = values + (<usize>j << 2);
      const lanes = v128.load(at);
      v128.store(at, toFloat32(f64x2.mul(lowHalf(lanes), scaleLanes),
          f64x2.mul(highHalf(lanes), scaleLanes)));
    }
  }
  for (; j < numClasses; j++) {
    storeF32At(values, j, <f32>(<f64>f32At(values, j) * scale));
  }
}

/**
 * The forward kernel: per row, `loss = log(sumExp) - (x_y - rowMax)` and
 * `backprop = exp(x - rowMax) / sumExp - onehot(y)`. A label outside
 * `[0, numClasses)` gives a NaN row (the JavaScript side rejects such labels
 * before it calls this).
 */
export function forward(features: usize, labels: usize, loss: usize,
    backprop: usize, batch: i32, numClasses: i32): void {
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
    const shift = <f64>rowMax(logits, numClasses);
    const sum = sumExp(logits, numClasses, shift, out);
    scaleRow(out, numClasses, 1 / sum);
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
    rowMaxOut: usize, logSumExpOut: usize, batch: i32, numClasses: i32): void {
  for (let row = 0; row < batch; row++) {
    const logits = features + (<usize>row * <usize>numClasses << 2);
    const label = load<i32>(labels + (<usize>row << 2));
    const largest = rowMax(logits, numClasses);
    const shift = <f64>largest;
    const logSum = log(sumExp(logits, numClasses, shift, 0));
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

/** `out_j = scale * exp((x_j - shift) - logSum)`, rounded once. */
function scaledExpRow(row: usize, out: usize, numClasses: i32, shift: f64,
    logSum: f64, scale: f64): void {
  let j = 0;
  const end = vectorEnd(numClasses);
  if (ASC_FEATURE_SIMD && end > 0) {
    const shiftLanes = f64x2.splat(shift);
    const logSumLanes = f64x2.splat(logSum);
    const scaleLanes = f64x2.splat(scale);
    for (; j < end; j += 4) {
      const at = <usize>j << 2;
      const logits = v128.load(row + at);
      const low = f64x2.mul(scaleLanes, expLanes(f64x2.sub(
          f64x2.sub(lowHalf(logits), shiftLanes), logSumLanes)));
      const high = f64x2.mul(scaleLanes, expLanes(f64x2.sub(
          f64x2.sub(highHalf(logits), shiftLanes), logSumLanes)));
      v128.store(out + at, toFloat32(low, high));
    }
  }
  for (; j < numClasses; j++) {
    storeF32At(out, j,
        <f32>(scale * expScalar(<f64>f32At(row, j) - shift - logSum)));
  }
}

/**
 * The loss-only kernel's gradient: per row,
 * `dFeatures = (dLoss + dLogSumExp) * softmax - dLoss * onehot(y)`, the
 * softmax rebuilt as `exp(x - rowMax - logSumExp)`.
 */
export function lossGrad(features: usize, labels: usize, rowMaxIn: usize,
    logSumExpIn: usize, dLoss: usize, dLogSumExp: usize, dFeatures: usize,
    batch: i32, numClasses: i32): void {
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
    scaledExpRow(logits, out, numClasses, shift, logSum, scale);
    const labelProbability =
        expScalar(<f64>f32At(logits, label) - shift - logSum);
    storeF32At(out, label, <f32>(scale == oneHot ?
        scale * (labelProbability - 1) : scale * labelProbability - oneHot));
  }
}
