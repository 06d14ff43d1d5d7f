// The row passes of the wasm kernels, in AssemblyScript, compiled by
// scripts/build_wasm.mjs into `../row_passes_binary.ts` three times: with
// 128-bit SIMD, without it (ASC_FEATURE_SIMD false: the scalar loops only),
// and with SIMD on a shared memory (tfjs's threaded build).
//
// The module runs on tfjs-backend-wasm's own memory (imported as
// `env.memory`): every pointer is a tensor's offset in that heap. It owns no
// memory (no data segments, no allocator, no stack; the build checks); the
// one block it uses besides tensors, its exp's constants and the soft cap's
// scratch, the JavaScript side allocates from the backend.
//
// The math is the cpu kernel's (SparseSoftmaxCrossEntropyWithLogits_impl.ts,
// SparseSoftmaxCrossEntropyLoss_impl.ts). Sums and dot products accumulate
// in float64 (the SIMD exp's sums in float32 over blocks of 512 logits
// first). The SIMD exp works in float32 lanes: within 1 ulp (`expLanes`)
// where an exp is written, within 2.5e-7 + 6.5e-8 |x - rowMax| relative
// (`expSum16`, fewer instructions) where it is only summed, in the
// loss-only kernel; the scalar one in float64 (correctly rounded but for 3e-10,
// as the cpu kernel's expFloat32).
//
// Each logit is exponentiated once per kernel, and XNNPACK's softmax sets
// the pace (`bench/row_passes.mjs` times each kernel against `tf.softmax`):
// the forward kernel is its three passes (max; exps written and summed;
// scaled in place) plus the loss; the loss-only kernel reads each block of
// a row once from memory (online max and sum) and writes nothing, so it
// does less than the softmax it is timed against; the gradient kernels are
// one pass each.

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

// Float32 exp for four lanes, `2^64 exp(d)` for d <= 0 (or NaN):
// k = round(d / ln 2) by adding a "magic" 1.5 * 2^23 + 191, whose low bits
// then hold k + 191, so shifting them into the exponent field is 2^(k + 64)
// (k >= -173 after the clamp at -120, so the field stays in [18, 191]);
// r = d - k ln2 in two steps (Cody and Waite: k * LN2_HIGH is exact, and so
// is the subtraction), |r| <= ln(2) / 2; exp(r) = 1 + r + r^2 q(r) with q of
// degree 4, minimax for exp's relative error on that interval (fitted for
// this file: 3.1e-9 before rounding). 22 SIMD instructions a vector, no
// compare, no table: the range reduction and polynomial of XNNPACK's
// `rr2_p5` exp, with Cephes' `1 + r + r^2 q` form, whose last two additions
// keep the float32 rounding within 1 ulp where `1 + r p(r)` was not.
//
// The 2^64 keeps results normal down to exp(-120) (exp(-87.4) is already
// under float32's smallest normal): callers fold 2^-64 into the factor they
// multiply by (one rounding, into a subnormal where the result is one), or
// into the float64 sum. Bound: within 1 ulp of exp for normal float32
// results, within 2^-149 for subnormal ones; measured against float64's exp
// on every 3rd float32 of [-104, 0] (374 million inputs): 0.989 ulp at most
// (at -27.379), subnormals 0.75 * 2^-149 (test/exp_lanes.test.ts checks
// every 64th, test/wasm_binary.test.ts 1M points of [-87, 0]). The loss
// needs less (its sums hold 40 float32 ulps, the tests' tolerance 2e-5);
// the gradient is written from these exps and keeps float32's precision.

const MIN_EXP_INPUT_F32: f32 = -120;
const LOG2_E_F32: f32 = 1.44269504;
const MAGIC_F32: f32 = 12583103; // 1.5 * 2^23 + 127 + 64
const LN2_HIGH: f32 = 0.693359375;
const LN2_LOW: f32 = -2.12194440e-4;
const Q0: f32 = 1.381461275741458e-3;
const Q1: f32 = 8.368710055947304e-3;
const Q2: f32 = 4.166838899254799e-2;
const Q3: f32 = 1.666652113199234e-1;
const Q4: f32 = 4.999999403953552e-1;
/** 2^-64: `expLanes` results times it are exp's. */
const EXP_UNSCALE: f64 = 5.421010862427522e-20;
/** Float32's smallest normal: a product with a smaller factor may lose bits. */
const MIN_NORMAL_F32: f64 = 1.1754943508222875e-38;
/** Logits a block of the online max and sum (2 KB, well inside L1). */
const BLOCK: i32 = 512;

/**
 * The float32 exp's constants as a table of v128 lanes in the host's heap
 * (`expConstantsBytes()` at `constants`, written once by `writeExpConstants`):
 * V8's TurboFan rematerialises every v128 constant at each use, three
 * instructions inside the loop, where a load from the table is folded into
 * the instruction that uses it.
 */
const MIN_INPUT_AT = 0;
const LOG2_E_AT = 1;
const MAGIC_AT = 2;
const LN2_HIGH_AT = 3;
const LN2_LOW_AT = 4;
const Q0_AT = 5;
const Q1_AT = 6;
const Q2_AT = 7;
const Q3_AT = 8;
const Q4_AT = 9;
const ONE_AT = 10;
const UNSCALE_AT = 11;
const P1_AT = 12;
const P2_AT = 13;
const P3_AT = 14;
const P4_AT = 15;
const P5_AT = 16;
const TANH_MIN_INPUT_AT = 17;
const MAGIC_UNSCALED_AT = 18;
const TWO_AT = 19;
const SIGN_AT = 20;
/**
 * Past the table, a block of float32 scratch (`BLOCK` values): the soft
 * cap's passes write a block's capped logits there, in L1, for the block's
 * next steps to read (see `maxAndSumExp`, `writeCappedScaledExp`). Never a
 * capped copy of a row.
 */
const SCRATCH_AT: usize = 384;

/** Bytes of the table (16 per constant) and the scratch block after it. */
export function expConstantsBytes(): i32 {
  return <i32>SCRATCH_AT + BLOCK * 4;
}

@inline
function storeConstant(constants: usize, index: i32, lanes: v128): void {
  v128.store(constants + (<usize>index << 4), lanes);
}

