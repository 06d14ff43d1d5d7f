// `npm run demo` (second part): a word-level next-token model whose output
// layer spans all 49,815 words of the Brown Corpus, trained with
// linearSparseSoftmaxCrossEntropy. Prints the training loss falling and the
// held-out perplexity against the unigram baseline of the same split, then,
// for the same training step, time and peak memory with (a) the fused loss,
// (b) matMul + this package's loss, (c) matMul + the one-hot composite.
// Writes demo/output/brown.json and demo/output/brown.svg (DEMO_OUTPUT names
// another directory; DEMO_STEPS and DEMO_BATCH shorten the run).
import {mkdirSync, writeFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

import {linearSparseSoftmaxCrossEntropy, sparseSoftmaxCrossEntropy} from '../dist/esm/index.js';

const require = createRequire(import.meta.url);
const brown = require('./brown/corpus.cjs');
const {renderBrownChart} = require('./brown/chart.cjs');
const {triples, seededRandom} = require('./brown/training_data.cjs');
const {STEPS: DEFAULT_STEPS, BATCH: DEFAULT_BATCH, EVAL_TOKENS, EVALUATIONS,
  LEARNING_RATE, batchOf, randomPositions, createModel} =
    require('./brown/model.cjs');

const STEPS = Number(process.env.DEMO_STEPS ?? DEFAULT_STEPS);
const BATCH = Number(process.env.DEMO_BATCH ?? DEFAULT_BATCH);

// tfjs-backend-wasm (one thread): its matMul is about 20x faster than the
// cpu backend's here, once the linear loss transposes operands explicitly.
tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
await tf.setBackend('wasm');
const tensorsAtStart = tf.memory().numTensors;

const corpus = brown.loadBrown();
const vocabularySize = corpus.vocabulary.words.length;

const train = triples(corpus.train);
const heldOut = triples(corpus.heldOut);
const random = seededRandom(1);
const evalPositions = randomPositions(random, heldOut, EVAL_TOKENS);

// The baseline: add-one unigram probabilities from the training files.
const unigram = brown.unigramProbabilities(corpus.train, vocabularySize);
const unigramPerplexity = brown.perplexity(
    evalPositions.map(i => -Math.log(unigram[heldOut.next[i]])));

const model = createModel(tf, linearSparseSoftmaxCrossEntropy, unigram);

function heldOutPerplexity() {
  return tf.tidy(() => {
    const meanLoss =
        model.loss(batchOf(tf, heldOut, evalPositions), tf.Reduction.MEAN);
    return Math.exp(meanLoss.dataSync()[0]);
  });
}

console.log(`Brown Corpus: ${vocabularySize} words, ${train.size} training ` +
    `tokens (${corpus.trainFiles.length} files), ${heldOut.size} held out ` +
    `(${corpus.heldOutFiles.length} files); scoring ${EVAL_TOKENS} held-out ` +
    'positions');
console.log(`unigram (add-one) perplexity of those positions: ` +
    unigramPerplexity.toFixed(0));

// Plain SGD (why: demo/brown/model.cjs).
const optimizer = tf.train.sgd(LEARNING_RATE);
const trainingLoss = [];
const perplexityCurve = [{step: 0, perplexity: heldOutPerplexity()}];
console.log(`step 0: held-out perplexity ${perplexityCurve[0].perplexity.toFixed(0)}`);
const evaluateEvery = Math.max(1, Math.round(STEPS / EVALUATIONS));
const trainStart = performance.now();
for (let step = 1; step <= STEPS; step++) {
  const batch = batchOf(tf, train, randomPositions(random, train, BATCH));
  const cost = optimizer.minimize(() => model.loss(batch), true);
  trainingLoss.push((await cost.data())[0]);
  tf.dispose([cost, batch]);
  if (step % evaluateEvery === 0 || step === STEPS) {
    const perplexity = heldOutPerplexity();
    perplexityCurve.push({step, perplexity});
    // One batch's loss moves ~0.2 nats from batch to batch: print the mean
    // since the last evaluation.
    const recent = trainingLoss.slice(-evaluateEvery);
    const recentMean = recent.reduce((a, b) => a + b, 0) / recent.length;
    console.log(`step ${step}: training loss ${recentMean.toFixed(3)} (mean ` +
        `of the last ${recent.length} steps), held-out perplexity ` +
        `${perplexity.toFixed(0)} (${(perplexity / unigramPerplexity)
            .toFixed(2)}x unigram), ${((performance.now() - trainStart) /
            1000).toFixed(0)} s`);
  }
}
const heldOutPerplexityFinal = perplexityCurve.at(-1).perplexity;

// The same training step three ways: value and gradients of every
// parameter, timed (the faster of two) and profiled (peak bytes above the
// bytes in use before).
const stepLosses = {
  fused: batch => model.loss(batch),
  loss: batch => sparseSoftmaxCrossEntropy(batch.next, model.logits(batch)),
  composite: batch => tf.losses.softmaxCrossEntropy(
      tf.oneHot(batch.next, vocabularySize), model.logits(batch)),
};
const msPerStep = {};
const peakBytes = {};
const comparisonBatch =
    batchOf(tf, train, randomPositions(random, train, BATCH));
for (const [name, lossOf] of Object.entries(stepLosses)) {
  const step = () => tf.variableGrads(() => lossOf(comparisonBatch));
  const times = [];
  for (let round = 0; round < 2; round++) {
    const start = performance.now();
    const {value, grads} = step();
    await Promise.all([value, ...Object.values(grads)].map(t => t.data()));
    times.push(performance.now() - start);
    tf.dispose([value, grads]);
  }
  msPerStep[name] = Math.min(...times);
  const before = tf.memory().numBytes;
  const profile = await tf.profile(() => {
    const {value, grads} = step();
    return [value, ...Object.values(grads)];
  });
  peakBytes[name] = profile.peakBytes - before;
  tf.dispose(profile.result);
}
tf.dispose(comparisonBatch);
optimizer.dispose();
model.dispose();
const leakedTensors = tf.memory().numTensors - tensorsAtStart;

const mb = bytes => (bytes / 2 ** 20).toFixed(1);
console.log(`\nOne training step, ${BATCH} tokens x ${vocabularySize} words ` +
    `(${tf.getBackend()} backend):`);
for (const [name, label] of [['fused', '(a) linearSparseSoftmaxCrossEntropy'],
  ['loss', '(b) matMul + sparseSoftmaxCrossEntropy'],
  ['composite', '(c) matMul + one-hot composite']]) {
  console.log(`  ${label.padEnd(40)} ${msPerStep[name].toFixed(0)} ms/step, ` +
      `peak ${mb(peakBytes[name])} MB above baseline`);
}
console.log(`  peak memory: (b) / (a) = ` +
    `${(peakBytes.loss / peakBytes.fused).toFixed(1)}x, (c) / (a) = ` +
    `${(peakBytes.composite / peakBytes.fused).toFixed(1)}x`);
console.log(`held-out perplexity ${heldOutPerplexityFinal.toFixed(0)} vs ` +
    `unigram ${unigramPerplexity.toFixed(0)}: ` +
    `${(heldOutPerplexityFinal / unigramPerplexity).toFixed(2)}x`);

const output = process.env.DEMO_OUTPUT ??
    join(dirname(fileURLToPath(import.meta.url)), 'output');
mkdirSync(output, {recursive: true});
const result = {
  vocabularySize, trainTokens: train.size, heldOutTokens: heldOut.size,
  evaluatedHeldOutTokens: EVAL_TOKENS, unigramPerplexity,
  heldOutPerplexity: heldOutPerplexityFinal, steps: STEPS,
  tokensPerStep: BATCH, msPerStep, peakBytes, trainingLoss, perplexityCurve,
  leakedTensors,
};
writeFileSync(join(output, 'brown.json'), JSON.stringify(result, null, 2) + '\n');
writeFileSync(join(output, 'brown.svg'), renderBrownChart(result));
// Fails the run if the model did not learn or the fused step saved nothing
// (the held-out sample, not one noisy batch, says whether it learned).
if (!(heldOutPerplexityFinal < perplexityCurve[0].perplexity) ||
    !(peakBytes.fused < peakBytes.loss)) {
  process.exitCode = 1;
}
