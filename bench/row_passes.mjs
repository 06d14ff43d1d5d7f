// `node bench/row_passes.mjs [--dist NAME=DIR ...] [--runs N] [--backends wasm,cpu]`
// (after `npm run build`): the row passes on `wasm` (SIMD, one thread) and
// the same kernels on `cpu`, against one `tf.softmax` pass (XNNPACK's on
// wasm) on the same logits in the same rounds. Per shape it times each
// kernel alone (the forward, the loss-only forward, each gradient kernel),
// the forward op, and the two first-order training steps: the op's
// (`mean(op(x).loss)`) and the loss's (`tf.losses.sparseSoftmaxCrossEntropy`,
// MEAN).
//
// The loss-only kernels' options, where the build has them: each kernel
// with `softcap` 30 and with `predictions`, and the loss's step with
// `{softcap: 30}` and with `{returnPredictions: true}` (`-` in the table
// for a build without them).
//
// With several `--dist` builds (e.g. `--dist before=/tmp/base/dist
// --dist after=dist`), each is measured in child processes that alternate
// (before, after, before, after, ...), so the shared machine's drift falls on
// both alike; the table prints each figure side by side, the median over
// the runs of each run's median. Figures only: no test. A build of another
// commit to compare with: `git archive REF | tar -x -C /tmp/base && ln -s
// "$PWD/node_modules" /tmp/base/ && (cd /tmp/base && node scripts/build.mjs)`.
import {execFileSync} from 'node:child_process';
import {createRequire} from 'node:module';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import {timeInterleaved} from './interleaved.cjs';
import {args, distsToCompare, option} from './command_line.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const SHAPES = [[128, 10], [512, 1000], [64, 32000], [8, 250000], [4096, 1024]];

