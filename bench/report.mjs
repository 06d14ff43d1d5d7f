// Turns bench results into the bars' verdicts and a markdown table.

const nsPerLogit = (timing, logits) => timing.ms * 1e6 / logits;
// Times rounded to a tenth of a microsecond first: browsers coarsen
// performance.now() (to 0.1 ms here), and two equal medians computed from
// different timestamps can differ in the last bits, which must not make
// equal times look unequal (a ratio of 0.99999 against a bar of 1).
const tenthsOfMicroseconds = ms => Math.round(ms * 1e4);
const timeRatio = (a, b) => tenthsOfMicroseconds(a) / tenthsOfMicroseconds(b);
const ratio = (a, b) => a / b;
const mb = bytes => (bytes / 2 ** 20).toFixed(1);
const fixed = (x, digits = 1) => x.toFixed(digits);

/** The backend, and on WebGL the logits' texture layout. */
export const laneName = result => result.backend +
    (result.backend === 'webgl' ? (result.packedLogits ? ' packed' : ' unpacked') : '');

/** Ratios per result; `loop` figures only where a plain loop ran (cpu). */
export function derive(result) {
  const {logits} = result;
  const derived = {
    forwardNs: nsPerLogit(result.forward, logits),
    oursStepNs: nsPerLogit(result.oursStep, logits),
    lossApiStepNs: nsPerLogit(result.lossApiStep, logits),
    compositeStepNs: nsPerLogit(result.compositeStep, logits),
    speedup: timeRatio(result.compositeStep.ms, result.oursStep.ms),
    peakRatio: ratio(result.compositePeakBytes, result.oursPeakBytes),
    lossApiSpeedup: timeRatio(result.compositeStep.ms, result.lossApiStep.ms),
    lossApiPeakRatio: ratio(result.compositePeakBytes, result.lossApiPeakBytes),
  };
  if (result.onePass) {
    derived.syncMs = result.syncOnly.ms;
    derived.onePassNs = nsPerLogit(
        {ms: result.onePass.ms - result.syncOnly.ms}, logits);
    // Both timed with one synchronisation, as a user's step is.
    derived.stepOverOnePass = timeRatio(result.oursStep.ms, result.onePass.ms);
  }
  if (result.oursPipelined) {
    const steps = result.pipelinedSteps * logits;
    derived.oursPipelinedNs = nsPerLogit(result.oursPipelined, steps);
    derived.compositePipelinedNs = nsPerLogit(result.compositePipelined, steps);
    derived.pipelinedSpeedup =
        timeRatio(result.compositePipelined.ms, result.oursPipelined.ms);
  }
  if (result.oursBlocking) {
    derived.oursBlockingNs = nsPerLogit(result.oursBlocking, logits);
    derived.compositeBlockingNs = nsPerLogit(result.compositeBlocking, logits);
    derived.blockingSpeedup =
        timeRatio(result.compositeBlocking.ms, result.oursBlocking.ms);
  }
  if (result.softmax) {
    // Multiples of one tf.softmax pass on the same logits (wasm).
    derived.softmaxNs = nsPerLogit(result.softmax, logits);
    derived.forwardOverSoftmax = timeRatio(result.forward.ms, result.softmax.ms);
    derived.lossForwardOverSoftmax =
        timeRatio(result.lossApiForward.ms, result.softmax.ms);
    derived.stepOverSoftmax = timeRatio(result.oursStep.ms, result.softmax.ms);
    derived.lossApiStepOverSoftmax =
        timeRatio(result.lossApiStep.ms, result.softmax.ms);
  }
  derived.lossApiStepOverStep =
      timeRatio(result.lossApiStep.ms, result.oursStep.ms);
  for (const name of ['zLoss', 'softcap', 'predictions']) {
    // Each option's loss step as a multiple of the plain loss step, timed
    // in rounds of their own.
    derived[`${name}OverLossStep`] =
        timeRatio(result[`${name}Step`].ms, result.optionsLossApiStep.ms);
  }
  if (result.plainLoop) {
    derived.loopNs = nsPerLogit(result.plainLoop, logits);
    derived.stepOverLoop = timeRatio(result.oursStep.ms, result.plainLoop.ms);
    derived.forwardOverLoop = timeRatio(result.forward.ms, result.plainLoop.ms);
  }
  return derived;
}

