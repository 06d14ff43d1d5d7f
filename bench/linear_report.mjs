// The linear cross-entropy section's bars and table, from measureLinear's
// results (bench/linear_measure.cjs).

const mb = bytes => (bytes / 2 ** 20).toFixed(1);
const seconds = ms => (ms / 1000).toFixed(2);

/** The bars: [backend, shape] -> {peak, time} limits. */
const BARS = [
  {backend: 'cpu', shape: [512, 64, 49815], peakRatio: 8, timeRatio: 1.15},
  {backend: 'webgl', shape: [512, 64, 49815], peakRatio: 8, timeRatio: 1.25},
  {backend: 'cpu', shape: [2048, 32, 49815], peakRatio: 20},
];

const sameShape = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

export function evaluateLinearBars(results) {
  const verdicts = [];
  for (const result of results) {
    const [, depth, numClasses] = result.shape;
    const kernelLimit = Math.max(depth * numClasses, 4 * 2 ** 20);
    verdicts.push({backend: result.backend, shape: result.shape,
      bar: `largest kernel output <= max(D x V, 4M) = ${kernelLimit}`,
      value: result.largestKernelOutput.fused,
      pass: result.largestKernelOutput.fused <= kernelLimit});
    const bar = BARS.find(b => b.backend === result.backend &&
        sameShape(b.shape, result.shape));
    if (bar == null) continue;
    const peakRatio = result.peakBytes.loss / result.peakBytes.fused;
    verdicts.push({backend: result.backend, shape: result.shape,
      bar: `peak bytes >= ${bar.peakRatio}x smaller than the unfused step`,
      value: Number(peakRatio.toFixed(2)), pass: peakRatio >= bar.peakRatio});
    if (bar.timeRatio != null) {
      // The median over rounds of fused / unfused within a round.
      const timeRatio = result.fusedOverLoss;
      verdicts.push({backend: result.backend, shape: result.shape,
        bar: `time <= ${bar.timeRatio}x the unfused step (median of ` +
            'per-round ratios)',
        value: Number(timeRatio.toFixed(3)), pass: timeRatio <= bar.timeRatio});
    }
  }
  return verdicts;
}

export function linearMarkdownTable(results, verdicts) {
  const lines = [
    '| backend | [tokens, D, V] | fused s | loss s | composite s | fused / loss time (per round) | fused MB | loss MB | composite MB | loss / fused peak | largest kernel output (fused / loss) |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of results) {
    lines.push(`| ${r.backend} | [${r.shape.join(', ')}] | ` +
        `${seconds(r.ms.fused)} | ${seconds(r.ms.loss)} | ` +
        `${seconds(r.ms.composite)} | ${r.fusedOverLoss.toFixed(2)} | ` +
        `${mb(r.peakBytes.fused)} | ${mb(r.peakBytes.loss)} | ` +
        `${mb(r.peakBytes.composite)} | ` +
        `${(r.peakBytes.loss / r.peakBytes.fused).toFixed(1)}x | ` +
        `${r.largestKernelOutput.fused} / ${r.largestKernelOutput.loss} |`);
  }
  lines.push('');
  for (const v of verdicts) {
    lines.push(`- ${v.pass ? 'PASS' : 'FAIL'} ${v.backend} ` +
        `[${v.shape.join(', ')}]: ${v.bar} (got ${v.value})`);
  }
  return lines.join('\n');
}
