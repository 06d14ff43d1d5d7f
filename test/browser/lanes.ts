/**
 * The browser lanes: a backend and the tfjs flags set before it initialises.
 * Plain data, shared by the jest side (which opens one page per lane) and the
 * page (which applies the flags and checks that they took effect).
 */

export type Flags = {[flag: string]: boolean|number};

export interface Lane {
  name: string;
  backend: 'cpu'|'webgl'|'webgpu'|'wasm';
  flags: Flags;
  /**
   * Whether the page loads everything by script tags (tfjs's bundles and
   * the package's UMD bundle) rather than the package's bundled sources.
   */
  scriptTags?: boolean;
  /** What the lane must really get; tfjs falls back silently otherwise. */
  expected: {
    /** The WebGL context's version (webgl lanes). */
    webglVersion?: 1|2;
    /** Bits per float the backend's textures (or arrays) store. */
    floatPrecision: 16|32;
    /** Which of the package's wasm binaries runs (wasm lanes). */
    wasmRowPasses?: 'simd'|'scalar'|'sharedSimd';
  };
}

/**
 * Every WebGL lane runs real shaders: no forwarding of small ops to the CPU,
 * and no uploading of small tensors as uniforms.
 */
const SHADERS_ONLY: Flags = {
  WEBGL_CPU_FORWARD: false,
  WEBGL_SIZE_UPLOAD_UNIFORM: 0,
};

export const lanes: Lane[] = [
  {
    name: 'cpu',
    backend: 'cpu',
    flags: {},
    expected: {floatPrecision: 32},
  },
  {
    name: 'webgl2 packed',
    backend: 'webgl',
    flags: {...SHADERS_ONLY, WEBGL_VERSION: 2, WEBGL_PACK: true},
    expected: {webglVersion: 2, floatPrecision: 32},
  },
  {
    name: 'webgl2 unpacked',
    backend: 'webgl',
    flags: {...SHADERS_ONLY, WEBGL_VERSION: 2, WEBGL_PACK: false},
    expected: {webglVersion: 2, floatPrecision: 32},
  },
  {
    name: 'webgl1',
    backend: 'webgl',
    flags: {...SHADERS_ONLY, WEBGL_VERSION: 1},
    expected: {webglVersion: 1, floatPrecision: 32},
  },
  {
    name: 'webgl2 f16 textures',
    backend: 'webgl',
    flags: {...SHADERS_ONLY, WEBGL_VERSION: 2, WEBGL_FORCE_F16_TEXTURES: true},
    expected: {webglVersion: 2, floatPrecision: 16},
  },
  {
    name: 'webgpu',
    backend: 'webgpu',
    flags: {},
    scriptTags: true,
    expected: {floatPrecision: 32},
  },
];

/**
 * tfjs's wasm backend from its script bundle, with SIMD and without (its
 * scalar binary, and the package's scalar row passes), and its threaded
 * build (a shared memory: the page is cross-origin isolated).
 * `wasm_lanes.test.ts` runs them.
 */
export const wasmLanes: Lane[] = [
  {
    name: 'wasm simd',
    backend: 'wasm',
    flags: {WASM_HAS_MULTITHREAD_SUPPORT: false, WASM_HAS_SIMD_SUPPORT: true},
    expected: {floatPrecision: 32, wasmRowPasses: 'simd'},
  },
  {
    name: 'wasm scalar',
    backend: 'wasm',
    flags: {WASM_HAS_MULTITHREAD_SUPPORT: false, WASM_HAS_SIMD_SUPPORT: false},
    expected: {floatPrecision: 32, wasmRowPasses: 'scalar'},
  },
  {
    name: 'wasm threaded',
    backend: 'wasm',
    flags: {WASM_HAS_MULTITHREAD_SUPPORT: true, WASM_HAS_SIMD_SUPPORT: true},
    expected: {floatPrecision: 32, wasmRowPasses: 'sharedSimd'},
  },
];

/** What a lane's page reports once its backend is up. */
export interface LaneReport {
  backend: string;
  flags: Flags;
  webglVersion?: number;
  /** Measured by a round trip through the backend (see page_entry.ts). */
  floatPrecision: number;
  /** `tf.backend().floatPrecision()`, for the record. */
  tfjsFloatPrecision: number;
  renderer?: string;
  /** Which of the package's wasm binaries runs (wasm lanes). */
  wasmRowPasses?: string;
}

export interface CaseResult {
  ok: boolean;
  message: string;
  milliseconds: number;
}
