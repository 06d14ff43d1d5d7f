/* global tf, linearMeasure -- page globals in page.evaluate callbacks */
// The linear cross-entropy section of `npm run bench` (also alone:
// `npm run bench:linear`): an output layer's training step at a real
// vocabulary, fused against unfused, on `cpu` in Node and on WebGL in
// headless Chromium. Prints a markdown table and the bars, and writes
// bench/results/linear.json. Figures only: no test.
import {createRequire} from 'node:module';
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

import * as esbuild from 'esbuild';
import {launchChromium, pageServing} from './chromium.mjs';

import {evaluateLinearBars, linearMarkdownTable} from './linear_report.mjs';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// tfjs's cpu matMul does about 0.4 G multiply-adds a second here: a step
// at these shapes takes seconds, so rounds are few.
const CPU_SHAPES = [[[512, 64, 49815], 3], [[2048, 32, 49815], 2]];
const WEBGL_SHAPES = [[[512, 64, 49815], 3]];
const log = message => process.stderr.write(`${message}\n`);

export async function benchCpu() {
  const tf = require('@tensorflow/tfjs');
  require(join(root, 'dist', 'cjs', 'index.js'));
  const {measureLinear} = require('./linear_measure.cjs');
  await tf.setBackend('cpu');
  const results = [];
  for (const [shape, rounds] of CPU_SHAPES) {
    log(`linear cpu ${JSON.stringify(shape)}`);
    results.push(await measureLinear(tf, shape, {rounds, log}));
  }
  return results;
}

const PAGE = `<!doctype html><meta charset="utf-8"><body>
<script src="/tf.min.js"></script>
<script src="/tf-sparse-softmax-cross-entropy.min.js"></script>
<script src="/linear_measure.js"></script></body>`;

export async function benchWebgl() {
  const measureBundle = (await esbuild.build({
    entryPoints: [join(root, 'bench', 'linear_measure.cjs')], bundle: true,
    format: 'iife', globalName: 'linearMeasure', write: false,
    logLevel: 'error',
  })).outputFiles[0].text;
  const files = {
    '/': ['text/html', PAGE],
    '/tf.min.js': ['text/javascript', readFileSync(
        require.resolve('@tensorflow/tfjs/dist/tf.min.js'))],
    '/tf-sparse-softmax-cross-entropy.min.js': ['text/javascript',
      readFileSync(join(root, 'dist', 'tf-sparse-softmax-cross-entropy.min.js'))],
    '/linear_measure.js': ['text/javascript', measureBundle],
  };
  const browser = await launchChromium({webgpu: false});
  try {
    const page = await pageServing(browser, files);
    page.on('console', message => log(`  [page] ${message.text()}`));
    await page.goto('http://localhost/');
    const backend = await page.evaluate(async () => {
      await tf.setBackend('webgl');
      return tf.getBackend();
    });
    if (backend !== 'webgl') {
      throw new Error(`WebGL is unavailable (backend ${backend})`);
    }
    const results = [];
    for (const [shape, rounds] of WEBGL_SHAPES) {
      log(`linear webgl ${JSON.stringify(shape)}`);
      results.push(await page.evaluate(([s, r]) => linearMeasure.measureLinear(
          tf, s, {rounds: r, log: console.log}), [shape, rounds]));
    }
    return results;
  } finally {
    await browser.close();
  }
}

/** Runs the section; returns its results, verdicts and markdown. */
export async function benchLinear() {
  const results = [...await benchCpu(), ...await benchWebgl()];
  const bars = evaluateLinearBars(results);
  mkdirSync(join(root, 'bench', 'results'), {recursive: true});
  writeFileSync(join(root, 'bench', 'results', 'linear.json'),
      JSON.stringify({date: new Date().toISOString(), results, bars}, null, 2) +
      '\n');
  return {results, bars, markdown: linearMarkdownTable(results, bars)};
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log((await benchLinear()).markdown);
}
