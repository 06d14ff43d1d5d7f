/**
 * The SIMD row passes' float32 exp (`expLanes` and `exp16` in
 * src/kernels/wasm/assembly/row_passes.ts) against float64's exp over a
 * dense sweep: every 64th float32 from 0 down to -104 (17 million inputs),
 * taken through the loss-only gradient pass, which with rowMax = logSumExp
 * = dLoss = 0 and dLogSumExp = 1 writes exp(x) for a row of logits x.
 * Normal results must be within 1 ulp (the source states 0.989 measured);
 * subnormal ones (below exp(-87.34)) within one subnormal step, 2^-149.
 */
import {simdHex} from '../src/kernels/row_passes/row_passes_binary';

const CHUNK = 1 << 22;
const STRIDE = 64;

it('the SIMD exp is within 1 ulp of float64\'s exp on every 64th float32 ' +
   'of [-104, 0]', () => {
  const memory = new WebAssembly.Memory({initial: 2 * CHUNK * 4 / 65536 + 2});
  const exports = new WebAssembly.Instance(
      new WebAssembly.Module(Buffer.from(simdHex, 'hex')),
      {env: {memory}, Math: {log: Math.log}}).exports as
      {[name: string]: CallableFunction};
  const logitsAt = 0;
  const outAt = CHUNK * 4;
  const labelsAt = 2 * CHUNK * 4;
  const scalarsAt = labelsAt + 16;
  const constantsAt = scalarsAt + 16;
  new Int32Array(memory.buffer, labelsAt, 1)[0] = 0;
  new Float32Array(memory.buffer, scalarsAt, 4).set([0, 0, 0, 1]);
  exports.writeExpConstants(constantsAt);

  const logits = new Float32Array(memory.buffer, logitsAt, CHUNK);
  const out = new Float32Array(memory.buffer, outAt, CHUNK);
  const bits = new Uint32Array(logits.buffer, logitsAt, CHUNK);
  let worstNormal = {ulps: 0, at: 0};
  let worstSubnormal = {steps: 0, at: 0};
  let count = 0;
  // Float32 bit patterns from -0 (0x80000000) towards -Infinity.
  const last = 0xc2d00000;  // -104
  for (let start = 0x80000000; start <= last; start += CHUNK * STRIDE) {
    const length = Math.min(CHUNK, Math.floor((last - start) / STRIDE) + 1);
    for (let i = 0; i < length; i++) {
      bits[i] = start + i * STRIDE;
    }
    exports.lossGrad(logitsAt, labelsAt, scalarsAt, scalarsAt + 4,
        scalarsAt + 8, scalarsAt + 12, outAt, 1, length, constantsAt);
    // Element 0 is the row's label, written by the scalar path.
    for (let i = start === 0x80000000 ? 1 : 0; i < length; i++) {
      const exact = Math.exp(logits[i]);
      const error = Math.abs(out[i] - exact);
      if (exact >= 2 ** -126) {
        const ulps = error / 2 ** (Math.floor(Math.log2(exact)) - 23);
        if (ulps > worstNormal.ulps) worstNormal = {ulps, at: logits[i]};
      } else {
        const steps = error / 2 ** -149;
        if (steps > worstSubnormal.steps) {
          worstSubnormal = {steps, at: logits[i]};
        }
      }
    }
    count += length;
  }
  expect(count).toBeGreaterThan(16e6);
  expect({worstNormal, within: worstNormal.ulps <= 1})
      .toEqual({worstNormal, within: true});
  expect({worstSubnormal, within: worstSubnormal.steps <= 1})
      .toEqual({worstSubnormal, within: true});
});
