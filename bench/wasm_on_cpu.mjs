// `node bench/wasm_on_cpu.mjs` (after `npm run build`): do the wasm row
// passes pay on the `cpu` backend? Its tensors live in JavaScript arrays, so
// its kernels copy their inputs into a WebAssembly.Memory of their own and
// their outputs back out (src/kernels/cpu/copied_row_passes.ts). This times
// a training step (value and gradient of tf.mean(loss)) with the package's
// cpu kernels and, in the same rounds, with kernels running the JavaScript
// impls they fall back to without WebAssembly SIMD, and prints a table. The
// issue's rule: the wasm path is used on cpu only at >= 1.5x.
import {createRequire} from 'node:module';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tf = require('@tensorflow/tfjs');
require(join(root, 'dist', 'cjs', 'index.js'));
const impl = require(join(root, 'dist', 'cjs', 'kernels',
    'SparseSoftmaxCrossEntropyWithLogits_impl.js'));

const SHAPES = [[128, 10], [512, 1000], [64, 32000], [8, 250000], [4096, 1024]];

/** The cpu kernels with the JavaScript impls (labels assumed valid). */
function javascriptKernels() {
  const read = (backend, info) => backend.readSync(info.dataId);
  const write = (backend, values, shape) =>
      ({dataId: backend.write(values, shape, 'float32'), shape, dtype: 'float32'});
  return {
    SparseSoftmaxCrossEntropyWithLogits: ({inputs: {features, labels}, backend}) => {
      const [batch, numClasses] = features.shape;
      const {loss, backprop} = impl.sparseSoftmaxCrossEntropyWithLogitsImpl(
          read(backend, features), read(backend, labels), batch, numClasses);
      return [write(backend, loss, [batch]),
        write(backend, backprop, [batch, numClasses])];
    },
    SparseSoftmaxCrossEntropyWithLogitsGrad: ({inputs: {backprop, labels, dLoss}, backend}) => {
      const [batch, numClasses] = backprop.shape;
      return write(backend, impl.sparseSoftmaxCrossEntropyWithLogitsGradImpl(
          read(backend, backprop), read(backend, labels), read(backend, dLoss),
          undefined, batch, numClasses), [batch, numClasses]);
    },
  };
}

function swapKernels(kernels) {
  const previous = {};
  for (const [kernelName, kernelFunc] of Object.entries(kernels)) {
    previous[kernelName] = tf.getKernel(kernelName, 'cpu').kernelFunc;
    tf.unregisterKernel(kernelName, 'cpu');
    tf.registerKernel({kernelName, backendName: 'cpu', kernelFunc});
  }
  return previous;
}

function median(times) {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

await tf.setBackend('cpu');
const javascript = javascriptKernels();
console.log('| shape | step ns/logit (JavaScript impls) | step ns/logit (wasm SIMD on copies) | speedup |');
console.log('| --- | ---: | ---: | ---: |');
for (const [batch, numClasses] of SHAPES) {
  const logits = tf.randomNormal([batch, numClasses], 0, 3, 'float32', 1);
  const labels = tf.randomUniformInt([batch], 0, numClasses, 2);
  const step = tf.valueAndGrad(x => tf.mean(
      tf.sparseSoftmaxCrossEntropyWithLogits(x, labels).loss));
  const once = () => {
    const t0 = performance.now();
    const {value, grad} = step(logits);
    grad.dataSync();
    tf.dispose([value, grad]);
    return performance.now() - t0;
  };
  const times = {javascript: [], wasm: []};
  // Warm-up rounds, untimed: V8 runs a wasm function in its baseline
  // compiler until it has run enough to be optimised.
  for (let round = -10; round < 25; round++) {
    const wasmMs = once();
    const packageKernels = swapKernels(javascript);
    const javascriptMs = once();
    swapKernels(packageKernels);
    if (round >= 0) {
      times.wasm.push(wasmMs);
      times.javascript.push(javascriptMs);
    }
  }
  const ns = ms => ms * 1e6 / (batch * numClasses);
  const [javascriptMs, wasmMs] = [median(times.javascript), median(times.wasm)];
  console.log(`| [${batch}, ${numClasses}] | ${ns(javascriptMs).toFixed(1)} | ` +
      `${ns(wasmMs).toFixed(1)} | ${(javascriptMs / wasmMs).toFixed(2)}x |`);
  tf.dispose([logits, labels]);
}