export function writeExpConstants(constants: usize): void {
  if (ASC_FEATURE_SIMD) {
    storeConstant(constants, MIN_INPUT_AT, f32x4.splat(MIN_EXP_INPUT_F32));
    storeConstant(constants, LOG2_E_AT, f32x4.splat(LOG2_E_F32));
    storeConstant(constants, MAGIC_AT, f32x4.splat(MAGIC_F32));
    storeConstant(constants, LN2_HIGH_AT, f32x4.splat(LN2_HIGH));
    storeConstant(constants, LN2_LOW_AT, f32x4.splat(LN2_LOW));
    storeConstant(constants, Q0_AT, f32x4.splat(Q0));
    storeConstant(constants, Q1_AT, f32x4.splat(Q1));
    storeConstant(constants, Q2_AT, f32x4.splat(Q2));
    storeConstant(constants, Q3_AT, f32x4.splat(Q3));
    storeConstant(constants, Q4_AT, f32x4.splat(Q4));
    storeConstant(constants, ONE_AT, f32x4.splat(1));
    storeConstant(constants, UNSCALE_AT, f32x4.splat(<f32>EXP_UNSCALE));
    storeConstant(constants, P1_AT, f32x4.splat(P1));
    storeConstant(constants, P2_AT, f32x4.splat(P2));
    storeConstant(constants, P3_AT, f32x4.splat(P3));
    storeConstant(constants, P4_AT, f32x4.splat(P4));
    storeConstant(constants, P5_AT, f32x4.splat(P5));
    storeConstant(constants, TANH_MIN_INPUT_AT, f32x4.splat(TANH_MIN_INPUT));
    storeConstant(constants, MAGIC_UNSCALED_AT, f32x4.splat(MAGIC_UNSCALED));
    storeConstant(constants, TWO_AT, f32x4.splat(2));
    storeConstant(constants, SIGN_AT, i32x4.splat(0x80000000));
  }
}

@inline
function expConstant(constants: usize, index: i32): v128 {
  return v128.load(constants + (<usize>index << 4));
}

/** `2^64 exp(d)` for four float32 lanes with d <= 0 (or NaN), as above. */
@inline
function expLanes(d: v128, constants: usize): v128 {
  // pmax keeps a NaN d (it compares d < MIN, false for NaN).
  const clamped = f32x4.pmax(d, expConstant(constants, MIN_INPUT_AT));
  const magic = expConstant(constants, MAGIC_AT);
  const shifted = f32x4.add(
      f32x4.mul(clamped, expConstant(constants, LOG2_E_AT)), magic);
  const power = i32x4.shl(shifted, 23);
  const k = f32x4.sub(shifted, magic);
  let r = f32x4.sub(clamped, f32x4.mul(k, expConstant(constants, LN2_HIGH_AT)));
  r = f32x4.sub(r, f32x4.mul(k, expConstant(constants, LN2_LOW_AT)));
  const rSquared = f32x4.mul(r, r);
  let q = f32x4.add(f32x4.mul(expConstant(constants, Q0_AT), r),
      expConstant(constants, Q1_AT));
  q = f32x4.add(f32x4.mul(q, r), expConstant(constants, Q2_AT));
  q = f32x4.add(f32x4.mul(q, r), expConstant(constants, Q3_AT));
  q = f32x4.add(f32x4.mul(q, r), expConstant(constants, Q4_AT));
  const expR = f32x4.add(f32x4.add(f32x4.mul(q, rSquared), r),
      expConstant(constants, ONE_AT));
  return f32x4.mul(expR, power);
}

/**
 * `expLanes` of 16 logits at `from` less `shift`, four vectors computed
 * step by step side by side, so the four dependency chains (about 20
 * instructions deep each) overlap: written one vector after another, the
 * processor's scheduler holds too little of the next vector's chain to keep
 * its units busy (0.76 vs 0.61 ns a logit for the write pass, measured).
 * Then, with `out` nonzero, stores each result at `out`, times 2^-64 first
 * when `unscaleFirst`, times `factor` when `scaled`; returns the sum of the
 * four results (as stored, when stored).
 * (The build keeps binaryen at -O2: its -O3 folds these steps back into one
 * expression per vector, in that order.)
 */
@inline
function exp16(from: usize, shiftLanes: v128, constants: usize, out: usize,
    factorLanes: v128, unscaleFirst: bool, scaled: bool = true): v128 {
  let r0 = f32x4.sub(v128.load(from), shiftLanes);
  let r1 = f32x4.sub(v128.load(from, 16), shiftLanes);
  let r2 = f32x4.sub(v128.load(from, 32), shiftLanes);
  let r3 = f32x4.sub(v128.load(from, 48), shiftLanes);
  const minInput = expConstant(constants, MIN_INPUT_AT);
  r0 = f32x4.pmax(r0, minInput);
  r1 = f32x4.pmax(r1, minInput);
  r2 = f32x4.pmax(r2, minInput);
  r3 = f32x4.pmax(r3, minInput);
  const log2e = expConstant(constants, LOG2_E_AT);
  const magic = expConstant(constants, MAGIC_AT);
  let k0 = f32x4.add(f32x4.mul(r0, log2e), magic);
  let k1 = f32x4.add(f32x4.mul(r1, log2e), magic);
  let k2 = f32x4.add(f32x4.mul(r2, log2e), magic);
  let k3 = f32x4.add(f32x4.mul(r3, log2e), magic);
  const power0 = i32x4.shl(k0, 23);
  const power1 = i32x4.shl(k1, 23);
  const power2 = i32x4.shl(k2, 23);
  const power3 = i32x4.shl(k3, 23);
  k0 = f32x4.sub(k0, magic);
  k1 = f32x4.sub(k1, magic);
  k2 = f32x4.sub(k2, magic);
  k3 = f32x4.sub(k3, magic);
  const ln2High = expConstant(constants, LN2_HIGH_AT);
  r0 = f32x4.sub(r0, f32x4.mul(k0, ln2High));
  r1 = f32x4.sub(r1, f32x4.mul(k1, ln2High));
  r2 = f32x4.sub(r2, f32x4.mul(k2, ln2High));
  r3 = f32x4.sub(r3, f32x4.mul(k3, ln2High));
  const ln2Low = expConstant(constants, LN2_LOW_AT);
  r0 = f32x4.sub(r0, f32x4.mul(k0, ln2Low));
  r1 = f32x4.sub(r1, f32x4.mul(k1, ln2Low));
  r2 = f32x4.sub(r2, f32x4.mul(k2, ln2Low));
  r3 = f32x4.sub(r3, f32x4.mul(k3, ln2Low));
  const q0 = expConstant(constants, Q0_AT);
  const q1 = expConstant(constants, Q1_AT);
  let e0 = f32x4.add(f32x4.mul(q0, r0), q1);
  let e1 = f32x4.add(f32x4.mul(q0, r1), q1);
  let e2 = f32x4.add(f32x4.mul(q0, r2), q1);
  let e3 = f32x4.add(f32x4.mul(q0, r3), q1);
  const rSquared0 = f32x4.mul(r0, r0);
  const rSquared1 = f32x4.mul(r1, r1);
  const rSquared2 = f32x4.mul(r2, r2);
  const rSquared3 = f32x4.mul(r3, r3);
  const q2 = expConstant(constants, Q2_AT);
  e0 = f32x4.add(f32x4.mul(e0, r0), q2);
  e1 = f32x4.add(f32x4.mul(e1, r1), q2);
  e2 = f32x4.add(f32x4.mul(e2, r2), q2);
  e3 = f32x4.add(f32x4.mul(e3, r3), q2);
  const q3 = expConstant(constants, Q3_AT);
  e0 = f32x4.add(f32x4.mul(e0, r0), q3);
  e1 = f32x4.add(f32x4.mul(e1, r1), q3);
  e2 = f32x4.add(f32x4.mul(e2, r2), q3);
  e3 = f32x4.add(f32x4.mul(e3, r3), q3);
  const q4 = expConstant(constants, Q4_AT);
  e0 = f32x4.add(f32x4.mul(e0, r0), q4);
  e1 = f32x4.add(f32x4.mul(e1, r1), q4);
  e2 = f32x4.add(f32x4.mul(e2, r2), q4);
  e3 = f32x4.add(f32x4.mul(e3, r3), q4);
  e0 = f32x4.add(f32x4.mul(e0, rSquared0), r0);
  e1 = f32x4.add(f32x4.mul(e1, rSquared1), r1);
  e2 = f32x4.add(f32x4.mul(e2, rSquared2), r2);
  e3 = f32x4.add(f32x4.mul(e3, rSquared3), r3);
  const one = expConstant(constants, ONE_AT);
  e0 = f32x4.mul(f32x4.add(e0, one), power0);
  e1 = f32x4.mul(f32x4.add(e1, one), power1);
  e2 = f32x4.mul(f32x4.add(e2, one), power2);
  e3 = f32x4.mul(f32x4.add(e3, one), power3);
  if (out != 0) {
    if (unscaleFirst) {
      const unscale = expConstant(constants, UNSCALE_AT);
      e0 = f32x4.mul(e0, unscale);
      e1 = f32x4.mul(e1, unscale);
      e2 = f32x4.mul(e2, unscale);
      e3 = f32x4.mul(e3, unscale);
    }
    if (scaled) {
      e0 = f32x4.mul(e0, factorLanes);
      e1 = f32x4.mul(e1, factorLanes);
      e2 = f32x4.mul(e2, factorLanes);
      e3 = f32x4.mul(e3, factorLanes);
    }
    v128.store(out, e0);
    v128.store(out, e1, 16);
    v128.store(out, e2, 32);
    v128.store(out, e3, 48);
  }
  return f32x4.add(f32x4.add(e0, e1), f32x4.add(e2, e3));
}