/** One child: every shape on `backend` with the package built in `dist`. */
async function child(dist, backend) {
  const require = createRequire(import.meta.url);
  const tf = require('@tensorflow/tfjs');
  require('@tensorflow/tfjs-backend-wasm');
  const pkg = require(resolve(dist, 'cjs', 'index.js'));
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  await tf.setBackend(backend);
  const out = {};
  for (const [batch, numClasses] of SHAPES) {
    const logits = tf.randomNormal([batch, numClasses], 0, 3, 'float32', 1);
    const labels = tf.randomUniformInt([batch], 0, numClasses, 2);
    const {loss: lossOut, backprop} =
        pkg.sparseSoftmaxCrossEntropyWithLogits(logits, labels);
    const [, rowMax, logSumExp] = tf.engine().runKernel(
        'SparseSoftmaxCrossEntropyLoss', {features: logits, labels});
    const dLoss = tf.fill([batch], 1 / batch);
    const dLogSumExp = tf.zeros([batch, 1]);
    const opStep = tf.valueAndGrad(x => tf.mean(
        pkg.sparseSoftmaxCrossEntropyWithLogits(x, labels).loss));
    const lossStep = tf.valueAndGrad(x => pkg.sparseSoftmaxCrossEntropy(
        labels, x, undefined, 0, tf.Reduction.MEAN));
    const run = body => () => tf.dispose(body());
    const onWasm = backend === 'wasm';
    const meanLoss = options => x => {
      const result = pkg.sparseSoftmaxCrossEntropy(labels, x,
          {reduction: tf.Reduction.MEAN, ...options});
      return result.loss ?? result;
    };
    const softcapStep = tf.valueAndGrad(meanLoss({softcap: 30}));
    const predictionsStep =
        tf.valueAndGrad(meanLoss({returnPredictions: true}));
    const optionVariants = {
      lossKernelSoftcap: run(() => tf.engine().runKernel(
          'SparseSoftmaxCrossEntropyLoss', {features: logits, labels},
          {softcap: 30})),
      lossGradKernelSoftcap: run(() => tf.engine().runKernel(
          'SparseSoftmaxCrossEntropyLossGrad', {features: logits, labels,
            rowMax, logSumExp, dLoss, dLogSumExp}, {softcap: 30})),
      lossKernelPredictions: run(() => tf.engine().runKernel(
          'SparseSoftmaxCrossEntropyLoss', {features: logits, labels},
          {predictions: true})),
      lossStepSoftcap: run(() => Object.values(softcapStep(logits))),
      lossStepPredictions: run(() => Object.values(predictionsStep(logits))),
    };
    // A build without the options: its kernels ignore the attributes (and
    // return three outputs), its loss rejects the options.
    const [, , , predicted] = tf.engine().runKernel(
        'SparseSoftmaxCrossEntropyLoss', {features: logits, labels},
        {predictions: true});
    const hasOptions = predicted != null;
    tf.dispose(predicted);
    const times = await timeInterleaved({
      // tfjs's cpu softmax (~200 ns/logit) would dwarf the rest: wasm only.
      ...onWasm ? {softmax: run(() => tf.softmax(logits))} : {},
      forwardKernel: run(() => tf.engine().runKernel(
          'SparseSoftmaxCrossEntropyWithLogits', {features: logits, labels})),
      backpropGradKernel: run(() => tf.engine().runKernel(
          'SparseSoftmaxCrossEntropyWithLogitsGrad', {backprop, labels, dLoss})),
      lossKernel: run(() => tf.engine().runKernel(
          'SparseSoftmaxCrossEntropyLoss', {features: logits, labels})),
      lossGradKernel: run(() => tf.engine().runKernel(
          'SparseSoftmaxCrossEntropyLossGrad', {features: logits, labels,
            rowMax, logSumExp, dLoss, dLogSumExp})),
      forwardOp: run(() => pkg.sparseSoftmaxCrossEntropyWithLogits(logits, labels)),
      lossForward: run(() => pkg.sparseSoftmaxCrossEntropy(
          labels, logits, undefined, 0, tf.Reduction.MEAN)),
      opStep: run(() => Object.values(opStep(logits))),
      lossStep: run(() => Object.values(lossStep(logits))),
      ...hasOptions ? optionVariants : {},
    }, 1200, 7, 200);
    out[`${batch}x${numClasses}`] =
        Object.fromEntries(Object.entries(times).map(([name, {ms}]) => [name, ms]));
    tf.dispose([logits, labels, lossOut, backprop, rowMax, logSumExp, dLoss,
      dLogSumExp]);
  }
  return out;
}

