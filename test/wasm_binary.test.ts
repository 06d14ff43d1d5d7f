/**
 * The committed inline binaries (src/kernels/wasm/row_passes_binary.ts) are
 * what the AssemblyScript source compiles to, and own no memory.
 */
import {execFileSync} from 'node:child_process';
import {join} from 'node:path';

import {scalarBase64, sharedSimdBase64, simdBase64} from '../src/kernels/wasm/row_passes_binary';

it('row_passes_binary.ts is up to date with assembly/row_passes.ts', () => {
  // Exits 1, printing which file, when the compiled source differs.
  execFileSync(process.execPath,
      [join(__dirname, '..', 'scripts', 'build_wasm.mjs'), '--check'],
      {stdio: 'pipe'});
});

it('each binary imports only the host\'s memory and Math.log', () => {
  for (const base64 of [simdBase64, scalarBase64, sharedSimdBase64]) {
    const module = new WebAssembly.Module(Buffer.from(base64, 'base64'));
    expect(WebAssembly.Module.imports(module).map(i => `${i.module}.${i.name}:${i.kind}`).sort())
        .toEqual(['Math.log:function', 'env.memory:memory']);
    expect(WebAssembly.Module.exports(module).map(e => e.name).sort())
        .toEqual(['backpropGrad', 'forward', 'isAllZero', 'lossForward', 'lossGrad']);
  }
});
