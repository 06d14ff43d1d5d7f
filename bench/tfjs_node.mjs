// The tfjs-node section of `npm run bench` (also `node bench/tfjs_node.mjs`
// alone, after `npm run build`): on tfjs-node's 'tensorflow' backend, per
// shape, a training step (value and gradient of tf.mean(loss) with respect
// to the logits) with the op's `loss` output and with the package's
// tf.losses.sparseSoftmaxCrossEntropy, each with the package's tensorflow
// kernels and with the generic fallback it ran before them (the cpu kernels
// reading tensors back through the backend); the op's step again with
// TensorFlow's fused kernel as its forward at every size; and the one-hot
// composite.
// All in the same interleaved rounds, with peak bytes. Figures only: no
// test. Needs tfjs-node built (scripts/install_tfjs_node.mjs).
import {createRequire} from 'node:module';
import {mkdirSync, writeFileSync} from 'node:fs';
import {cpus} from 'node:os';
import {dirname, join} from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {timeInterleaved} from './interleaved.cjs';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const KERNEL_NAMES = ['SparseSoftmaxCrossEntropyWithLogits',
  'SparseSoftmaxCrossEntropyWithLogitsGrad', 'SparseSoftmaxCrossEntropyLoss',
  'SparseSoftmaxCrossEntropyLossGrad'];
const log = message => process.stderr.write(`${message}\n`);

/**
 * Switches the 'tensorflow' backend's kernels: the package's; the package's
 * with TensorFlow's fused `SparseSoftmaxCrossEntropyWithLogits` kernel as
 * the forward at every size (the package's calls it under 32768 logits
 * only); or
 * the generic fallback: with the package's unregistered, the op registers
 * the fallback (the cpu kernels) the next time it runs, as it did on
 * tfjs-node before this backend had kernels of its own.
 */
function kernelSwitch(tf) {
  const ours = KERNEL_NAMES.map(name => tf.getKernel(name, 'tensorflow'));
  const fusedForward = {
    kernelName: KERNEL_NAMES[0],
    backendName: 'tensorflow',
    kernelFunc: ({inputs: {features, labels}, backend}) => {
      const type = (name, dtype) => ({name, type: backend.binding.TF_ATTR_TYPE,
        value: dtype === 'float32' ? backend.binding.TF_FLOAT :
                                     backend.binding.TF_INT32});
      return backend.executeMultipleOutputs(KERNEL_NAMES[0],
          [type('T', features.dtype), type('Tlabels', labels.dtype)],
          [features, labels], 2);
    },
  };
  const unregisterAll = () => {
    for (const name of KERNEL_NAMES) {
      if (tf.getKernel(name, 'tensorflow') != null) {
        tf.unregisterKernel(name, 'tensorflow');
      }
    }
  };
  const register = kernels => {
    unregisterAll();
    kernels.forEach(kernel => tf.registerKernel(kernel));
  };
  return {
    useFallback: unregisterAll,
    useOurs: () => register(ours),
    useFusedForward: () => register([fusedForward, ...ours.slice(1)]),
  };
}

/** Peak bytes above the bytes in use before, during one training step. */
async function peakBytes(tf, step, logits) {
  const before = tf.memory().numBytes;
  const profile = await tf.profile(() => {
    const {value, grad} = step(logits);
    return [value, grad];
  });
  tf.dispose(profile.result);
  return profile.peakBytes - before;
}

async function measureShape(tf, [batch, numClasses],
    {useOurs, useFusedForward, useFallback}) {
  const logits = tf.randomNormal([batch, numClasses], 0, 3, 'float32', 1);
  const labels = tf.randomUniformInt([batch], 0, numClasses, 2);
  const steps = {
    op: tf.valueAndGrad(x => tf.mean(
        tf.sparseSoftmaxCrossEntropyWithLogits(x, labels).loss)),
    lossApi: tf.valueAndGrad(x => tf.mean(tf.losses.sparseSoftmaxCrossEntropy(
        labels, x, undefined, 0, tf.Reduction.NONE))),
    composite: tf.valueAndGrad(x => tf.mean(tf.losses.softmaxCrossEntropy(
        tf.oneHot(labels, numClasses), x, undefined, 0, tf.Reduction.NONE))),
  };
  const run = (step, kernels) => () => {
    kernels?.();
    const {value, grad} = step(logits);
    tf.dispose([value, grad]);
  };
  const forward = kernels => () => {
    kernels();
    const {loss, backprop} =
        tf.sparseSoftmaxCrossEntropyWithLogits(logits, labels);
    tf.dispose([loss, backprop]);
  };
  const variants = {
    forward: forward(useOurs),
    fusedForward: forward(useFusedForward),
    opStep: run(steps.op, useOurs),
    fusedOpStep: run(steps.op, useFusedForward),
    lossApiStep: run(steps.lossApi, useOurs),
    compositeStep: run(steps.composite),
    fallbackOpStep: run(steps.op, useFallback),
    fallbackLossApiStep: run(steps.lossApi, useFallback),
  };
  const result = {backend: 'tensorflow', shape: [batch, numClasses],
    logits: batch * numClasses,
    ...await timeInterleaved(variants, 8000, 21, 200)};
  useFallback();
  result.fallbackOpPeakBytes = await peakBytes(tf, steps.op, logits);
  result.fallbackLossApiPeakBytes = await peakBytes(tf, steps.lossApi, logits);
  useOurs();
  result.opPeakBytes = await peakBytes(tf, steps.op, logits);
  result.lossApiPeakBytes = await peakBytes(tf, steps.lossApi, logits);
  result.compositePeakBytes = await peakBytes(tf, steps.composite, logits);
  tf.dispose([logits, labels]);
  return result;
}

