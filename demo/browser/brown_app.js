// The Brown Corpus demo (demo/brown.mjs) in the tab: the same next-word
// model over all 49,815 words, trained with the package's
// linearSparseSoftmaxCrossEntropy on WebGPU when the browser has it, else
// WebGL, with a live chart of the loss and held-out perplexity, and the
// peak memory of one step fused vs matMul + the loss.
/* global tf, tfSparseSoftmaxCrossEntropy, brownTrainingData, brownModel,
   navigator, location, fetch, URLSearchParams */
const {linearSparseSoftmaxCrossEntropy, sparseSoftmaxCrossEntropy} =
    tfSparseSoftmaxCrossEntropy;
// demo/brown/training_data.cjs and demo/brown/model.cjs, shared with the
// Node demo.
const {triples, seededRandom, perplexity} = brownTrainingData;
const {STEPS: DEFAULT_STEPS, BATCH, EVAL_TOKENS, EVALUATIONS, LEARNING_RATE,
  batchOf, randomPositions, createModel} = brownModel;

const options = new URLSearchParams(location.search);
/** `?steps=N` if N is a whole number of steps, else the Node demo's. */
const STEPS = /^[1-9]\d*$/.test(options.get('steps') ?? '') ?
    Number(options.get('steps')) : DEFAULT_STEPS;
const REQUESTED_BACKEND = options.get('backend');  // null: webgpu, else webgl
const SMOOTHING = 10;       // steps in the chart's running mean of the loss

/** WebGPU if it starts (an adapter, then the backend), else WebGL. */
async function startBackend() {
  const candidates = REQUESTED_BACKEND ? [REQUESTED_BACKEND] :
      ['webgpu', 'webgl'];
  for (const name of candidates) {
    if (name === 'webgpu' &&
        !(navigator.gpu && await navigator.gpu.requestAdapter())) {
      continue;
    }
    try {
      if (await tf.setBackend(name)) return;
    } catch (error) {
      console.warn(`backend ${name} did not start: ${error.message}`);
    }
  }
  // Whatever tfjs falls back to; the status line says which.
  await tf.ready();
}

/** The demo server's payload (demo/brown/payload.cjs): files of word ids. */
async function loadCorpus() {
  const [meta, buffer] = await Promise.all([
    fetch('brown/vocabulary.json').then(response => response.json()),
    fetch('brown/ids.bin').then(response => response.arrayBuffer()),
  ]);
  const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
  let ids = new Int32Array(buffer);
  if (!littleEndian) {
    const view = new DataView(buffer);
    ids = Int32Array.from(ids, (_, i) => view.getInt32(4 * i, true));
  }
  let offset = 0;
  const filesOf = lengths => lengths.map(length =>
    ids.subarray(offset, offset += length));
  const train = filesOf(meta.trainFileLengths);
  const heldOut = filesOf(meta.heldOutFileLengths);
  return {words: meta.words, unigram: meta.unigram, train, heldOut};
}