// The loss-only pass's exp, for terms that are only summed: 2^64 exp(d) as
// 2^(k + 64) 2^f with t = d log2(e) rounded to float32, k = round(t) (the
// magic addition above), f = t - k exactly, |f| <= 1/2, and 2^f a degree-5
// polynomial, minimax for its relative error on [-1/2, 1/2] (6.8e-8, fitted
// for this file). 18 SIMD instructions a vector (the shift and clamp
// included) against `exp16`'s 23, which is all the loss-only pass does:
// rounding t = d log2(e) costs up to |d| 2^-24 of relative error, which a
// separate ln2 reduction avoids. Measured against float64's exp (float32
// emulated, 200k points in each unit of [-104, 0]): relative error at most
// 2.4e-7 for d in [-1, 0], 6.0e-7 at -10, 1.1e-6 at -20, 3.9e-6 at -87:
// within 2.5e-7 + 6.5e-8 |d| (test/exp_sum_lanes.test.ts checks every
// 1/1000 of [-18, 0] through the kernel). A sum of such terms (exp(d) its
// weight) is as close as the terms near the row's max are, and the loss is
// its log: an absolute error of the same size, under the 40 float32 ulps
// (2.4e-6) of the float32 block sums below for rows whose mass lies within
// 30 of their max.
//
// Why a second SIMD exp: the loss-only kernel summing `exp16`'s exps
// instead measured 0.59-0.63 against 0.48-0.51 ns a logit (lower quartiles
// at [512, 1000], [64, 32000] and [8, 250000]; both binaries on one memory,
// alternating in one process with tfjs-backend-wasm's `tf.softmax`, two
// runs), 0.77-0.85 against 0.61-0.69 softmax passes (medians), where the
// loss-only forward's bar is 0.8 with the op's own work on top; again with
// bench/row_pass_binaries.mjs (80 rounds, idle): 0.69-0.73 against
// 0.55-0.59 ns a logit, 1.23-1.26x, at all four of its shapes. So the SIMD
// exps are `expLanes`/`exp16` wherever an exp is written and this one where
// it is only summed; the scalar `expScalar` (float64) serves row tails,
// per-row factors and the scalar binary.
const P1: f32 = 6.931465864e-1;
const P2: f32 = 2.402216643e-1;
const P3: f32 = 5.551047251e-2;
const P4: f32 = 9.674952365e-3;
const P5: f32 = 1.320298179e-3;

/**
 * `sum of 2^64 exp(d)` over 16 logits at `from` less `shift`, with the
 * summing exp above, four vectors side by side (as in `exp16`).
 */
@inline
function expSum16(from: usize, shiftLanes: v128, constants: usize): v128 {
  const minInput = expConstant(constants, MIN_INPUT_AT);
  const log2e = expConstant(constants, LOG2_E_AT);
  let t0 = f32x4.mul(f32x4.pmax(
      f32x4.sub(v128.load(from), shiftLanes), minInput), log2e);
  let t1 = f32x4.mul(f32x4.pmax(
      f32x4.sub(v128.load(from, 16), shiftLanes), minInput), log2e);
  let t2 = f32x4.mul(f32x4.pmax(
      f32x4.sub(v128.load(from, 32), shiftLanes), minInput), log2e);
  let t3 = f32x4.mul(f32x4.pmax(
      f32x4.sub(v128.load(from, 48), shiftLanes), minInput), log2e);
  const magic = expConstant(constants, MAGIC_AT);
  const k0 = f32x4.add(t0, magic);
  const k1 = f32x4.add(t1, magic);
  const k2 = f32x4.add(t2, magic);
  const k3 = f32x4.add(t3, magic);
  const power0 = i32x4.shl(k0, 23);
  const power1 = i32x4.shl(k1, 23);
  const power2 = i32x4.shl(k2, 23);
  const power3 = i32x4.shl(k3, 23);
  t0 = f32x4.sub(t0, f32x4.sub(k0, magic));
  t1 = f32x4.sub(t1, f32x4.sub(k1, magic));
  t2 = f32x4.sub(t2, f32x4.sub(k2, magic));
  t3 = f32x4.sub(t3, f32x4.sub(k3, magic));
  const p5 = expConstant(constants, P5_AT);
  const p4 = expConstant(constants, P4_AT);
  let e0 = f32x4.add(f32x4.mul(p5, t0), p4);
  let e1 = f32x4.add(f32x4.mul(p5, t1), p4);
  let e2 = f32x4.add(f32x4.mul(p5, t2), p4);
  let e3 = f32x4.add(f32x4.mul(p5, t3), p4);
  const p3 = expConstant(constants, P3_AT);
  e0 = f32x4.add(f32x4.mul(e0, t0), p3);
  e1 = f32x4.add(f32x4.mul(e1, t1), p3);
  e2 = f32x4.add(f32x4.mul(e2, t2), p3);
  e3 = f32x4.add(f32x4.mul(e3, t3), p3);
  const p2 = expConstant(constants, P2_AT);
  e0 = f32x4.add(f32x4.mul(e0, t0), p2);
  e1 = f32x4.add(f32x4.mul(e1, t1), p2);
  e2 = f32x4.add(f32x4.mul(e2, t2), p2);
  e3 = f32x4.add(f32x4.mul(e3, t3), p2);
  const p1 = expConstant(constants, P1_AT);
  e0 = f32x4.add(f32x4.mul(e0, t0), p1);
  e1 = f32x4.add(f32x4.mul(e1, t1), p1);
  e2 = f32x4.add(f32x4.mul(e2, t2), p1);
  e3 = f32x4.add(f32x4.mul(e3, t3), p1);
  const one = expConstant(constants, ONE_AT);
  e0 = f32x4.mul(f32x4.add(f32x4.mul(e0, t0), one), power0);
  e1 = f32x4.mul(f32x4.add(f32x4.mul(e1, t1), one), power1);
  e2 = f32x4.mul(f32x4.add(f32x4.mul(e2, t2), one), power2);
  e3 = f32x4.mul(f32x4.add(f32x4.mul(e3, t3), one), power3);
  return f32x4.add(f32x4.add(e0, e1), f32x4.add(e2, e3));
}