if (args[0] === '--child') {
  process.stdout.write(JSON.stringify(await child(args[1], args[2])));
} else {
  const dists = distsToCompare(join(root, 'dist'));
  const runs = Number(option('runs', 3));
  const backends = option('backends', 'wasm,cpu').split(',');
  // samples[backend][dist][shape][variant] = one median per run.
  const samples = {};
  for (let r = 0; r < runs; r++) {
    for (const backend of backends) {
      for (const [name, dir] of dists) {
        process.stderr.write(`run ${r + 1}/${runs} ${backend} ${name}\n`);
        const result = JSON.parse(execFileSync(process.execPath,
            [fileURLToPath(import.meta.url), '--child', resolve(dir), backend],
            {encoding: 'utf8', maxBuffer: 1 << 24}));
        for (const [shape, times] of Object.entries(result)) {
          for (const [variant, ms] of Object.entries(times)) {
            ((((samples[backend] ??= {})[name] ??= {})[shape] ??= {})[variant] ??=
                []).push(ms);
          }
        }
      }
    }
  }
  const median = values => [...values].sort((a, b) => a - b)[values.length >> 1];
  const spread = values => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[sorted.length - 1] / sorted[0];
  };
  const VARIANTS = ['softmax', 'forwardKernel', 'backpropGradKernel',
    'lossKernel', 'lossGradKernel', 'forwardOp', 'lossForward', 'opStep',
    'lossStep', 'lossKernelSoftcap', 'lossGradKernelSoftcap',
    'lossKernelPredictions', 'lossStepSoftcap', 'lossStepPredictions'];
  const names = dists.map(([name]) => name);
  for (const backend of backends) {
    // tf.softmax is timed on wasm only.
    const variants = VARIANTS.filter(v => v !== 'softmax' || backend === 'wasm');
    console.log(`\n### ${backend}: ns/logit` +
        (backend === 'wasm' ? ' (x one tf.softmax on wasm, same run)' : '') +
        `, median of ${runs} runs; ${names.join(' | ')}\n`);
    console.log(`| shape | ${variants.join(' | ')} | loss step / op step |`);
    console.log(`| --- |${variants.map(() => ' ---: |').join('')} ---: |`);
    for (const [batch, numClasses] of SHAPES) {
      const shape = `${batch}x${numClasses}`;
      const logits = batch * numClasses;
      const cells = variants.map(variant => names.map(name => {
        if (samples[backend][name][shape][variant] == null) {
          return '-';
        }
        const ms = median(samples[backend][name][shape][variant]);
        const softmax = samples[backend][name][shape].softmax;
        return `${(ms * 1e6 / logits).toFixed(2)}` +
            (variant === 'softmax' || softmax == null ? '' :
             ` (${(ms / median(softmax)).toFixed(2)}x)`);
      }).join(' \\| '));
      const stepRatio = names.map(name => {
        const s = samples[backend][name][shape];
        return (median(s.lossStep) / median(s.opStep)).toFixed(2);
      }).join(' \\| ');
      console.log(`| [${batch}, ${numClasses}] | ${cells.join(' | ')} | ${stepRatio} |`);
    }
    const noise = names.map(name => {
      const spreads = SHAPES.flatMap(([b, c]) => variants.flatMap(v => {
        const values = samples[backend][name][`${b}x${c}`][v];
        return values == null ? [] : [spread(values)];
      }));
      return `${name} ${median(spreads).toFixed(2)} (max ${Math.max(...spreads).toFixed(2)})`;
    }).join(', ');
    console.log(`\nNoise: largest / smallest run median, median over cells: ${noise}`);
  }
  // The options' cost against the plain loss, each build's own, same runs.
  for (const backend of backends) {
    const ratios = [['lossStepSoftcap', 'lossStep'],
      ['lossStepPredictions', 'lossStep'], ['lossKernelSoftcap', 'lossKernel'],
      ['lossGradKernelSoftcap', 'lossGradKernel'],
      ['lossKernelPredictions', 'lossKernel']];
    console.log(`\n### ${backend}: options / plain (same runs)\n`);
    console.log(`| shape | ${ratios.map(([a, b]) => `${a} / ${b}`).join(' | ')} |`);
    console.log(`| --- |${ratios.map(() => ' ---: |').join('')}`);
    for (const [batch, numClasses] of SHAPES) {
      const shape = `${batch}x${numClasses}`;
      const cells = ratios.map(([option, plain]) => names.map(name => {
        const s = samples[backend][name][shape];
        return s[option] == null ? '-' :
            (median(s[option]) / median(s[plain])).toFixed(2);
      }).join(' \\| '));
      console.log(`| [${batch}, ${numClasses}] | ${cells.join(' | ')} |`);
    }
  }
  if (backends.includes('wasm') && backends.includes('cpu')) {
    console.log('\n### cpu step / wasm step (same dist)\n');
    console.log('| shape | op step | loss step |');
    console.log('| --- | ---: | ---: |');
    for (const [batch, numClasses] of SHAPES) {
      const shape = `${batch}x${numClasses}`;
      const cells = ['opStep', 'lossStep'].map(v => names.map(name =>
        (median(samples.cpu[name][shape][v]) /
            median(samples.wasm[name][shape][v])).toFixed(2)).join(' \\| '));
      console.log(`| [${batch}, ${numClasses}] | ${cells.join(' | ')} |`);
    }
  }
}