const ratio = (slower, faster) => slower.ms / faster.ms;

/** The bars, at every shape of 500k logits or more. */
function evaluateBars(results) {
  const bars = [];
  for (const result of results.filter(r => r.logits >= 500000)) {
    for (const [step, fallback, what] of [
      ['opStep', 'fallbackOpStep', 'op `loss` step'],
      ['lossApiStep', 'fallbackLossApiStep', '`tf.losses` step'],
    ]) {
      const vsComposite = ratio(result.compositeStep, result[step]);
      const vsFallback = ratio(result[fallback], result[step]);
      bars.push({shape: result.shape, bar: `${what} vs composite >= 1.8x`,
        value: Number(vsComposite.toFixed(2)), pass: vsComposite >= 1.8});
      bars.push({shape: result.shape, bar: `${what} vs generic fallback >= 1.5x`,
        value: Number(vsFallback.toFixed(2)), pass: vsFallback >= 1.5});
    }
  }
  return bars;
}

function markdownTable({machine, results, bars}) {
  const ms = timing => timing.ms.toFixed(2);
  const mb = bytes => (bytes / 2 ** 20).toFixed(1);
  const lines = [
    `tfjs-node ${machine.tfjsNode} ('tensorflow' backend, TensorFlow ` +
        `${machine.tensorflow}), ${machine.cores} cores, Node ` +
        `${machine.node}. ${machine.date}. Medians in ms of interleaved ` +
        'rounds; peak MB of one training step.',
    '',
    '| shape | forward: ours / TF\'s fused kernel | op `loss` step: ours / with TF\'s fused kernel / fallback / composite | speedup vs composite, fallback | `tf.losses` step: ours / fallback | speedup vs composite, fallback | peak MB: op / `tf.losses` / fallback op / composite |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of results) {
    lines.push(`| [${r.shape.join(', ')}] | ${ms(r.forward)} / ` +
        `${ms(r.fusedForward)} | ${ms(r.opStep)} / ${ms(r.fusedOpStep)} / ` +
        `${ms(r.fallbackOpStep)} / ${ms(r.compositeStep)} | ` +
        `${ratio(r.compositeStep, r.opStep).toFixed(2)}x, ` +
        `${ratio(r.fallbackOpStep, r.opStep).toFixed(2)}x | ` +
        `${ms(r.lossApiStep)} / ${ms(r.fallbackLossApiStep)} | ` +
        `${ratio(r.compositeStep, r.lossApiStep).toFixed(2)}x, ` +
        `${ratio(r.fallbackLossApiStep, r.lossApiStep).toFixed(2)}x | ` +
        `${mb(r.opPeakBytes)} / ${mb(r.lossApiPeakBytes)} / ` +
        `${mb(r.fallbackOpPeakBytes)} / ${mb(r.compositePeakBytes)} |`);
  }
  const spread = timing => `${timing.p25.toFixed(2)}-${timing.p75.toFixed(2)}`;
  lines.push('', 'Spread: quartiles (p25-p75) in ms; rounds per variant.', '',
      '| shape | op `loss` step: ours / fallback / composite | `tf.losses` step: ours / fallback | rounds |',
      '| --- | ---: | ---: | ---: |');
  for (const r of results) {
    lines.push(`| [${r.shape.join(', ')}] | ${spread(r.opStep)} / ` +
        `${spread(r.fallbackOpStep)} / ${spread(r.compositeStep)} | ` +
        `${spread(r.lossApiStep)} / ${spread(r.fallbackLossApiStep)} | ` +
        `${r.opStep.runs} |`);
  }
  lines.push('', '| shape | bar | value | |', '| --- | --- | ---: | --- |');
  for (const bar of bars) {
    lines.push(`| [${bar.shape.join(', ')}] | ${bar.bar} | ${bar.value} | ` +
        `${bar.pass ? 'PASS' : 'MISS'} |`);
  }
  return lines.join('\n');
}

/**
 * Runs the section; returns its markdown, or a line saying why it could not
 * run (tfjs-node not built). Writes bench/results/tfjs_node.json.
 */
export async function benchTfjsNode(shapes) {
  process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
  let tf;
  try {
    tf = require('@tensorflow/tfjs-node');
  } catch (error) {
    return `tfjs-node section skipped: @tensorflow/tfjs-node does not load ` +
        `(run \`node scripts/install_tfjs_node.mjs\`): ${error.message}`;
  }
  require(join(root, 'dist', 'cjs', 'index.js'));
  await tf.setBackend('tensorflow');
  const kernels = kernelSwitch(tf);
  const results = [];
  for (const shape of shapes) {
    log(`tensorflow ${JSON.stringify(shape)}`);
    results.push(await measureShape(tf, shape, kernels));
  }
  kernels.useOurs();
  const tensorflowVersion = tf.backend().binding.TF_Version;
  await tf.setBackend('cpu');
  const machine = {
    tfjsNode: require('@tensorflow/tfjs-node/package.json').version,
    tensorflow: tensorflowVersion,
    cores: cpus().length, node: process.version,
    date: new Date().toISOString(),
  };
  const report = {machine, results, bars: evaluateBars(results)};
  mkdirSync(join(root, 'bench', 'results'), {recursive: true});
  writeFileSync(join(root, 'bench', 'results', 'tfjs_node.json'),
      JSON.stringify(report, null, 2) + '\n');
  return markdownTable(report);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const shapes = [[128, 10], [512, 1000], [64, 32000], [8, 250000],
    [4096, 1024]];
  console.log(await benchTfjsNode(shapes));
}
