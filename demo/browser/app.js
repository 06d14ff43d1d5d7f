// Trains a small MLP on a generated 3-arm spiral with the fused loss on the
// global `tf` (WebGL when available), drawing the loss curve live.
/* global tf */
const STEPS = 200;
const CLASSES = 3;
const POINTS_PER_CLASS = 200;

function spiral() {
  let seed = 7;
  const random = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const points = [];
  const labels = [];
  for (let label = 0; label < CLASSES; label++) {
    for (let i = 0; i < POINTS_PER_CLASS; i++) {
      const radius = i / POINTS_PER_CLASS;
      const angle = label * 4 + radius * 4 + (random() - 0.5) * 0.4;
      points.push([radius * Math.sin(angle), radius * Math.cos(angle)]);
      labels.push(label);
    }
  }
  return {points, labels};
}

function drawChart(canvas, losses) {
  const context = canvas.getContext('2d');
  const {width, height} = canvas;
  const [left, bottom, top] = [50, 30, 10];
  context.clearRect(0, 0, width, height);
  context.font = '12px sans-serif';
  context.fillStyle = '#222';
  context.fillText('loss', 8, top + 10);
  context.fillText('step', width - 40, height - 8);
  const maxLoss = Math.max(...losses, 1e-6);
  context.fillText(maxLoss.toFixed(2), 8, top + 24);
  context.fillText('0', 30, height - bottom);
  context.strokeStyle = '#999';
  context.beginPath();
  context.moveTo(left, top);
  context.lineTo(left, height - bottom);
  context.lineTo(width - 10, height - bottom);
  context.stroke();
  context.strokeStyle = '#1f77b4';
  context.lineWidth = 2;
  context.beginPath();
  losses.forEach((loss, step) => {
    const x = left + (width - left - 10) * step / (STEPS - 1);
    const y = height - bottom - (height - bottom - top) * loss / maxLoss;
    if (step === 0) context.moveTo(x, y); else context.lineTo(x, y);
  });
  context.stroke();
}

async function main() {
  const status = document.getElementById('status');
  const canvas = document.getElementById('chart');
  await tf.ready();
  const {points, labels} = spiral();
  const x = tf.tensor2d(points);
  const y = tf.tensor1d(labels, 'int32');
  const dense = (inputs, units, seed) => ({
    kernel: tf.variable(tf.randomNormal([inputs, units], 0, Math.sqrt(2 / inputs), 'float32', seed)),
    bias: tf.variable(tf.zeros([units])),
  });
  const layers = [dense(2, 64, 1), dense(64, 64, 2), dense(64, CLASSES, 3)];
  const logitsOf = input => layers.reduce((h, {kernel, bias}, i) => {
    const z = tf.add(tf.matMul(h, kernel), bias);
    return i < layers.length - 1 ? tf.relu(z) : z;
  }, input);
  const optimizer = tf.train.adam(0.02);
  const losses = [];
  for (let step = 0; step < STEPS; step++) {
    const cost = optimizer.minimize(
        () => tf.losses.sparseSoftmaxCrossEntropy(y, logitsOf(x)), true);
    losses.push((await cost.data())[0]);
    cost.dispose();
    if (step % 10 === 0 || step === STEPS - 1) {
      drawChart(canvas, losses);
      status.textContent = `backend ${tf.getBackend()} · step ${step + 1}/${STEPS} · loss ${losses.at(-1).toFixed(4)}`;
      await tf.nextFrame();
    }
  }
  const accuracy = tf.tidy(() => tf.mean(tf.cast(
      tf.equal(tf.argMax(logitsOf(x), 1), y), 'float32')).dataSync()[0]);
  status.textContent = `backend ${tf.getBackend()} · ${STEPS} steps · ` +
      `loss ${losses[0].toFixed(3)} → ${losses.at(-1).toFixed(3)} · ` +
      `training accuracy ${(100 * accuracy).toFixed(1)}%`;
  window.demoResult = {backend: tf.getBackend(), losses, accuracy};
}

main().catch(error => {
  document.getElementById('status').textContent = `error: ${error.message}`;
  window.demoResult = {error: error.message};
});
