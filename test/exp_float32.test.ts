import {expFloat32} from '../src/kernels/exp_float32';

/** Distance in float32 ulps between two values rounded to float32. */
function float32UlpDistance(a: number, b: number): number {
  const bits = new Int32Array(Float32Array.of(a, b).buffer);
  return Math.abs(bits[0] - bits[1]);
}

describe('expFloat32', () => {
  it('is within one float32 ulp of Math.exp over its whole range', () => {
    const tooFar: number[] = [];
    // The range of float32 results, in a deterministic sweep of 260k inputs.
    for (let x = -104; x <= 88.7; x += 0.000731) {
      const input = Math.fround(x);
      if (float32UlpDistance(expFloat32(input), Math.exp(input)) > 1) {
        tooFar.push(input);
      }
    }
    expect(tooFar).toEqual([]);
  });

  it('is exact where the softmax needs it and handles the edges', () => {
    expect(expFloat32(0)).toBe(1);
    expect(expFloat32(-0)).toBe(1);
    expect(expFloat32(-Infinity)).toBe(0);
    expect(expFloat32(-1000)).toBe(0);
    expect(expFloat32(Infinity)).toBe(Infinity);
    expect(expFloat32(1000)).toBe(Infinity);
    expect(expFloat32(NaN)).toBeNaN();
    // Subnormal float32 results keep their value.
    expect(Math.fround(expFloat32(-100))).toBe(Math.fround(Math.exp(-100)));
  });
});
