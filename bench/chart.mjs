// A hand-written SVG bar chart of training-step cost (ns per logit, log
// scale) per shape and backend: the op's `loss` output, this package's
// tf.losses.sparseSoftmaxCrossEntropy, the one-hot composite, the plain loop.
import {derive, laneName} from './report.mjs';

const SERIES = [
  {key: 'oursStepNs', label: 'op .loss', color: '#1f77b4'},
  {key: 'lossApiStepNs', label: 'tf.losses.sparseSoftmaxCrossEntropy', color: '#aec7e8'},
  {key: 'compositeStepNs', label: 'one-hot composite', color: '#d62728'},
  {key: 'loopNs', label: 'plain JS loop (cpu)', color: '#7f7f7f'},
];

export function renderChart(results, machine) {
  const barWidth = 16;
  const groupWidth = SERIES.length * barWidth + 24;
  const [left, top, height] = [60, 40, 260];
  const width = left + results.length * groupWidth + 20;
  const values = results.flatMap(r => SERIES.map(s => derive(r)[s.key]))
      .filter(v => v > 0);
  const [lo, hi] = [Math.log10(Math.min(...values)) - 0.2,
    Math.log10(Math.max(...values)) + 0.2];
  const y = v => top + height * (1 - (Math.log10(v) - lo) / (hi - lo));
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${top + height + 90}" font-family="sans-serif" font-size="11">`,
    `<text x="${left}" y="16" font-size="13">Training step, ns per logit (log scale, lower is better)</text>`,
    `<text x="${left}" y="30" fill="#555">${machine.cpu}, ${machine.cores} cores; WebGL: ${machine.webglRenderer ?? 'unknown'}; WebGPU: ${machine.webgpuAdapter ?? 'unknown'}</text>`,
  ];
  for (let decade = Math.ceil(lo); decade <= Math.floor(hi); decade++) {
    const yy = y(10 ** decade);
    parts.push(`<line x1="${left}" x2="${width - 10}" y1="${yy}" y2="${yy}" stroke="#ddd"/>`,
        `<text x="${left - 6}" y="${yy + 4}" text-anchor="end">${10 ** decade}</text>`);
  }
  results.forEach((result, i) => {
    const x0 = left + i * groupWidth + 12;
    const d = derive(result);
    SERIES.forEach((series, k) => {
      const value = d[series.key];
      if (!(value > 0)) return;
      const x = x0 + k * barWidth;
      parts.push(`<rect x="${x}" y="${y(value)}" width="${barWidth - 2}" height="${top + height - y(value)}" fill="${series.color}"><title>${series.label}: ${value.toFixed(1)} ns/logit</title></rect>`);
    });
    parts.push(`<text x="${x0}" y="${top + height + 14}">${laneName(result)}</text>`,
        `<text x="${x0}" y="${top + height + 27}">${result.shape.join('x')}</text>`);
  });
  SERIES.forEach((series, k) => {
    const x = left + k * 170;
    parts.push(`<rect x="${x}" y="${top + height + 45}" width="12" height="12" fill="${series.color}"/>`,
        `<text x="${x + 16}" y="${top + height + 55}">${series.label}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
