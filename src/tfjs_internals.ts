/**
 * Every use of tfjs's and Emscripten's private state, in one file: tfjs-core's
 * engine state and tape, the WebGL and WebGPU backends' data maps,
 * tfjs-backend-wasm's data map and its Emscripten module's memory and
 * allocator, CommonJS's module cache and tfjs-core's flag registry.
 *
 * None of these is a public API. Each is reached by one small function
 * below that checks the field is there before it uses it, and either falls
 * back to what the public API can do or throws `internalsError`, which names
 * the tfjs versions this was written for. They were read in tfjs 4.0.0 and
 * 4.22.0, the oldest and newest releases the peer range accepts, and
 * `test/tfjs_versions.test.ts` runs the package against both: when a tfjs
 * release moves one of them, that test and this file say where.
 *
 * The lint rule in `eslint.config.mjs` keeps every other file of `src/` from
 * reading these fields.
 */
import {engine, env, keep, Tensor, TensorInfo, version_core} from '@tensorflow/tfjs-core';

/** The tfjs releases whose internals this file was written against. */
export const TFJS_VERSIONS_READ = '4.0.0 to 4.22.0';

/**
 * The error for a private field tfjs no longer has where this file looks:
 * a tfjs release newer (or older) than those the package was written for.
 */
export function internalsError(what: string): Error {
  return new Error(
      `tfjs-sparse-softmax-cross-entropy: ${what} was not found where ` +
      `tfjs ${TFJS_VERSIONS_READ} keep it (this is tfjs-core ` +
      `${version_core}); please report it with that version.`);
}

// ---------------------------------------------------------------------------
// tfjs-core's engine: the gradient tape.
//
// The op saves aliases instead of tfjs's copies for a first-order gradient
// (see `saveWithoutCopy`); to do so it must know how deep in nested tapes it
// runs and reach the node tfjs has just recorded. Both live in
// `engine().state` (tfjs-core's `EngineState`: `gradientDepth`, and
// `activeTape`, the list of `TapeNode`s being recorded).
// ---------------------------------------------------------------------------

/** The part of a tfjs `TapeNode` read and written here. */
interface RecordedNode {
  outputs: Tensor[];
  saved?: Tensor[];
}

interface EngineStateFields {
  gradientDepth?: number;
  activeTape?: RecordedNode[]|null;
}

function engineState(): EngineStateFields {
  return (engine() as unknown as {state?: EngineStateFields}).state ?? {};
}

/**
 * Whether the gradients of what is now being recorded will run on a tape
 * too: tfjs nests tapes, and a node's gradient runs at the depth below the
 * one it was recorded at. Without the depth (a tfjs that moved it) this
 * answers yes, which makes the callers save tfjs's clones: slower on wasm,
 * right everywhere.
 */
export function gradientIsRecorded(): boolean {
  const {gradientDepth} = engineState();
  return typeof gradientDepth !== 'number' || gradientDepth > 1;
}

/**
 * Whether tfjs's tape is where `saveWithoutCopy` finds it. When it is not,
 * callers save through tfjs's public `save` (a copy on wasm).
 */
export function canSaveWithoutCopy(): boolean {
  return Array.isArray(engineState().activeTape);
}

/**
 * Whether what runs now is recorded for a gradient that is not itself
 * recorded, on a tape `saveWithoutCopy` can reach: where aliases may be
 * saved instead of tfjs's clones.
 */
export function savesAliases(): boolean {
  return engine().isTapeOn() && !gradientIsRecorded() && canSaveWithoutCopy();
}

/**
 * Saves `tensors` for the gradient of the tape node that has just recorded
 * `output`, without copying their data.
 *
 * tfjs's `save` keeps a clone of each tensor, made by the `Identity` kernel.
 * On `cpu`, `webgl` and `webgpu` that clone shares the data (a reference
 * count); on `wasm` it copies it, and a first-order training step on the
 * op's `loss` then copied `backprop` twice (its two tape nodes each save it):
 * 0.79 and 0.76 ms beside a 6.94 ms forward pass at `[64, 32000]`. Here each
 * tensor gets an alias of its data (the reference count raised, as cpu's
 * `Identity` does), appended to the node's `saved` list, which tfjs hands to
 * the node's gradient and disposes with the tape like any saved tensor.
 *
 * Only for gradients that are not themselves recorded (`gradientIsRecorded`
 * false): tfjs records the `Identity` clone on the tape so that a gradient
 * of a gradient reaches the original tensor through it, and an alias has no
 * such link. Call it only where `canSaveWithoutCopy()` said yes before the
 * node ran.
 */
