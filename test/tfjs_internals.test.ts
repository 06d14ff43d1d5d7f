/**
 * The seam's capability checks (src/tfjs_internals.ts): where a tfjs
 * release no longer has a private field, each function takes its fallback or
 * throws an error that names the tfjs versions the package was written for.
 * The fields themselves are exercised on real backends by every lane, and
 * on tfjs 4.0.0 and 4.22.0 by tfjs_versions.test.ts.
 */
import * as tf from '@tensorflow/tfjs';

import {gradientIsRecorded, isPackedOnWebgl, loadedCommonJsExports, savesAliases, valuesNotOnGpu, wasmHeap, wasmHeapOffset, webglTextureShape} from '../src/tfjs_internals';

const info = {dataId: {}, shape: [2, 3], dtype: 'float32' as const};
const NAMES_VERSIONS = /tfjs 4\.0\.0 to 4\.22\.0 keep it \(this is tfjs-core 4\.\d+\.\d+\)/;

describe('tfjs_internals on a backend laid out otherwise', () => {
  it('finds no wasm heap, so the wasm kernels take the fallback', () => {
    expect(wasmHeap({})).toBeNull();
    expect(wasmHeap({wasm: {_malloc: () => 0}})).toBeNull();
  });

  it('names the versions when a tensor has no heap offset', () => {
    expect(() => wasmHeapOffset({}, info)).toThrow(NAMES_VERSIONS);
    expect(() => wasmHeapOffset({dataIdMap: {get: () => ({})}}, info))
        .toThrow(/dataIdMap/);
  });

  it('names the versions when WebGL keeps no texture data', () => {
    expect(() => isPackedOnWebgl({}, info)).toThrow(NAMES_VERSIONS);
    expect(() => webglTextureShape({texData: {get: () => undefined}}, info))
        .toThrow(/texData/);
  });

  it('reports no CPU-side values, so the GPU gradients run the full pass',
     () => {
       expect(valuesNotOnGpu({}, info)).toBeUndefined();
       const values = new Float32Array(6);
       expect(valuesNotOnGpu({texData: {get: () => ({values})}}, info))
           .toBe(values);
       expect(valuesNotOnGpu(
           {tensorMap: {get: () => ({values, resource: {}})}}, info))
           .toBeUndefined();
     });
});

describe('tfjs_internals on this tfjs', () => {
  it('reads the gradient depth: first order is not recorded, second is',
     () => {
       const depths: boolean[] = [];
       const x = tf.scalar(2);
       tf.grad(a => tf.grad(b => {
         depths.push(gradientIsRecorded(), savesAliases());
         return tf.square(b);
       })(a))(x);
       tf.grad(a => {
         depths.push(gradientIsRecorded(), savesAliases());
         return tf.square(a);
       })(x);
       expect(depths).toEqual([true, false, false, true]);
     });

  it('sees the CommonJS modules loaded so far', () => {
    expect(loadedCommonJsExports().length).toBeGreaterThan(0);
  });
});