/** The largest of `count` logits from `at` (`count` a multiple of 4); NaN skipped. */
@inline
function rangeMax(at: usize, count: i32): f32 {
  // pmax(a, x) is a < x ? x : a: one instruction, and a NaN x is skipped
  // (the exp then turns it into a NaN sum). Four accumulators for latency.
  let lanes0 = f32x4.splat(-Infinity);
  let lanes1 = lanes0;
  let lanes2 = lanes0;
  let lanes3 = lanes0;
  let j = 0;
  const end = count & ~15;
  for (; j < end; j += 16) {
    const from = at + (<usize>j << 2);
    lanes0 = f32x4.pmax(lanes0, v128.load(from));
    lanes1 = f32x4.pmax(lanes1, v128.load(from, 16));
    lanes2 = f32x4.pmax(lanes2, v128.load(from, 32));
    lanes3 = f32x4.pmax(lanes3, v128.load(from, 48));
  }
  for (; j < count; j += 4) {
    lanes0 = f32x4.pmax(lanes0, v128.load(at + (<usize>j << 2)));
  }
  const lanes = f32x4.pmax(f32x4.pmax(lanes0, lanes1), f32x4.pmax(lanes2, lanes3));
  return max(max(f32x4.extract_lane(lanes, 0), f32x4.extract_lane(lanes, 1)),
      max(f32x4.extract_lane(lanes, 2), f32x4.extract_lane(lanes, 3)));
}

/** `sum_j 2^64 exp(x_j - shift)` over `count` logits from `at` (a multiple of 4), in float64. */
@inline
function rangeSumExp(at: usize, count: i32, shift: f32, constants: usize): f64 {
  const shiftLanes = f32x4.splat(shift);
  // Float32 lanes over at most BLOCK / 16 additions of four exps each:
  // error below 40 float32 ulps of the sum.
  let sum = f32x4.splat(0);
  let j = 0;
  const end = count & ~15;
  for (; j < end; j += 16) {
    sum = f32x4.add(sum, expSum16(at + (<usize>j << 2), shiftLanes,
        constants));
  }
  for (; j < count; j += 4) {
    sum = f32x4.add(sum, expLanes(
        f32x4.sub(v128.load(at + (<usize>j << 2)), shiftLanes), constants));
  }
  return sumLanes(f64x2.add(lowHalf(sum), highHalf(sum)));
}

/**
 * The row's max (stored at `maxOut`) and `sum_j exp(x_j - max)` (returned,
 * float64), in one read of the row from memory: block by block, each
 * block's max, then its exps while it is in L1 against the largest max so
 * far; a larger max rescales the sum so far by `exp(old - new)` (online
 * softmax). A NaN logit makes the sum NaN, as does a row all -Infinity
 * (exp(-Infinity - -Infinity), as in the cpu kernel).
 *
 * The options, each a branch per block: with `softcap` > 0 the row is
 * read capped (each block capped into the scratch block, its max and sum
 * then read there: one tanh a logit); with `predictedOut` nonzero the row's
 * first argmax (of the values as read; tf.argMax's rule: the first of
 * equal maxima, NaN skipped) is stored there as an int32. It comes from the
 * same read of the row: when a block raises the max, that block, still in
 * L1, is scanned for the max's first index (`firstIndexOf`), which after
 * the first blocks of a row is rare. Measured at 0.54 ns a logit as the
 * plain pass, where the max pass keeping index vectors (select per lane,
 * then a lane reduction to the smallest index) measured 0.91 ([64, 32000],
 * bench/row_pass_binaries.mjs).
 */
function maxAndSumExp(row: usize, numClasses: i32, maxOut: usize,
    constants: usize, softcap: f32, predictedOut: usize): f64 {
  let largest: f32 = -Infinity;
  let predicted = 0;
  // SIMD terms carry expLanes' 2^64; scalar ones do not.
  let scaledSum: f64 = 0;
  let j = 0;
  const end = vectorEnd(numClasses);
  if (ASC_FEATURE_SIMD) {
    for (; j < end; j += BLOCK) {
      let at = row + (<usize>j << 2);
      const count = min(BLOCK, end - j);
      if (softcap > 0) {
        at = constants + SCRATCH_AT;
        capRange(row + (<usize>j << 2), count, softcap, at, constants);
      }
      const blockMax = rangeMax(at, count);
      if (blockMax > largest) {
        scaledSum *= expScalar(<f64>largest - <f64>blockMax);
        largest = blockMax;
        if (predictedOut != 0) {
          predicted = j + firstIndexOf(at, count, blockMax);
        }
      }
      // While the row so far is all -Infinity (or NaN) there is no shift:
      // 0 gives those logits' NaN or a negligible term that a later larger
      // max scales to 0.
      scaledSum += rangeSumExp(at, count,
          largest == -Infinity ? 0 : largest, constants);
    }
    j = end;
  }
  let tailMax: f32 = -Infinity;
  let tailArgMax = 0;
  for (let i = j; i < numClasses; i++) {
    // `>` skips a NaN: the exp below makes it the sum's.
    const value = <f32>readLogit(row, i, softcap, constants);
    if (value > tailMax) {
      tailMax = value;
      tailArgMax = i;
    }
  }
  if (tailMax > largest) {
    scaledSum *= expScalar(<f64>largest - <f64>tailMax);
    largest = tailMax;
    predicted = tailArgMax;
  }
  let sum = scaledSum * EXP_UNSCALE;
  const shift = <f64>largest;
  for (; j < numClasses; j++) {
    sum += <f64><f32>expScalar(
        <f64><f32>readLogit(row, j, softcap, constants) - shift);
  }
  store<f32>(maxOut, largest);
  if (predictedOut != 0) {
    store<i32>(predictedOut, predicted);
  }
  return largest == -Infinity ? NaN : sum;
}