export function saveWithoutCopy(output: Tensor, tensors: Tensor[]): void {
  const {activeTape} = engineState();
  const node = activeTape?.[activeTape.length - 1];
  if (node == null || node.outputs[0] !== output ||
      !Array.isArray(node.saved)) {
    throw internalsError('the tape node of the op\'s output ' +
        '(`engine().state.activeTape`)');
  }
  const backend = engine().backend;
  for (const tensor of tensors) {
    backend.incRef(tensor.dataId);
    // Kept: the tape, not the scope the op runs in, disposes saved tensors.
    node.saved.push(keep(engine().makeTensorFromTensorInfo(
        {dataId: tensor.dataId, shape: tensor.shape, dtype: tensor.dtype},
        backend)));
  }
}

// ---------------------------------------------------------------------------
// tfjs-backend-webgl and tfjs-backend-webgpu: their data maps.
//
// The WebGL kernels choose a program by the texture layout of their inputs
// (`texData`: `isPacked`, `texShape`), which tfjs exposes to its own kernels
// only. Both GPU gradient kernels skip a pass when `dBackprop` is the zeros
// tfjs made on the CPU for an unused output, still in the map's `values`.
// ---------------------------------------------------------------------------

/** The part of WebGL's `TextureData` (`texData`) read here. */
interface WebglTextureData {
  isPacked?: boolean;
  texShape?: [number, number]|null;
  texture?: unknown;
  values?: unknown;
}

interface DataMap<T> {
  get(dataId: object): T|undefined;
}

function webglTextureData(backend: object, info: TensorInfo):
    WebglTextureData {
  const {texData} = backend as {texData?: DataMap<WebglTextureData>};
  const data = typeof texData?.get === 'function' ?
      texData.get(info.dataId) : undefined;
  if (data == null) {
    throw internalsError('WebGL\'s texture data (`backend.texData`)');
  }
  return data;
}

/**
 * Whether `info`'s WebGL texture is packed (2x2 values per texel, as a
 * matMul writes it). The programs that read the logits come in both layouts,
 * so that tfjs never converts a whole `[batch, numClasses]` tensor for them.
 */
export function isPackedOnWebgl(backend: object, info: TensorInfo): boolean {
  return webglTextureData(backend, info).isPacked === true;
}

/** `info`'s WebGL texture shape `[rows, columns]` (undefined before upload). */
export function webglTextureShape(
    backend: object, info: TensorInfo): [number, number]|undefined {
  return webglTextureData(backend, info).texShape ?? undefined;
}

/**
 * The values of a GPU tensor that is still on the CPU (made from values
 * and never uploaded: WebGL's `texData` without a `texture`, WebGPU's
 * `tensorMap` without a `resource`), or undefined when it is on the GPU or
 * the backend keeps its data elsewhere (then callers take the path that
 * reads the GPU data, which is right whatever the values are).
 */
