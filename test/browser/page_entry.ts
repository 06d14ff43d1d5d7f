/**
 * Runs in the page. The page loads tfjs's UMD bundle with a script tag, as
 * script-tag users do, then this file bundled by esbuild with the package's
 * sources (`harness.ts` maps every `@tensorflow/*` import to the global `tf`).
 * The jest side sets the lane up, then runs cases one by one by name.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';
import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';

import {linearSparseSoftmaxCrossEntropy, sparseSoftmaxCrossEntropy, sparseSoftmaxCrossEntropyWithLogits} from '../../src';
import {rowPassesFor} from '../../src/kernels/wasm/heap_row_passes';
import {catalogue, CaseContext, TestCase, tolerancesFor} from '../catalogue';

import {CaseResult, Lane, LaneReport} from './lanes';
import {layersCases} from '../layers/cases';

import {gpuCases, webglCases, webgpuCases} from './gpu_cases';
import {switchingCases} from './switching_cases';

/** The user's `tf`: the UMD global itself, not a bundler's copy of it. */
const tf = (globalThis as unknown as {tf: typeof tfjs}).tf;

const suites = {
  catalogue,
  switching: switchingCases,
  gpu: gpuCases,
  webgl: webglCases,
  webgpu: webgpuCases,
  layers: layersCases,
} satisfies {[suite: string]: TestCase[]};

export type Suite = keyof typeof suites;

/**
 * Bits per float the current backend stores, measured by a round trip
 * through it: 2049 and 1 + 2^-20 survive float32 but not float16.
 * (`tf.backend().floatPrecision()` cannot be used: tfjs 4.22's WebGL backend
 * reports 16 whenever it renders to float32 textures, tensorflow/tfjs#6980.)
 */
async function measureFloatPrecision(): Promise<number> {
  const probe = [2049, 1 + 2 ** -20];
  const roundTrip = tf.tidy(() => tf.add(tf.tensor1d(probe), tf.scalar(0)));
  const values = Array.from(await roundTrip.data());
  roundTrip.dispose();
  if (values[0] === probe[0] && values[1] === probe[1]) {
    return 32;
  }
  return values[0] === 2048 && values[1] === 1 ? 16 : NaN;
}

function webglInfo(): {webglVersion: number, renderer: string} {
  const gl = (tf.backend() as MathBackendWebGL).gpgpu.gl;
  const debugInfo = gl.getExtension('WEBGL_debug_renderer_info');
  return {
    webglVersion: typeof WebGL2RenderingContext !== 'undefined' &&
            gl instanceof WebGL2RenderingContext ? 2 : 1,
    renderer: String(gl.getParameter(
        debugInfo ? debugInfo.UNMASKED_RENDERER_WEBGL : gl.RENDERER)),
  };
}

let lane: Lane|undefined;
let context: CaseContext|undefined;

/** Sets the lane's flags, then initialises its backend (once per page). */
async function setUpLane(laneToSetUp: Lane): Promise<LaneReport> {
  if (lane !== undefined) {
    throw new Error(`this page already runs lane '${lane.name}'`);
  }
  lane = laneToSetUp;
  for (const [flag, value] of Object.entries(lane.flags)) {
    tf.env().set(flag, value);
  }
  if (lane.backend === 'wasm') {
    // tfjs-backend-wasm's script bundle fetches its binaries from here.
    (tf as unknown as {wasm: {setWasmPaths(prefix: string): void}})
        .wasm.setWasmPaths('http://localhost/');
  }
  if (!await tf.setBackend(lane.backend)) {
    throw new Error(`tf.setBackend('${lane.backend}') failed`);
  }
  await tf.ready();
  const floatPrecision = await measureFloatPrecision();
  context = {
    tf,
    op: sparseSoftmaxCrossEntropyWithLogits,
    loss: sparseSoftmaxCrossEntropy,
    linearLoss: linearSparseSoftmaxCrossEntropy,
    backend: lane.backend,
    // TF's GPU contract (webgl, webgpu): out-of-range labels give NaN
    // rows, no error; wasm data lives on the CPU and its kernels throw as
    // cpu's do.
    checksLabels: lane.backend === 'cpu' || lane.backend === 'wasm',
    ...tolerancesFor(floatPrecision),
  };
  return {
    backend: tf.getBackend(),
    flags: Object.fromEntries(Object.keys(lane.flags).map(
        flag => [flag, tf.env().get(flag) as boolean|number])),
    floatPrecision,
    tfjsFloatPrecision: tf.backend().floatPrecision(),
    ...(tf.getBackend() === 'webgl' ? webglInfo() : {}),
    ...(tf.getBackend() === 'wasm' ? {wasmRowPasses:
      rowPassesFor(tf.backend() as BackendWasm)?.variant} : {}),
  };
}

function caseNames(suite: Suite): string[] {
  return suites[suite].map(testCase => testCase.name);
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) {
    return `non-Error thrown: ${String(error)}`;
  }
  const stack = (error.stack ?? '').split('\n').slice(1, 8).join('\n');
  return `${error.name}: ${error.message}\n${stack}`;
}

/** Runs one case on the lane's backend; never throws. */
async function runCase(suite: Suite, name: string): Promise<CaseResult> {
  const start = performance.now();
  const result = (ok: boolean, message: string): CaseResult =>
      ({ok, message, milliseconds: Math.round(performance.now() - start)});
  const testCase = suites[suite].find(c => c.name === name);
  if (lane === undefined || context === undefined) {
    return result(false, 'the lane is not set up');
  }
  if (testCase === undefined) {
    return result(false, `no case named ${JSON.stringify(name)} in ${suite}`);
  }
  // A case that failed half-way may have left another backend current.
  if (tf.getBackend() !== lane.backend) {
    await tf.setBackend(lane.backend);
  }
  if (tf.getBackend() !== lane.backend) {
    return result(false, `the backend is '${tf.getBackend()}', not ` +
        `'${lane.backend}' (tfjs fell back)`);
  }
  try {
    await testCase.run(context);
    return result(true, '');
  } catch (error) {
    return result(false, describeError(error));
  }
}

const harness = {setUpLane, caseNames, runCase};

export type PageHarness = typeof harness;

declare global {
  interface Window {
    sparseXentHarness: PageHarness;
  }
}

window.sparseXentHarness = harness;
