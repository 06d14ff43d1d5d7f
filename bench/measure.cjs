// Measurements shared by the Node (cpu) and browser (WebGL) sides of
// `npm run bench`. Given a `tf` namespace with the op on it, times per shape:
// the forward op; a training step (value and gradient of tf.mean(loss) with
// respect to the logits) with the op's `loss` output, with this package's
// tf.losses.sparseSoftmaxCrossEntropy (plain, and with zLoss, softcap and
// returnPredictions), and with the one-hot composite; on cpu a plain
// JavaScript fused loop; and peak bytes of each training step.

const {timeInterleaved} = require('./interleaved.cjs');
const {packedLogits} = require('./packed_logits.cjs');

/**
 * Waits until `t` is computed. On cpu `data()` is a plain read (no copy); on
 * wasm nothing is needed; on WebGL a one-element slice of the last element
 * is read, so the whole tensor is computed but not downloaded (a download
 * would dominate the timing).
 */
async function sync(tf, t) {
  if (tf.getBackend() === 'cpu') {
    await t.data();
    return;
  }
  if (tf.getBackend() === 'wasm') {
    // tfjs-backend-wasm runs every kernel before the op returns, so `t` is
    // computed already; and its `data()` and `slice` both copy the whole
    // tensor out of the heap (`readSync`): 1.3 ms for a one-element slice
    // of [512, 1000] here, a cost of the measurement, not of the step.
    return;
  }
  const last = lastElement(tf, t);
  await last.data();
  last.dispose();
}

/**
 * As `sync` on WebGL, but with `dataSync()`, which blocks on the read
 * instead of polling a fence on timers: the step's latency without
 * `data()`'s polling interval (see the README).
 */
function syncBlocking(tf, t) {
  const last = lastElement(tf, t);
  last.dataSync();
  last.dispose();
}

/**
 * `t`'s last element, sliced in `t`'s own rank: reshaping a packed texture
 * to 1-D first would copy it whole, a cost of the measurement rather than
 * of the step.
 */
function lastElement(tf, t) {
  return tf.tidy(() => tf.slice(
      t, t.shape.map(size => size - 1), t.shape.map(() => 1)));
}

/** Backends whose data lives in CPU memory: they run without a GPU's sync. */
function isCpuSide(tf) {
  return tf.getBackend() === 'cpu' || tf.getBackend() === 'wasm';
}

/** The practical limit for a JavaScript backend: one fused loop over rows. */
function plainLoop(features, labels, batch, numClasses) {
  const loss = new Float32Array(batch);
  const backprop = new Float32Array(batch * numClasses);
  for (let row = 0; row < batch; row++) {
    const offset = row * numClasses;
    let rowMax = -Infinity;
    for (let j = 0; j < numClasses; j++) {
      if (features[offset + j] > rowMax) rowMax = features[offset + j];
    }
    let sumExp = 0;
    for (let j = 0; j < numClasses; j++) {
      const shiftedExp = Math.exp(features[offset + j] - rowMax);
      backprop[offset + j] = shiftedExp;
      sumExp += shiftedExp;
    }
    const inverseSumExp = 1 / sumExp;
    for (let j = 0; j < numClasses; j++) backprop[offset + j] *= inverseSumExp;
    const label = labels[row];
    backprop[offset + label] -= 1;
    loss[row] = Math.log(sumExp) - (features[offset + label] - rowMax);
  }
  return {loss, backprop};
}

/**
 * Value and gradient of tf.mean(loss) with respect to the logits: `ours`
 * with the op's `loss` output, `lossApi` with the package's loss
 * (per example, then the mean), which skips writing `backprop`.
 */
function trainingSteps(tf, labels) {
  return {
    ours: tf.valueAndGrad(x => tf.mean(
        tf.sparseSoftmaxCrossEntropyWithLogits(x, labels).loss)),
    lossApi: lossStepWith(tf, labels, {}),
  };
}

/**
 * The `tf.losses` step (per example, then the mean) with loss options: the
 * language-model options' cost against the plain loss step.
 */
function lossStepWith(tf, labels, options) {
  return tf.valueAndGrad(x => {
    const result = tf.losses.sparseSoftmaxCrossEntropy(labels, x,
        {...options, reduction: tf.Reduction.NONE});
    return tf.mean(result.loss ?? result);
  });
}

/** The options timed beside the plain loss step (`optionsStep` variants). */
const OPTION_STEPS = {
  zLossStep: {zLoss: 1e-4},
  softcapStep: {softcap: 30},
  predictionsStep: {returnPredictions: true},
};

/** Peak bytes above the bytes in use before, during one training step. */
async function peakBytes(tf, step, logits) {
  const before = tf.memory().numBytes;
  const profile = await tf.profile(() => {
    const {value, grad} = step(logits);
    return [value, grad];
  });
  const peak = profile.peakBytes - before;
  tf.dispose(profile.result);
  return peak;
}