export function valuesNotOnGpu(backend: object, info: TensorInfo): unknown {
  const {texData, tensorMap} = backend as {
    texData?: DataMap<WebglTextureData>,
    tensorMap?: DataMap<{resource?: unknown, values?: unknown}>,
  };
  if (typeof texData?.get === 'function') {
    const data = texData.get(info.dataId);
    return data != null && data.texture == null ? data.values : undefined;
  }
  if (typeof tensorMap?.get === 'function') {
    const data = tensorMap.get(info.dataId);
    return data != null && data.resource == null ? data.values : undefined;
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// tfjs-backend-wasm and its Emscripten module.
//
// The wasm kernels run our own WebAssembly instance on the backend's memory,
// so they need that `WebAssembly.Memory` (Emscripten's module: `asm.memory`
// in the non-threaded builds of tfjs 4.0.0-4.22.0, `wasmMemory` in the
// threaded one), its allocator (`_malloc`), and each tensor's offset in it
// (the backend's `dataIdMap`).
// ---------------------------------------------------------------------------

/** A wasm backend's memory and the allocator its tensors come from. */
export interface WasmHeap {
  memory: WebAssembly.Memory;
  /** Bytes from the backend's allocator; returns their offset. */
  allocate(bytes: number): number;
}

interface EmscriptenModuleFields {
  _malloc?: (bytes: number) => number;
  asm?: {memory?: WebAssembly.Memory};
  wasmMemory?: WebAssembly.Memory;
}

/**
 * `backend`'s heap, or null when its Emscripten module does not show it
 * where tfjs 4.0.0-4.22.0 do: then the wasm kernels run the fallback, the
 * cpu kernels through the backend's public `readSync` and `write`.
 */
export function wasmHeap(backend: object): WasmHeap|null {
  const module = (backend as {wasm?: EmscriptenModuleFields}).wasm;
  const memory = module?.asm?.memory ?? module?.wasmMemory;
  if (module == null || memory == null || typeof memory.grow !== 'function' ||
      typeof module._malloc !== 'function') {
    return null;
  }
  const emscripten =
      module as Required<Pick<EmscriptenModuleFields, '_malloc'>>;
  return {memory, allocate: bytes => emscripten._malloc(bytes) >>> 0};
}

/**
 * A tensor's offset in the wasm backend's heap (`>>> 0`: offsets above
 * 2 GiB).
 */
export function wasmHeapOffset(backend: object, info: TensorInfo): number {
  const {dataIdMap} = backend as {
    dataIdMap?: DataMap<{memoryOffset?: number}>,
  };
  const memoryOffset = typeof dataIdMap?.get === 'function' ?
      dataIdMap.get(info.dataId)?.memoryOffset : undefined;
  if (typeof memoryOffset !== 'number') {
    throw internalsError('a tensor\'s offset in the wasm heap ' +
        '(`backend.dataIdMap`)');
  }
  return memoryOffset >>> 0;
}

// ---------------------------------------------------------------------------
// Module loading: CommonJS's module cache and tfjs-core's flag registry.
//
// The package puts the op on namespaces that copy tfjs-core's exports
// (`@tensorflow/tfjs`) and registers it with tfjs-converter without
// importing either: it finds them among the CommonJS modules loaded so far,
// and notices a converter that loads later by the flag it registers first.
// ---------------------------------------------------------------------------

// CommonJS's module-scoped `require`, declared here so the library needs no
// Node typings; under ES modules, in browsers and in a Rollup or webpack
// build of a CommonJS app it is undefined or has no `cache`.
declare const require: undefined|{
  (id: string): unknown;
  cache?: {[id: string]: {exports?: unknown}|undefined};
};

/**
 * The exports of every CommonJS module loaded so far, or none where there
 * is no CommonJS module cache (ES modules, browsers, bundles). The read is
 * tried, not only tested: Rollup's commonjs plugin turns `typeof require`
 * into `'function'` and leaves `require.cache` to throw "require is not
 * defined" at load.
 */
export function loadedCommonJsExports(): unknown[] {
  let moduleCache: {[id: string]: {exports?: unknown}|undefined}|undefined;
  try {
    moduleCache = typeof require === 'function' ? require.cache : undefined;
  } catch {
    moduleCache = undefined;
  }
  return moduleCache == null ?
      [] :
      Object.keys(moduleCache).map(id => moduleCache[id]?.exports);
}

/**
 * Calls `callback` after tfjs-core's environment registers the flag `name`
 * (tfjs-converter registers `KEEP_INTERMEDIATE_TENSORS` as it starts to
 * load), by wrapping `env().registerFlag`. Returns false when there is no
 * such method to wrap: a converter loaded later is then not noticed, and
 * its users import the package's `/converter` entry.
 */
export function onFlagRegistered(name: string, callback: () => void): boolean {
  const environment = env();
  const registerFlag = environment.registerFlag;
  if (typeof registerFlag !== 'function') {
    return false;
  }
  environment.registerFlag = function(
      this: typeof environment, ...args: Parameters<typeof registerFlag>) {
    registerFlag.apply(this, args);
    if (args[0] === name) {
      callback();
    }
  };
  return true;
}
