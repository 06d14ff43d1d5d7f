// Measurements for the output layer's training step, shared by the Node
// (cpu) and browser (WebGL) sides of `npm run bench`: value and gradients
// with respect to hidden, kernel and bias of the default-reduction loss of
// `logits = matMul(hidden, kernel) + bias`, three ways:
//   fused      tf.losses.linearSparseSoftmaxCrossEntropy (this package)
//   loss       matMul + bias + tf.losses.sparseSoftmaxCrossEntropy (this package)
//   composite  matMul + bias + tf.losses.softmaxCrossEntropy on tf.oneHot
// Time (median of interleaved rounds after one warm-up), peak bytes above
// the bytes in use before the step, and the most elements any kernel of the
// step wrote (tf.profile's kernel list).

function trainingSteps(tf, labels, numClasses) {
  const logits = (h, k, b) => tf.add(tf.matMul(h, k), b);
  return {
    fused: tf.valueAndGrads((h, k, b) =>
      tf.losses.linearSparseSoftmaxCrossEntropy(labels, h, k, {bias: b})),
    loss: tf.valueAndGrads((h, k, b) =>
      tf.losses.sparseSoftmaxCrossEntropy(labels, logits(h, k, b))),
    composite: tf.valueAndGrads((h, k, b) => tf.losses.softmaxCrossEntropy(
        tf.oneHot(labels, numClasses), logits(h, k, b))),
  };
}

/**
 * Waits until every gradient is computed: on cpu a plain read; on WebGL one
 * element of each, so nothing large is downloaded.
 */
async function syncAll(tf, tensors) {
  for (const t of tensors) {
    if (tf.getBackend() === 'cpu' || t.rank === 0) {
      await t.data();
      continue;
    }
    const last = tf.tidy(() => tf.slice(
        t, t.shape.map(size => Math.max(0, size - 1)), t.shape.map(() => 1)));
    await last.data();
    last.dispose();
  }
}

async function runStep(tf, step, inputs) {
  const {value, grads} = step(inputs);
  await syncAll(tf, [value, ...grads]);
  const loss = (await value.data())[0];
  tf.dispose([value, ...grads]);
  return loss;
}

async function profileStep(tf, step, inputs) {
  const before = tf.memory().numBytes;
  const profile = await tf.profile(() => {
    const {value, grads} = step(inputs);
    return [value, ...grads];
  });
  tf.dispose(profile.result);
  const largestKernelOutput = Math.max(...profile.kernels.map(kernel =>
    Math.max(0, ...kernel.outputShapes.map(shape =>
      (shape ?? []).reduce((a, b) => a * b, 1)))));
  return {peakBytes: profile.peakBytes - before, largestKernelOutput};
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length % 2 === 1 ?
      sorted[sorted.length >> 1] :
      (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
}

async function measureLinear(tf, [tokens, depth, numClasses], options = {}) {
  const rounds = options.rounds ?? 3;
  const log = options.log ?? (() => {});
  const hidden = tf.randomNormal([tokens, depth], 0, 1, 'float32', 1);
  const kernel = tf.randomNormal([depth, numClasses], 0, 0.1, 'float32', 2);
  const bias = tf.randomNormal([numClasses], 0, 0.1, 'float32', 3);
  const labels = tf.randomUniformInt([tokens], 0, numClasses, 4);
  const steps = trainingSteps(tf, labels, numClasses);
  const inputs = [hidden, kernel, bias];
  const names = Object.keys(steps);
  const result = {backend: tf.getBackend(), shape: [tokens, depth, numClasses],
    ms: {}, peakBytes: {}, largestKernelOutput: {}, loss: {}, rounds};
  const times = Object.fromEntries(names.map(name => [name, []]));
  // Each round runs every variant once, starting one later each round, so
  // each variant runs first, in the middle and last; the machine is shared,
  // so its speed drifts between rounds, and the bars compare within rounds.
  // (A rotation keeps the cyclic order: each variant always follows the
  // same one, fused after composite, and may pay for its garbage.)
  for (let round = 0; round <= rounds; round++) {
    for (const name of [...names.slice(round % names.length),
      ...names.slice(0, round % names.length)]) {
      const t0 = performance.now();
      result.loss[name] = await runStep(tf, steps[name], inputs);
      const ms = performance.now() - t0;
      log(`  ${name} round ${round}${round === 0 ? ' (warm-up)' : ''}: ` +
          `${ms.toFixed(0)} ms`);
      if (round > 0) times[name].push(ms);
    }
  }
  result.fusedOverLossPerRound = times.fused.map((ms, i) => ms / times.loss[i]);
  result.fusedOverLoss = median(result.fusedOverLossPerRound);
  for (const name of names) {
    result.ms[name] = median(times[name]);
    const {peakBytes, largestKernelOutput} =
        await profileStep(tf, steps[name], inputs);
    result.peakBytes[name] = peakBytes;
    result.largestKernelOutput[name] = largestKernelOutput;
  }
  tf.dispose([hidden, kernel, bias, labels]);
  return result;
}

module.exports = {measureLinear};
