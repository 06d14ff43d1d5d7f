/** Largest finite float16. */
export const FLOAT16_MAX = 65504;

function roundHalfToEven(value: number): number {
  const floor = Math.floor(value);
  const fraction = value - floor;
  if (fraction !== 0.5) {
    return fraction < 0.5 ? floor : floor + 1;
  }
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * The float16 nearest to `value` (ties to even), with magnitudes beyond
 * `FLOAT16_MAX`, infinities included, clamped to it; NaN stays NaN.
 */
export function toFloat16(value: number): number {
  if (Number.isNaN(value) || value === 0) {
    return value;
  }
  const magnitude = Math.min(Math.abs(value), FLOAT16_MAX);
  // 10 fraction bits; below 2^-14 the spacing stays 2^-24 (subnormals).
  const exponent = Math.max(Math.floor(Math.log2(magnitude)), -14);
  const spacing = 2 ** (exponent - 10);
  return Math.sign(value) * roundHalfToEven(magnitude / spacing) * spacing;
}