/**
 * Random logits; with `packed` on WebGL in the packed texture layout a
 * layer's matMul or bias add writes (`packed_logits.cjs`).
 */
function randomLogits(tf, shape, seed, packed) {
  const logits = tf.randomNormal(shape, 0, 3, 'float32', seed);
  return packed ? packedLogits(tf, logits) : logits;
}

/** Training steps per timing in the pipelined (one sync) WebGL figures. */
const PIPELINED_STEPS = 4;

async function measureShape(tf, [batch, numClasses], options = {}) {
  const budgetMs = options.budgetMs ?? 1500;
  const packed = options.packed ?? false;
  const logits = randomLogits(tf, [batch, numClasses], 1, packed);
  const labels = tf.randomUniformInt([batch], 0, numClasses, 2);
  const {ours, lossApi} = trainingSteps(tf, labels);
  const composite = tf.valueAndGrad(x => tf.mean(tf.losses.softmaxCrossEntropy(
      tf.oneHot(labels, numClasses), x, undefined, 0, tf.Reduction.NONE)));
  const stepOnce = step => async () => {
    const {value, grad} = step(logits);
    await sync(tf, grad);
    tf.dispose([value, grad]);
  };
  const variants = {
    forward: async () => {
      const {loss, backprop} =
          tf.sparseSoftmaxCrossEntropyWithLogits(logits, labels);
      await sync(tf, loss);
      await sync(tf, backprop);
      tf.dispose([loss, backprop]);
    },
    oursStep: stepOnce(ours),
    lossApiStep: stepOnce(lossApi),
    compositeStep: stepOnce(composite),
  };
  if (tf.getBackend() === 'wasm') {
    // The floor: one tf.softmax (XNNPACK's max, exp-sum, normalise and
    // write) on the same logits in the same rounds; and the loss alone
    // (tf.losses, MEAN, no gradient), which writes nothing of their size.
    variants.softmax = async () => {
      tf.softmax(logits).dispose();
    };
    variants.lossApiForward = async () => {
      tf.losses.sparseSoftmaxCrossEntropy(labels, logits, undefined, 0,
          tf.Reduction.MEAN).dispose();
    };
  }
  if (isCpuSide(tf)) {
    // On wasm, the cpu fallback's loop over arrays read back once, here
    // before timing (the fallback reads them back at every call).
    const features = await logits.data();
    const labelValues = await labels.data();
    variants.plainLoop = () => plainLoop(features, labelValues, batch, numClasses);
  } else {
    // What bounds a GPU step: one synchronisation alone (after one-element
    // ops), and one cheap elementwise pass over the logits (tfjs's neg) with it.
    variants.syncOnly = async () => {
      const t = tf.tidy(() => tf.neg(tf.slice(labels, 0, 1)));
      await t.data();
      t.dispose();
    };
    variants.onePass = async () => {
      const t = tf.neg(logits);
      await sync(tf, t);
      t.dispose();
    };
  }
  const result = {backend: tf.getBackend(), packedLogits: packed,
    shape: [batch, numClasses], logits: batch * numClasses,
    // The composite in the same rounds as ours: the machine's drift (a
    // shared VM) then moves both alike and leaves their ratio.
    ...await timeInterleaved(variants, budgetMs, 7, 60)};
  // The options' steps in rounds of their own with the plain `tf.losses`
  // step (`optionsLossApiStep`), so none pays for the composite's garbage
  // (collected during whichever step follows it).
  Object.assign(result, await timeInterleaved({
    optionsLossApiStep: stepOnce(lossApi),
    ...Object.fromEntries(Object.entries(OPTION_STEPS).map(([name, options]) =>
      [name, stepOnce(lossStepWith(tf, labels, options))])),
  }, budgetMs, 8, 60));
  if (!isCpuSide(tf)) {
    // The same steps without one synchronisation each: PIPELINED_STEPS
    // issued back to back, then one sync. Per step, this is the GPU's work
    // without the fixed latency of a `data()` (see the README). And each
    // step read with a blocking `dataSync()`: its latency without the
    // polling interval of `data()`.
    const pipelined = step => async () => {
      const outputs = [];
      for (let i = 0; i < PIPELINED_STEPS; i++) outputs.push(step(logits));
      await sync(tf, outputs[outputs.length - 1].grad);
      tf.dispose(outputs.map(({value, grad}) => [value, grad]));
    };
    const blocking = step => async () => {
      const {value, grad} = step(logits);
      syncBlocking(tf, grad);
      tf.dispose([value, grad]);
    };
    // WebGPU's blocking read is unreliable on SwiftShader (zeros, then a
    // lost device): there only the pipelined figures.
    Object.assign(result, await timeInterleaved({
      oursPipelined: pipelined(ours), compositePipelined: pipelined(composite),
      ...tf.getBackend() === 'webgl' ? {
        oursBlocking: blocking(ours), compositeBlocking: blocking(composite),
      } : {},
    }, budgetMs, 3, 20));
    result.pipelinedSteps = PIPELINED_STEPS;
  }
  result.oursPeakBytes = await peakBytes(tf, ours, logits);
  result.lossApiPeakBytes = await peakBytes(tf, lossApi, logits);
  result.compositePeakBytes = await peakBytes(tf, composite, logits);
  tf.dispose([logits, labels]);
  return result;
}