/** Each bar of the performance issue, checked where it applies. */
export function evaluateBars(results) {
  const bars = [];
  const check = (result, name, value, pass) => bars.push({
    backend: laneName(result), shape: result.shape, bar: name,
    value: Number(value.toFixed(3)), pass,
  });
  for (const result of results) {
    const d = derive(result);
    if (result.logits >= 500000) {
      if (result.backend === 'wasm') {
        check(result, 'step speedup vs composite >= 8x', d.speedup, d.speedup >= 8);
        check(result, 'forward / plain loop <= 0.5', d.forwardOverLoop, d.forwardOverLoop <= 0.5);
        check(result, 'op step / tf.softmax <= 1.6', d.stepOverSoftmax,
            d.stepOverSoftmax <= 1.6);
        check(result, 'tf.losses step / tf.softmax <= 1.6',
            d.lossApiStepOverSoftmax, d.lossApiStepOverSoftmax <= 1.6);
        check(result, 'tf.losses forward / tf.softmax <= 0.8',
            d.lossForwardOverSoftmax, d.lossForwardOverSoftmax <= 0.8);
        const onCpu = results.find(r => r.backend === 'cpu' &&
            r.shape.join() === result.shape.join());
        if (onCpu) {
          const cpuOverWasm = timeRatio(onCpu.oursStep.ms, result.oursStep.ms);
          check(onCpu, 'step / wasm step <= 2', cpuOverWasm, cpuOverWasm <= 2);
        }
      } else if (result.backend === 'cpu') {
        check(result, 'step speedup vs composite >= 25x', d.speedup, d.speedup >= 25);
        check(result, 'step / plain loop <= 1.5', d.stepOverLoop, d.stepOverLoop <= 1.5);
        check(result, 'forward / plain loop <= 1.2', d.forwardOverLoop, d.forwardOverLoop <= 1.2);
      } else if (result.backend === 'webgpu') {
        check(result, 'step speedup vs composite >= 4x', d.speedup, d.speedup >= 4);
        check(result, 'step / one neg pass <= 4', d.stepOverOnePass,
            d.stepOverOnePass <= 4);
      } else {
        check(result, 'step speedup vs composite >= 5x', d.speedup, d.speedup >= 5);
      }
      check(result, 'peak bytes smaller >= 3x', d.peakRatio, d.peakRatio >= 3);
      for (const option of ['zLoss', 'softcap']) {
        const value = d[`${option}OverLossStep`];
        check(result, `${option} step / tf.losses step <= 1.2`, value,
            value <= 1.2);
      }
      // Within 5%: the recommended loss is no slower than the op.
      check(result, 'tf.losses step / op step <= 1.05', d.lossApiStepOverStep,
          d.lossApiStepOverStep <= 1.05);
    }
    if (result.shape[0] === 128 && result.shape[1] === 10) {
      check(result, 'small shape no slower than composite', d.speedup, d.speedup >= 1);
    }
  }
  return bars;
}

