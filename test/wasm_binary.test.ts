/**
 * The committed inline binaries (src/kernels/row_passes/row_passes_binary.ts) are
 * what the AssemblyScript source compiles to, and own no memory.
 */
import {execFileSync} from 'node:child_process';
import {join} from 'node:path';

import {withSharedMemory} from '../src/kernels/row_passes/row_passes';
import {scalarHex, simdHex} from '../src/kernels/row_passes/row_passes_binary';

const sharedSimdHex = Buffer.from(
    withSharedMemory(Buffer.from(simdHex, 'hex'))).toString('hex');

it('row_passes_binary.ts is up to date with assembly/row_passes.ts', () => {
  // Exits 1, printing which file, when the compiled source differs.
  execFileSync(process.execPath,
      [join(__dirname, '..', 'scripts', 'build_wasm.mjs'), '--check'],
      {stdio: 'pipe'});
});

it('the shared-memory binary, derived from the SIMD one, is what the ' +
   'source compiles to with --sharedMemory', () => {
  expect(sharedSimdHex).toEqual(execFileSync(process.execPath,
      [join(__dirname, '..', 'scripts', 'build_wasm.mjs'), '--print-shared'],
      {encoding: 'utf8'}));
});

it('each binary imports only the host\'s memory and Math.log', () => {
  for (const hex of [simdHex, scalarHex, sharedSimdHex]) {
    const module = new WebAssembly.Module(Buffer.from(hex, 'hex'));
    expect(WebAssembly.Module.imports(module).map(i => `${i.module}.${i.name}:${i.kind}`).sort())
        .toEqual(['Math.log:function', 'env.memory:memory']);
    expect(WebAssembly.Module.exports(module).map(e => e.name).sort())
        .toEqual(['backpropGrad', 'expConstantsBytes', 'forward', 'isAllZero',
          'lossForward', 'lossGrad', 'writeExpConstants']);
  }
});

it('the SIMD exp is within 1 ulp of exp, the scalar one within 0.51 ' +
   'ulps (normal float32 results)', () => {
  const count = 1 << 20;
  const memory = new WebAssembly.Memory({initial: 160});
  // The loss-only gradient with rowMax = logSumExp = dLoss = 0 and
  // dLogSumExp = 1 is exp(x) for one row of logits x in [-87, 0].
  const logits = new Float32Array(memory.buffer, 0, count);
  logits.forEach((_, i) => logits[i] = -87 * i / count);
  const labels = 4 * count;
  const scalars = labels + 16;
  new Float32Array(memory.buffer, scalars, 4).set([0, 0, 0, 1]);
  const constants = scalars + 16;
  const out = constants + 1024;
  // Scalar: float64, 3e-10 relative before the rounding to float32.
  const bound = {simd: 1, scalar: 0.51};
  for (const [variant, hex] of [['simd', simdHex], ['scalar', scalarHex]] as const) {
    const exports = new WebAssembly.Instance(
        new WebAssembly.Module(Buffer.from(hex, 'hex')),
        {env: {memory}, Math: {log: Math.log}}).exports as {[name: string]: CallableFunction};
    exports.writeExpConstants(constants);
    exports.lossGrad(0, labels, scalars, scalars + 4, scalars + 8, scalars + 12,
        out, 1, count, constants);
    const values = new Float32Array(memory.buffer, out, count);
    let worst = 0;
    for (let i = 1; i < count; i++) {
      const exact = Math.exp(logits[i]);
      const ulp = 2 ** (Math.floor(Math.log2(Math.fround(exact))) - 23);
      worst = Math.max(worst, Math.abs(values[i] - exact) / ulp);
    }
    expect({variant, worst, within: worst <= bound[variant]})
        .toEqual({variant, worst, within: true});
  }
});