// Our programs' uniform names; tfjs's own programs use none of them.
const OUR_UNIFORMS = ['chunkSize', 'numClasses'];
// Our programs without such uniforms, by their inputs.
const OUR_VARIABLES = ['features,rowTerms', 'values,rowScales', 'rowValues'];

// Our WebGPU programs' shader keys start with this.
const OUR_SHADER_KEY_PREFIX = 'sparseXent';

/**
 * Compiled WebGL programs or WebGPU pipelines (all, and this package's own),
 * or null on other backends.
 */
function compiledPrograms(tf) {
  const pipelines = tf.backend().pipelineCache;
  if (pipelines != null) {
    const keys = Object.keys(pipelines);
    return {all: keys.length,
      ours: keys.filter(key => key.startsWith(OUR_SHADER_KEY_PREFIX)).length};
  }
  const cache = tf.backend().binaryCache;
  if (cache == null) return null;
  const binaries = Object.values(cache);
  const ours = binaries.filter(({program}) =>
    (program.customUniforms ?? []).some(u => OUR_UNIFORMS.includes(u.name)) ||
    OUR_VARIABLES.includes(program.variableNames.join(',')));
  return {all: binaries.length, ours: ours.length};
}

/**
 * The scale check: both training steps at a shape, each timed once after
 * one warm-up, with the loss they computed.
 */
async function scaleCheck(tf, [batch, numClasses]) {
  const logits = tf.randomNormal([batch, numClasses], 0, 3, 'float32', 3);
  const labels = tf.randomUniformInt([batch], 0, numClasses, 4);
  const {ours, lossApi} = trainingSteps(tf, labels);
  const once = async step => {
    const {value, grad} = step(logits);
    await sync(tf, grad);
    const loss = (await value.data())[0];
    tf.dispose([value, grad]);
    return loss;
  };
  const timed = async step => {
    await once(step);
    const t0 = performance.now();
    const loss = await once(step);
    return {ms: performance.now() - t0, loss};
  };
  const result = {backend: tf.getBackend(), shape: [batch, numClasses],
    ours: await timed(ours), lossApi: await timed(lossApi)};
  tf.dispose([logits, labels]);
  return result;
}

/**
 * Shader programs (WebGL) or pipelines (WebGPU) compiled by both training
 * steps at `[5, numClasses]`, and then at a new batch size
 * `[7, numClasses]` (0 when runtime sizes are uniforms). Null on cpu.
 */
async function recompilationCheck(tf, numClasses) {
  const stepAt = async batch => {
    const logits = tf.randomNormal([batch, numClasses]);
    const labels = tf.randomUniformInt([batch], 0, numClasses);
    for (const step of Object.values(trainingSteps(tf, labels))) {
      const {value, grad} = step(logits);
      await sync(tf, grad);
      tf.dispose([value, grad]);
    }
    tf.dispose([logits, labels]);
  };
  const cappedStep = async softcap => {
    const logits = tf.randomNormal([7, numClasses]);
    const labels = tf.randomUniformInt([7], 0, numClasses);
    const {value, grad} = lossStepWith(tf, labels, {softcap})(logits);
    await sync(tf, grad);
    tf.dispose([value, grad, logits, labels]);
  };
  const before = compiledPrograms(tf);
  await stepAt(5);
  const afterFirst = compiledPrograms(tf);
  await stepAt(7);
  const afterSecond = compiledPrograms(tf);
  await cappedStep(30);
  const afterCap = compiledPrograms(tf);
  await cappedStep(20);
  const afterNewCap = compiledPrograms(tf);
  return before == null ? null : {
    backend: tf.getBackend(),
    numClasses,
    firstBatch: afterFirst.ours - before.ours,
    newBatchSize: afterSecond.ours - afterFirst.ours,
    newBatchSizeAllPrograms: afterSecond.all - afterFirst.all,
    firstSoftcap: afterCap.ours - afterSecond.ours,
    newSoftcapValue: afterNewCap.ours - afterCap.ours,
  };
}

module.exports = {measureShape, scaleCheck, recompilationCheck};