/** Loss per step (left axis), perplexity and the unigram line (right). */
function drawChart(canvas, {losses, perplexities, unigramPerplexity}) {
  const context = canvas.getContext('2d');
  const {width, height} = canvas;
  const [left, right, top, bottom] = [56, 84, 28, 30];
  const plotWidth = width - left - right;
  const plotHeight = height - top - bottom;
  const x = step => left + plotWidth * step / Math.max(1, STEPS);
  const range = values => {
    const lo = Math.min(...values);
    const hi = Math.max(...values);
    const pad = Math.max(1e-3, 0.05 * (hi - lo));
    return [lo - pad, hi + pad];
  };
  const [lossLo, lossHi] = range(losses.length ? losses : [0, 1]);
  const yLoss = loss => top + plotHeight * (1 - (loss - lossLo) / (lossHi - lossLo));
  const [pLo, pHi] = range([unigramPerplexity,
    ...perplexities.map(p => p.perplexity)]);
  const yPerplexity = p => top + plotHeight * (1 - (p - pLo) / (pHi - pLo));

  context.clearRect(0, 0, width, height);
  context.font = '12px sans-serif';
  context.strokeStyle = '#ccc';
  context.lineWidth = 1;
  context.strokeRect(left, top, plotWidth, plotHeight);
  context.fillStyle = '#1f77b4';
  context.textAlign = 'left';
  context.fillText(`training loss (nats; thick: mean of the last ${SMOOTHING})`,
      left, top - 10);
  context.textAlign = 'right';
  for (const loss of [lossLo, (lossLo + lossHi) / 2, lossHi]) {
    context.fillText(loss.toFixed(2), left - 6, yLoss(loss) + 4);
  }
  context.fillStyle = '#d62728';
  context.fillText('held-out perplexity', width - right, top - 10);
  context.textAlign = 'left';
  for (const p of [pLo, (pLo + pHi) / 2, pHi]) {
    context.fillText(p.toFixed(0), width - right + 6, yPerplexity(p) + 4);
  }
  context.fillStyle = '#222';
  context.textAlign = 'center';
  context.fillText(`step (of ${STEPS}, ${BATCH} tokens each)`,
      left + plotWidth / 2, height - 8);

  // Each batch's loss (thin; it moves ~0.2 nats from batch to batch) and
  // its mean over the last SMOOTHING steps (thick).
  const lossLine = (values, lineWidth, color) => {
    context.strokeStyle = color;
    context.lineWidth = lineWidth;
    context.beginPath();
    values.forEach((loss, i) => {
      const [px, py] = [x(i + 1), yLoss(loss)];
      if (i === 0) context.moveTo(px, py); else context.lineTo(px, py);
    });
    context.stroke();
    context.lineWidth = 1;
  };
  lossLine(losses, 1, '#9ecae1');
  lossLine(losses.map((_, i) => {
    const recent = losses.slice(Math.max(0, i + 1 - SMOOTHING), i + 1);
    return recent.reduce((sum, loss) => sum + loss, 0) / recent.length;
  }), 2, '#1f77b4');

  context.strokeStyle = '#7f7f7f';
  context.setLineDash([4, 3]);
  context.beginPath();
  context.moveTo(left, yPerplexity(unigramPerplexity));
  context.lineTo(left + plotWidth, yPerplexity(unigramPerplexity));
  context.stroke();
  context.setLineDash([]);
  context.fillStyle = '#7f7f7f';
  context.textAlign = 'right';
  context.fillText(`unigram ${unigramPerplexity.toFixed(0)}`,
      left + plotWidth - 4, yPerplexity(unigramPerplexity) - 4);

  context.strokeStyle = '#d62728';
  context.fillStyle = '#d62728';
  context.lineWidth = 2;
  context.textAlign = 'center';
  context.beginPath();
  perplexities.forEach(({step, perplexity: p}, i) => {
    const [px, py] = [x(step), yPerplexity(p)];
    if (i === 0) context.moveTo(px, py); else context.lineTo(px, py);
  });
  context.stroke();
  for (const {step, perplexity: p} of perplexities) {
    context.beginPath();
    context.arc(x(step), yPerplexity(p), 3, 0, 2 * Math.PI);
    context.fill();
  }
}

