/*
 * Soft-capping in the GPU kernels (webgl, webgpu): with a `softcap` uniform
 * the programs read each logit `x` as `softcap * tanh(x / softcap)`, and
 * the gradient programs multiply by its slope `1 - tanh(x / softcap)^2`.
 * The expressions below are the same text in GLSL and WGSL.
 *
 * Method: with `e = exp(-2 |x| / softcap)`, in `[0, 1]` so it never
 * overflows (a GPU's `tanh(y)` may take `exp(2y)` and give NaN at
 * `y = 1e4 / 30`), and `r = 1 / (1 + e)`, in `[1/2, 1]`,
 *
 *   tanh(x / softcap)       = sign(x) * (1 - e) / (1 + e) = sign(x) * (2r - 1)
 *   1 - tanh(x / softcap)^2 = 4 e / (1 + e)^2             = 4 e r^2
 *
 * one division per logit (`-2 / softcap` is the same for all). The slope
 * has no cancellation where tanh rounds to +-1 (`|x| > 9 softcap` in
 * float32): it stays the small number it is. `2r - 1` is exact to about
 * float32's epsilon, so a capped logit is within a few `softcap * 2^-24`
 * (plus exp's own error) of the exact value. `x = +-Infinity` gives
 * `e = 0`: exactly `+-softcap`, slope 0; NaN stays NaN.
 */

/** `e` of `x` (an expression) for the cap `softcap` (an expression). */
export function softcapRatio(x: string, softcap: string): string {
  return `exp(abs(${x}) * (-2.0 / ${softcap}))`;
}

/** `r = 1 / (1 + e)` from the ratio `e`. */
export function softcapReciprocal(e: string): string {
  return `1.0 / (1.0 + ${e})`;
}

/** `softcap * tanh(x / softcap)` from `x`, its `r` and `softcap`. */
export function cappedLogit(x: string, r: string, softcap: string): string {
  return `sign(${x}) * (${softcap} * (2.0 * ${r} - 1.0))`;
}

/** `1 - tanh(x / softcap)^2` from the ratio `e` and `r`. */
export function softcapSlope(e: string, r: string): string {
  return `4.0 * ${e} * ${r} * ${r}`;
}

/**
 * The values of the uniform `softcap` as the programs take them: none for
 * an uncapped program (whose source has no such uniform).
 */
export function softcapUniformValues(softcap?: number): number[][] {
  return softcap == null ? [] : [[softcap]];
}