/**
 * `out_j = factor * exp(x_j - shift)` for every logit of a row (`x - shift`
 * rounded to float32, as TensorFlow rounds it, and <= 0: `shift` is at least
 * the row's max), the factor rounded to float32 and the product once.
 */
function writeScaledExp(row: usize, numClasses: i32, shift: f32, factor: f64,
    out: usize, constants: usize): void {
  let j = 0;
  const end = vectorEnd(numClasses);
  if (ASC_FEATURE_SIMD && end > 0) {
    const unscaled = abs(factor * EXP_UNSCALE);
    if (unscaled >= MIN_NORMAL_F32 || unscaled == 0 || isNaN(unscaled)) {
      // 2^-64 folded into the factor, exactly.
      writeExpTimes(row, end, shift, f32x4.splat(<f32>(factor * EXP_UNSCALE)),
          false, out, constants);
    } else {
      // The factor times 2^-64 is subnormal: undo the 2^64 first.
      writeExpTimes(row, end, shift, f32x4.splat(<f32>factor), true, out,
          constants);
    }
    j = end;
  }
  const factor32 = <f32>factor;
  const shift64 = <f64>shift;
  for (; j < numClasses; j++) {
    storeF32At(out, j,
        <f32>expScalar(<f64>f32At(row, j) - shift64) * factor32);
  }
}