async function main() {
  const status = document.getElementById('status');
  const memory = document.getElementById('memory');
  const canvas = document.getElementById('chart');
  await startBackend();
  const tensorsAtStart = tf.memory().numTensors;
  const backend = tf.getBackend();
  status.textContent = `backend ${backend} · loading the corpus…`;
  const corpus = await loadCorpus();
  const vocabularySize = corpus.words.length;
  const train = triples(corpus.train);
  const heldOut = triples(corpus.heldOut);
  const random = seededRandom(1);
  const evalPositions = randomPositions(random, heldOut, EVAL_TOKENS);
  const unigramPerplexity = perplexity(
      evalPositions.map(i => -Math.log(corpus.unigram[heldOut.next[i]])));
  const model =
      createModel(tf, linearSparseSoftmaxCrossEntropy, corpus.unigram);

  // Peak bytes of one training step (value and every parameter's gradient)
  // above the bytes in use before it: fused, then matMul + the loss.
  const stepLosses = {
    fused: batch => model.loss(batch),
    loss: batch => sparseSoftmaxCrossEntropy(batch.next, model.logits(batch)),
  };
  const peakBytes = {};
  const comparisonBatch =
      batchOf(tf, train, randomPositions(random, train, BATCH));
  for (const [name, lossOf] of Object.entries(stepLosses)) {
    status.textContent = `backend ${backend} · measuring one step's memory…`;
    const before = tf.memory().numBytes;
    const profile = await tf.profile(() => {
      const {value, grads} = tf.variableGrads(() => lossOf(comparisonBatch));
      return [value, ...Object.values(grads)];
    });
    // Wait for the step's work so the next one is not queued behind it.
    await Promise.all(profile.result.map(t => t.data()));
    peakBytes[name] = profile.peakBytes - before;
    tf.dispose(profile.result);
    await tf.nextFrame();
  }
  tf.dispose(comparisonBatch);
  const mb = bytes => (bytes / 2 ** 20).toFixed(1);
  memory.textContent = `Peak memory of one step (${BATCH} tokens x ` +
      `${vocabularySize.toLocaleString('en-US')} words): ` +
      `${mb(peakBytes.fused)} MB fused vs ${mb(peakBytes.loss)} MB with ` +
      `matMul + sparseSoftmaxCrossEntropy, ` +
      `${(peakBytes.loss / peakBytes.fused).toFixed(1)}x less.`;

  async function heldOutPerplexity() {
    const meanLoss = tf.tidy(() => model.loss(
        batchOf(tf, heldOut, evalPositions), tf.Reduction.MEAN));
    const value = (await meanLoss.data())[0];
    meanLoss.dispose();
    return Math.exp(value);
  }

  const losses = [];
  const perplexities = [];
  const show = step => {
    const last = perplexities.at(-1);
    status.textContent = `backend ${backend} · step ${step}/${STEPS}` +
        (losses.length ? ` · loss ${losses.at(-1).toFixed(3)}` : '') +
        ` · held-out perplexity ${last.perplexity.toFixed(0)} vs unigram ` +
        `${unigramPerplexity.toFixed(0)} ` +
        `(${(last.perplexity / unigramPerplexity).toFixed(2)}x)` +
        (step > 0 ? ` · ${msPerStep.toFixed(0)} ms/step` : '');
    drawChart(canvas, {losses, perplexities, unigramPerplexity});
  };
  let msPerStep = 0;
  perplexities.push({step: 0, perplexity: await heldOutPerplexity()});
  show(0);

  // Plain SGD (why: demo/brown/model.cjs).
  const optimizer = tf.train.sgd(LEARNING_RATE);
  const evaluateEvery = Math.max(1, Math.round(STEPS / EVALUATIONS));
  let trainingMs = 0;  // the steps alone, not the evaluations or frames
  for (let step = 1; step <= STEPS; step++) {
    const stepStart = performance.now();
    const batch = batchOf(tf, train, randomPositions(random, train, BATCH));
    const cost = optimizer.minimize(() => model.loss(batch), true);
    losses.push((await cost.data())[0]);
    tf.dispose([cost, batch]);
    trainingMs += performance.now() - stepStart;
    msPerStep = trainingMs / step;
    if (step % evaluateEvery === 0 || step === STEPS) {
      perplexities.push({step, perplexity: await heldOutPerplexity()});
    }
    show(step);
    await tf.nextFrame();
  }
  optimizer.dispose();
  model.dispose();
  window.brownResult = {backend, vocabularySize, losses, perplexities,
    unigramPerplexity, peakBytes, msPerStep,
    leakedTensors: tf.memory().numTensors - tensorsAtStart};
}

main().catch(error => {
  document.getElementById('status').textContent = `error: ${error.message}`;
  window.brownResult = {error: error.message};
});