export function markdownTable({machine, results, bars, scale, recompilation}) {
  const lines = [
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ` +
        `Node ${machine.node}, tfjs ${machine.tfjs}; WebGL: Chromium ` +
        `${machine.chromium}, ${machine.webglRenderer}; WebGPU: ` +
        `${machine.webgpuAdapter}. ${machine.date}`,
    '',
    '| backend | shape | forward ns/logit | step ns/logit (ours) | step ns/logit (composite) | plain loop ns/logit | step speedup | step / loop | forward / loop | peak MB (ours / composite) | peak ratio | `tf.losses` step ns/logit (speedup, peak ratio) |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const result of results) {
    const d = derive(result);
    lines.push(`| ${laneName(result)} | [${result.shape.join(', ')}] | ` +
        `${fixed(d.forwardNs)} | ${fixed(d.oursStepNs)} | ` +
        `${fixed(d.compositeStepNs)} | ${d.loopNs ? fixed(d.loopNs) : '-'} | ` +
        `${fixed(d.speedup)}x | ${d.stepOverLoop ? fixed(d.stepOverLoop, 2) : '-'} | ` +
        `${d.forwardOverLoop ? fixed(d.forwardOverLoop, 2) : '-'} | ` +
        `${mb(result.oursPeakBytes)} / ${mb(result.compositePeakBytes)} | ` +
        `${fixed(d.peakRatio)}x | ${fixed(d.lossApiStepNs)} ` +
        `(${fixed(d.lossApiSpeedup)}x, ${fixed(d.lossApiPeakRatio)}x) |`);
  }
  const pipelinedSteps = results.find(r => r.pipelinedSteps)?.pipelinedSteps;
  lines.push('', 'What bounds a GPU step: one `data()` synchronisation alone, ' +
      'one elementwise pass over the logits (tfjs\'s `neg`) beyond it, and ' +
      `the steps' throughput with ${pipelinedSteps} issued back to back ` +
      'before one synchronisation (per step), and on WebGL each step read ' +
      'with a blocking `dataSync()` instead of `data()`:', '',
      '| backend | shape | sync ms | one pass ns/logit | sync, ns/logit | step ns/logit (ours) | step / one pass (both with a sync) | pipelined step ns/logit (ours / composite) | pipelined speedup | `dataSync` step ns/logit (ours / composite) | `dataSync` speedup |',
      '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const result of results.filter(r => r.onePass)) {
    const d = derive(result);
    lines.push(`| ${laneName(result)} | [${result.shape.join(', ')}] | ` +
        `${fixed(d.syncMs, 2)} | ${fixed(d.onePassNs)} | ` +
        `${fixed(d.syncMs * 1e6 / result.logits)} | ${fixed(d.oursStepNs)} | ` +
        `${fixed(d.stepOverOnePass, 2)} | ` +
        `${fixed(d.oursPipelinedNs)} / ${fixed(d.compositePipelinedNs)} | ` +
        `${fixed(d.pipelinedSpeedup)}x | ` +
        (d.oursBlockingNs == null ? '- | - |' :
            `${fixed(d.oursBlockingNs)} / ${fixed(d.compositeBlockingNs)} | ` +
            `${fixed(d.blockingSpeedup)}x |`));
  }
  const onWasm = results.filter(r => r.softmax);
  if (onWasm.length > 0) {
    lines.push('', 'On `wasm`, against one `tf.softmax` on the same logits in ' +
        'the same rounds (XNNPACK: max, exp-sum, normalise and write):', '',
        '| shape | `tf.softmax` ns/logit | op forward | `tf.losses` forward (MEAN) | op step | `tf.losses` step | `tf.losses` step / op step |',
        '| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const result of onWasm) {
      const d = derive(result);
      lines.push(`| [${result.shape.join(', ')}] | ${fixed(d.softmaxNs, 2)} | ` +
          `${fixed(d.forwardOverSoftmax, 2)}x | ` +
          `${fixed(d.lossForwardOverSoftmax, 2)}x | ` +
          `${fixed(d.stepOverSoftmax, 2)}x | ` +
          `${fixed(d.lossApiStepOverSoftmax, 2)}x | ` +
          `${fixed(d.lossApiStepOverStep, 2)} |`);
    }
  }
  lines.push('', 'The language-model options\' `tf.losses` training steps ' +
      '(per example, then the mean), as multiples of the plain one, timed ' +
      'in rounds of their own (the order shuffled each round):', '',
      '| backend | shape | `tf.losses` step ns/logit | `zLoss: 1e-4` | `softcap: 30` | `returnPredictions` |',
      '| --- | --- | ---: | ---: | ---: | ---: |');
  for (const result of results) {
    const d = derive(result);
    lines.push(`| ${laneName(result)} | [${result.shape.join(', ')}] | ` +
        `${fixed(nsPerLogit(result.optionsLossApiStep, result.logits))} | ` +
        `${fixed(d.zLossOverLossStep, 2)}x | ` +
        `${fixed(d.softcapOverLossStep, 2)}x | ` +
        `${fixed(d.predictionsOverLossStep, 2)}x |`);
  }
  lines.push('', '| backend | shape | bar | value | |', '| --- | --- | --- | ---: | --- |');
  for (const bar of bars) {
    lines.push(`| ${bar.backend} | [${bar.shape.join(', ')}] | ${bar.bar} | ` +
        `${bar.value} | ${bar.pass ? 'PASS' : 'MISS'} |`);
  }
  lines.push('');
  for (const check of scale) {
    lines.push(`Scale [${check.shape.join(', ')}] on ${check.backend}: ` +
        `training step ${fixed(check.ours.ms, 0)} ms (\`tf.losses\`: ` +
        `${fixed(check.lossApi.ms, 0)} ms), loss ${fixed(check.ours.loss, 3)} ` +
        `(${fixed(check.lossApi.loss, 3)}).`);
  }
  for (const check of (recompilation ?? []).filter(Boolean)) {
    const what = check.backend === 'webgpu' ? 'WebGPU pipelines' : 'WebGL programs';
    lines.push(`This package's ${what} compiled by a first training ` +
        `step at [5, ${check.numClasses}]: ` +
        `${check.firstBatch}; then by a new batch size [7, ` +
        `${check.numClasses}]: ${check.newBatchSize} (tfjs's ` +
        `own in the step: ${check.newBatchSizeAllPrograms - check.newBatchSize}); ` +
        `by a first \`softcap\` step: ${check.firstSoftcap}; then by a ` +
        `new \`softcap\` value: ${check.newSoftcapValue}.`);
  }
  return lines.join('\n');
}