@inline
function writeExpTimes(row: usize, end: i32, shift: f32, factorLanes: v128,
    unscaleFirst: bool, out: usize, constants: usize): void {
  const shiftLanes = f32x4.splat(shift);
  let j = 0;
  const end16 = end & ~15;
  for (; j < end16; j += 16) {
    const at = <usize>j << 2;
    exp16(row + at, shiftLanes, constants, out + at, factorLanes,
        unscaleFirst);
  }
  for (; j < end; j += 4) {
    const at = <usize>j << 2;
    let e = expLanes(f32x4.sub(v128.load(row + at), shiftLanes), constants);
    if (unscaleFirst) {
      e = f32x4.mul(e, expConstant(constants, UNSCALE_AT));
    }
    v128.store(out + at, f32x4.mul(e, factorLanes));
  }
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

/** The row's largest logit; NaN if a NaN is among the last `numClasses % 4`. */
function rowMax(row: usize, numClasses: i32): f32 {
  const end = vectorEnd(numClasses);
  let largest: f32 = ASC_FEATURE_SIMD && end > 0 ? rangeMax(row, end) : -Infinity;
  for (let j = end; j < numClasses; j++) {
    largest = max(largest, f32At(row, j));
  }
  return largest;
}

/**
 * The softmax of a row, `exp(x - largest) / sum`, into `out`, as XNNPACK's
 * softmax does it: one pass writes the exps (`expLanes`' 2^64 kept) and
 * sums them, a second scales them in place while the row is in cache
 * (cheaper than a second exp); returns the sum (NaN for a NaN or an
 * all -Infinity row, as in the cpu kernel).
 *
 * With `softcap` > 0, `row` is `out` holding the capped logits
 * (`capRow`), and each entry is times the cap's derivative: a block's exps
 * go into the scratch block, and from there times `(1 - t)(1 + t)`,
 * `t = c / cap`, back over its capped logits (the derivative as
 * `writeSoftmaxTimes` takes it; the sum is the exps'). One branch a block
 * and the exps' destination chosen once a block: the plain pass runs as
 * before (bench/row_passes.mjs, two runs: the forward kernel 0.95-1.07x a
 * softmax before and after).
 */
function softmaxRow(row: usize, numClasses: i32, largest: f32, out: usize,
    constants: usize, softcap: f32): f64 {
  const capped = softcap > 0;
  const inverse = <f32>(1 / <f64>softcap);
  let scaledSum: f64 = 0;
  let j = 0;
  const end = vectorEnd(numClasses);
  if (ASC_FEATURE_SIMD && end > 0) {
    const shiftLanes = f32x4.splat(largest);
    const one = expConstant(constants, ONE_AT);
    for (; j < end; j += BLOCK) {
      // Float32 sums of a block at a time, as in `rangeSumExp`.
      const blockEnd = min(end, j + BLOCK);
      const block16End = j + ((blockEnd - j) & ~15);
      // Capped: the exp of logit i at `to + 4 i`, in the scratch block.
      const to = capped ? constants + SCRATCH_AT - (<usize>j << 2) : out;
      let blockSum = f32x4.splat(0);
      let i = j;
      for (; i < block16End; i += 16) {
        const at = <usize>i << 2;
        blockSum = f32x4.add(blockSum,
            exp16(row + at, shiftLanes, constants, to + at, one, false, false));
      }
      for (; i < blockEnd; i += 4) {
        const at = <usize>i << 2;
        const e = expLanes(f32x4.sub(v128.load(row + at), shiftLanes),
            constants);
        v128.store(to + at, e);
        blockSum = f32x4.add(blockSum, e);
      }
      scaledSum += sumLanes(f64x2.add(lowHalf(blockSum), highHalf(blockSum)));
      if (capped) {
        const inverseLanes = f32x4.splat(inverse);
        for (i = j; i < blockEnd; i += 4) {
          const at = <usize>i << 2;
          const tanh = f32x4.mul(v128.load(out + at), inverseLanes);
          v128.store(out + at, f32x4.mul(v128.load(to + at),
              f32x4.mul(f32x4.sub(one, tanh), f32x4.add(one, tanh))));
        }
      }
    }
    j = end;
  }
  let sum = scaledSum * EXP_UNSCALE;
  const shift = <f64>largest;
  for (; j < numClasses; j++) {
    const value = f32At(row, j);
    const e = <f32>expScalar(<f64>value - shift);
    sum += <f64>e;
    if (capped) {
      const tanh = value * inverse;
      storeF32At(out, j, e * ((1 - tanh) * (1 + tanh)));
    } else {
      storeF32At(out, j, e);
    }
  }
  if (ASC_FEATURE_SIMD && end > 0) {
    const factor = f32x4.splat(<f32>(EXP_UNSCALE / sum));
    let i = 0;
    // Four vectors an iteration: one alone spends as many instructions on
    // the loop as on the load, multiply and store.
    const end16 = end & ~15;
    for (; i < end16; i += 16) {
      const at = out + (<usize>i << 2);
      v128.store(at, f32x4.mul(v128.load(at), factor));
      v128.store(at, f32x4.mul(v128.load(at, 16), factor), 16);
      v128.store(at, f32x4.mul(v128.load(at, 32), factor), 32);
      v128.store(at, f32x4.mul(v128.load(at, 48), factor), 48);
    }
    for (; i < end; i += 4) {
      const at = out + (<usize>i << 2);
      v128.store(at, f32x4.mul(v128.load(at), factor));
    }
  }
  const factor = <f32>(1 / sum);
  for (let i = end; i < numClasses; i++) {
    storeF32At(out, i, f32At(out, i) * factor);
  }
  return sum;
}

/**
 * The capped logits `cap * tanh(x / cap)` of a row into `out`, block by
 * block, each block's max taken while it is in L1; returns the row's max
 * (NaN if a NaN is among the last `numClasses % 4`, as `rowMax`). The tail
 * as `readLogit` reads it.
 */
function capRow(row: usize, numClasses: i32, softcap: f32, out: usize,
    constants: usize): f32 {
  let largest: f32 = -Infinity;
  let j = 0;
  const end = vectorEnd(numClasses);
  if (ASC_FEATURE_SIMD) {
    for (; j < end; j += BLOCK) {
      const at = <usize>j << 2;
      const count = min(BLOCK, end - j);
      capRange(row + at, count, softcap, out + at, constants);
      // `rowMax` called, once a block (`rangeMax` inlined here too would
      // weigh on the binary).
      largest = max(largest, rowMax(out + at, count));
    }
    j = end;
  }
  for (; j < numClasses; j++) {
    const value = <f32>capScalar(f32At(row, j), softcap, constants, false);
    storeF32At(out, j, value);
    largest = max(largest, value);
  }
  return largest;
}

/**
 * The forward kernel: per row, `loss = log(sumExp) - (x_y - rowMax)` and
 * `backprop = exp(x - rowMax) / sumExp - onehot(y)`, and at a nonzero
 * `logSumExp` offset each row's `rowMax + log(sumExp)`. With `softcap` > 0
 * (0 or NaN, an omitted argument: uncapped) the row is read capped,
 * `c = cap * tanh(x / cap)`, and `backprop` is d loss / d x through the
 * cap, `(exp(c - rowMax) / sumExp - onehot(y)) * (1 - t^2)`, `t = c / cap`,
 * so the gradient kernel's in-place `dLoss * backprop` is the whole
 * gradient: one tanh and one exp a logit (`capRow`, then `softmaxRow` on
 * the capped row in place). A label outside `[0, numClasses)` gives a NaN
 * row (the JavaScript side rejects such labels before it calls this).
 */
export function forward(features: usize, labels: usize, loss: usize,
    backprop: usize, batch: i32, numClasses: i32, constants: usize,
    logSumExp: usize, softcap: f32): void {
  for (let row = 0; row < batch; row++) {
    const rowOffset = <usize>row * <usize>numClasses << 2;
    const logits = features + rowOffset;
    const out = backprop + rowOffset;
    const label = load<i32>(labels + (<usize>row << 2));
    if (!isLabel(label, numClasses)) {
      storeF32At(loss, row, NaN);
      fillNaN(out, numClasses);
      if (logSumExp != 0) storeF32At(logSumExp, row, NaN);
      continue;
    }
    const capped = softcap > 0;
    const largest = capped ?
        capRow(logits, numClasses, softcap, out, constants) :
        rowMax(logits, numClasses);
    const labelTanh: f32 =
        capped ? f32At(out, label) * <f32>(1 / <f64>softcap) : 0;
    const shift = <f64>largest;
    const sum = softmaxRow(capped ? out : logits, numClasses, largest, out,
        constants, softcap);
    // `p - 1` at the label, times its derivative when capped: `p s - s`
    // (uncapped, t = 0: s = 1 exactly).
    storeF32At(out, label,
        f32At(out, label) - (1 - labelTanh) * (1 + labelTanh));
    const logSum = log(sum);
    storeF32At(loss, row, <f32>(logSum -
        (readLogit(logits, label, softcap, constants) - shift)));
    if (logSumExp != 0) storeF32At(logSumExp, row, <f32>(shift + logSum));
  }
}

/**
 * The loss-only kernel: per row `loss`, `rowMax` and
 * `logSumExp = log(sum_j exp(x_j - rowMax))`; nothing of the logits' size.
 * Its options (`SparseSoftmaxCrossEntropyLossAttrs`): the logits read
 * capped by `softcap` when > 0 (0 or NaN, an omitted argument: uncapped), and with `predicted` nonzero each
 * row's first argmax of the logits as read, int32, at `predicted`.
 */
export function lossForward(features: usize, labels: usize, loss: usize,
    rowMaxOut: usize, logSumExpOut: usize, batch: i32, numClasses: i32,
    constants: usize, predicted: usize, softcap: f32): void {
  for (let row = 0; row < batch; row++) {
    const logits = features + (<usize>row * <usize>numClasses << 2);
    const label = load<i32>(labels + (<usize>row << 2));
    const rowMaxAt = rowMaxOut + (<usize>row << 2);
    const logSum = log(maxAndSumExp(logits, numClasses, rowMaxAt, constants,
        softcap, predicted == 0 ? 0 : predicted + (<usize>row << 2)));
    const shift = <f64>load<f32>(rowMaxAt);
    storeF32At(logSumExpOut, row, <f32>logSum);
    storeF32At(loss, row, isLabel(label, numClasses) ?
        <f32>(logSum - (readLogit(logits, label, softcap, constants) -
            shift)) : NaN);
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
    // Four vectors an iteration, as in `softmaxRow`'s scaling.
    const end16 = end & ~15;
    for (; j < end16; j += 16) {
      const at = <usize>j << 2;
      const from = values + at;
      const to = out + at;
      v128.store(to, f32x4.mul(v128.load(from), scaleLanes));
      v128.store(to, f32x4.mul(v128.load(from, 16), scaleLanes), 16);
      v128.store(to, f32x4.mul(v128.load(from, 32), scaleLanes), 32);
      v128.store(to, f32x4.mul(v128.load(from, 48), scaleLanes), 48);
    }
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
 * `dFeatures = dLoss * backprop + (dBackprop - sum_j dBackprop_j p_j) * p`
 * `+ dLogSumExp * p`; one pass, `(dLoss + dLogSumExp) * backprop` and
 * `dLogSumExp` added at the label, when `hasUpstream` is false. A
 * `dLogSumExp` offset of 0 (or omitted) means none.
 */
export function backpropGrad(backprop: usize, labels: usize, dLoss: usize,
    dBackprop: usize, hasUpstream: bool, dFeatures: usize, batch: i32,
    numClasses: i32, dLogSumExp: usize): void {
  for (let row = 0; row < batch; row++) {
    const rowOffset = <usize>row * <usize>numClasses << 2;
    const backpropRow = backprop + rowOffset;
    const out = dFeatures + rowOffset;
    const label = load<i32>(labels + (<usize>row << 2));
    if (!isLabel(label, numClasses)) {
      fillNaN(out, numClasses);
      continue;
    }
    const rowLseGrad: f64 = dLogSumExp == 0 ? 0 : <f64>f32At(dLogSumExp, row);
    const rowLossGrad = <f32>(<f64>f32At(dLoss, row) + rowLseGrad);
    let labelTerm = rowLseGrad;
    if (!hasUpstream) {
      scaledRow(backpropRow, out, numClasses, rowLossGrad);
    } else {
      const upstream = dBackprop + rowOffset;
      const labelUpstream = <f64>f32At(upstream, label);
      const dot = labelUpstream + rowDot(upstream, backpropRow, numClasses);
      backpropTimesUpstream(backpropRow, upstream, out, numClasses,
          <f64>rowLossGrad, dot);
      labelTerm += labelUpstream - dot;
    }
    if (labelTerm != 0) {
      storeF32At(out, label, <f32>(<f64>f32At(out, label) + labelTerm));
    }
  }
}

/**
 * The loss-only kernel's gradient: per row,
 * `dFeatures = (dLoss + dLogSumExp) * softmax - dLoss * onehot(y)`, the
 * softmax rebuilt as `exp(x - rowMax - logSumExp)`. With `softcap` > 0
 * the softmax is the capped row's and each entry is times the cap's
 * derivative `1 - tanh(x_j / softcap)^2`.
 */
export function lossGrad(features: usize, labels: usize, rowMaxIn: usize,
    logSumExpIn: usize, dLoss: usize, dLogSumExp: usize, dFeatures: usize,
    batch: i32, numClasses: i32, constants: usize, softcap: f32): void {
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
    const factor = <f64><f32>(scale * expScalar(-logSum));
    writeSoftmaxTimes(logits, numClasses, <f32>shift, factor, softcap, out,
        constants);
    const labelDerivative: f64 = softcap > 0 ?
        capScalar(f32At(logits, label), softcap, constants, true) : 1;
    const labelProbability =
        expScalar(readLogit(logits, label, softcap, constants) - shift -
            logSum);
    storeF32At(out, label, <f32>((scale == oneHot ?
        scale * (labelProbability - 1) : scale * labelProbability - oneHot) *
        labelDerivative));
  }
}

// Soft-capping (Gemma 2's `cap * tanh(x / cap)`), the loss-only kernels'
// option: `lossForward` and `lossGrad` branch on it per block (per row in
// the gradient), outside their inner loops, so the plain passes run as
// before (bench/row_pass_binaries.mjs, same run: equal within noise). Also
// the forward kernel's, for the capped training step on cpu and wasm
// (`forward`: `capRow`, then `softmaxRow`, which branches per block).
//
// tanh from the exp above: with y = x / cap, d = -2|y| and
// em = expm1(d) = exp(d) - 1, tanh|y| = -em / (2 + em). expm1 comes from
// `expLanes`' own reduction: 2^k exp(r) - 1 = 2^k s + (2^k - 1) with
// s = r + r^2 q(r) (exp(r) - 1 without the 1), so there is no cancellation
// near 0 (k = 0: em = s; tanh(y) ~ y keeps its relative precision). Float32
// lanes, one division a vector. Bound against float64's
// `cap * tanh(x / cap)`: within 5 float32 ulps of it (five roundings: 1 / cap,
// x / cap, 2 + em, the division, the product with cap; measured 4.0 at
// most, over magnitudes 1e-30 to 1e30 by test/softcap_lanes.test.ts).
// The gradient's factor `1 - tanh^2` is taken from the capped value as
// TensorFlow's TanhGrad takes it from tanh, `(1 - t)(1 + t)` with
// t = capped / cap: within 2 ulps plus 2^-21 absolute (t's error times
// 2|t|, where 1 - t^2 cancels as tanh saturates). A row's tail (its last
// numClasses % 4 logits) is read by the same lanes, so equal logits read
// equal anywhere in a row. The scalar binary takes the same route in
// float64 (`tanhScalar`, the derivative as 4 exp(d) / (2 + em)^2): within
// 1e-9 relative before the rounding to float32.

/** d below this gives 2^k = 0 (k = -127): exp(d) < 2^-126, tanh = 1. */
const TANH_MIN_INPUT: f32 = -88;
/** As MAGIC_F32 without the 2^64: 2^k itself. */
const MAGIC_UNSCALED: f32 = 12583039; // 1.5 * 2^23 + 127
/** Float64 scalars: exp(-1400) underflows float64's normal range at -708. */
const TANH_MIN_INPUT_F64: f64 = -700;

/**
 * `cap * tanh(x / cap)` for four float32 lanes of `x`, given
 * `twoOverCapLanes` (2 / cap) and `negativeCapLanes` (-cap). NaN stays NaN;
 * +-Infinity give +-cap.
 */
@inline
function softcapLanes(x: v128, twoOverCapLanes: v128,
    negativeCapLanes: v128, constants: usize): v128 {
  // d = -|2x / cap| (the sign bit set), 2 / cap rounded as 1 / cap is;
  // pmax keeps a NaN (it compares d < MIN, false for NaN).
  const sign = expConstant(constants, SIGN_AT);
  const d = f32x4.pmax(v128.or(f32x4.mul(x, twoOverCapLanes), sign),
      expConstant(constants, TANH_MIN_INPUT_AT));
  const magic = expConstant(constants, MAGIC_UNSCALED_AT);
  const shifted = f32x4.add(
      f32x4.mul(d, expConstant(constants, LOG2_E_AT)), magic);
  const power = i32x4.shl(shifted, 23);
  const k = f32x4.sub(shifted, magic);
  let r = f32x4.sub(d, f32x4.mul(k, expConstant(constants, LN2_HIGH_AT)));
  r = f32x4.sub(r, f32x4.mul(k, expConstant(constants, LN2_LOW_AT)));
  let q = f32x4.add(f32x4.mul(expConstant(constants, Q0_AT), r),
      expConstant(constants, Q1_AT));
  q = f32x4.add(f32x4.mul(q, r), expConstant(constants, Q2_AT));
  q = f32x4.add(f32x4.mul(q, r), expConstant(constants, Q3_AT));
  q = f32x4.add(f32x4.mul(q, r), expConstant(constants, Q4_AT));
  const expm1 = f32x4.add(
      f32x4.mul(power, f32x4.add(f32x4.mul(q, f32x4.mul(r, r)), r)),
      f32x4.sub(power, expConstant(constants, ONE_AT)));
  const twoPlusExpm1 = f32x4.add(expm1, expConstant(constants, TWO_AT));
  // -tanh|y| times -cap, with x's sign.
  return v128.xor(f32x4.mul(f32x4.div(expm1, twoPlusExpm1), negativeCapLanes),
      v128.and(x, sign));
}

/**
 * `tanh(y)` in float64 (within 1e-9 relative), or with `derivative`
 * `1 - tanh(y)^2`, by the route above. Not inlined: it runs per logit only
 * in row tails and the scalar binary.
 */
function tanhScalar(y: f64, derivative: bool): f64 {
  const d = max(-2 * abs(y), TANH_MIN_INPUT_F64);
  const k = nearest(d * LOG2_E);
  const r = d - k * LN2;
  const s = r * (1 + r * (C2 + r * (C3 + r * (C4 + r * (C5 + r * (C6 +
      r * (C7 + r * C8)))))));
  const power = reinterpret<f64>(
      (<i64>k + FLOAT64_EXPONENT_BIAS) << FLOAT64_MANTISSA_BITS);
  const expm1 = power * s + (power - 1);
  if (derivative) {
    return 4 * (power * s + power) / ((2 + expm1) * (2 + expm1));
  }
  return copysign(expm1 / (2 + expm1), y);
}

/**
 * A logit as the passes read it: capped when `softcap` > 0 (not 0 or NaN).
 * One logit of a row's tail: in the SIMD binary by `softcapLanes` (a vector
 * of four copies, in the scratch block), so that equal logits read
 * equal wherever they lie in the row (ties, for the argmax); in float64 in
 * the scalar binary.
 */
@inline
function readLogit(row: usize, index: i32, softcap: f32, constants: usize):
    f64 {
  const x = f32At(row, index);
  return softcap > 0 ? capScalar(x, softcap, constants, false) : <f64>x;
}

/**
 * `cap * tanh(x / cap)` as `readLogit` says, or with `derivative`
 * `1 - tanh(x / cap)^2` (in the SIMD binary as `timesCapDerivative`).
 */
function capScalar(x: f32, softcap: f32, constants: usize, derivative: bool):
    f64 {
  if (ASC_FEATURE_SIMD) {
    const at = constants + SCRATCH_AT;
    v128.store(at, f32x4.splat(x));
    capRange(at, 4, softcap, at, constants);
    const capped = load<f32>(at);
    const tanh = capped * <f32>(1 / <f64>softcap);
    return derivative ? <f64>((1 - tanh) * (1 + tanh)) : <f64>capped;
  }
  const y = <f64>x / <f64>softcap;
  return derivative ? tanhScalar(y, true) : <f64>softcap * tanhScalar(y, false);
}

/**
 * `out_j = cap * tanh(x_j / cap)` for `count` logits from `at` (a multiple
 * of 4), four vectors an iteration: one alone is a chain of some 30
 * dependent instructions that the processor barely overlaps with the next
 * (2.4 against 1.5 ns a logit for the capped forward, measured).
 */
function capRange(at: usize, count: i32, softcap: f32, out: usize,
    constants: usize): void {
  const twoOverCapLanes = f32x4.splat(<f32>(2 / <f64>softcap));
  const negativeCapLanes = f32x4.splat(-softcap);
  let j = 0;
  const end16 = count & ~15;
  for (; j < end16; j += 16) {
    const offset = <usize>j << 2;
    const from = at + offset;
    const capped0 = softcapLanes(v128.load(from), twoOverCapLanes,
        negativeCapLanes, constants);
    const capped1 = softcapLanes(v128.load(from, 16), twoOverCapLanes,
        negativeCapLanes, constants);
    const capped2 = softcapLanes(v128.load(from, 32), twoOverCapLanes,
        negativeCapLanes, constants);
    const capped3 = softcapLanes(v128.load(from, 48), twoOverCapLanes,
        negativeCapLanes, constants);
    const to = out + offset;
    v128.store(to, capped0);
    v128.store(to, capped1, 16);
    v128.store(to, capped2, 32);
    v128.store(to, capped3, 48);
  }
  for (; j < count; j += 4) {
    const offset = <usize>j << 2;
    v128.store(out + offset, softcapLanes(v128.load(at + offset),
        twoOverCapLanes, negativeCapLanes, constants));
  }
}

/**
 * The index of the first of `count` values from `at` (a multiple of 4)
 * equal to `value` (present: the block's max, just found), scanning the
 * block while it is in L1.
 */
function firstIndexOf(at: usize, count: i32, value: f32): i32 {
  const valueLanes = f32x4.splat(value);
  let j = 0;
  for (; j < count; j += 4) {
    const lanes = i32x4.bitmask(
        f32x4.eq(v128.load(at + (<usize>j << 2)), valueLanes));
    if (lanes != 0) {
      return j + ctz(lanes);
    }
  }
  return j;
}

/**
 * `writeScaledExp` over the row, capped when `softcap` > 0 and then times
 * the cap's derivative: `out_j = factor * exp(c_j - shift) *
 * (1 - tanh(x_j / cap)^2)` with `c_j = cap * tanh(x_j / cap)`. Capped, a
 * block at a time: the capped logits into the scratch block (L1),
 * `writeScaledExp` from there, then the product with the derivative, taken
 * from the capped logits as TensorFlow's `TanhGrad` takes it from tanh:
 * `(1 - t)(1 + t)`, `t = c / cap` (float32: within 2 ulps plus 2^-21
 * absolute, where 1 - t^2 loses bits to cancellation as it saturates).
 * One call of `writeScaledExp` for both: binaryen inlines a function with
 * one caller, and V8 ran the capped gradient at 2.2 ns a logit with it
 * called, 1.7 with it inlined ([64, 32000]).
 */
function writeSoftmaxTimes(row: usize, numClasses: i32, shift: f32,
    factor: f64, softcap: f32, out: usize, constants: usize): void {
  const capped = softcap > 0;
  const scratch = constants + SCRATCH_AT;
  // Uncapped: the whole row at once. Capped: the SIMD part by blocks, then
  // the tail (none in the scalar binary, all of it there).
  const end = capped ? vectorEnd(numClasses) : numClasses;
  let j = 0;
  while (j < end) {
    const offset = <usize>j << 2;
    const count = capped ? min(BLOCK, end - j) : numClasses;
    if (ASC_FEATURE_SIMD && capped) {
      capRange(row + offset, count, softcap, scratch, constants);
    }
    writeScaledExp(capped ? scratch : row + offset, count, shift, factor,
        out + offset, constants);
    if (ASC_FEATURE_SIMD && capped) {
      const inverseLanes = f32x4.splat(<f32>(1 / <f64>softcap));
      const one = expConstant(constants, ONE_AT);
      for (let i = 0; i < count; i += 4) {
        const at = <usize>i << 2;
        const tanh = f32x4.mul(v128.load(scratch + at), inverseLanes);
        v128.store(out + offset + at, f32x4.mul(v128.load(out + offset + at),
            f32x4.mul(f32x4.sub(one, tanh), f32x4.add(one, tanh))));
      }
    }
    j += count;
  }
  if (!capped) {
    return;
  }
  const factor32 = <f32>factor;
  const shift64 = <f64>shift;
  for (; j < numClasses; j++) {
    const x = f32At(row, j);
    storeF32At(out, j, <f32>(<f64>(<f32>expScalar(
        <f64><f32>capScalar(x, softcap, constants, false) - shift64) *
        factor32) * capScalar(x, softcap, constants, true)));
  }
}
