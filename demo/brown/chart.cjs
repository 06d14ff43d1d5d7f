// A hand-written SVG of the Brown demo's curves: training loss per step
// (left axis) and held-out perplexity at each evaluation with the unigram
// baseline (right axis).

function renderBrownChart({trainingLoss, perplexityCurve, unigramPerplexity, steps}) {
  const [left, top, width, height] = [60, 40, 520, 240];
  const x = step => left + width * step / Math.max(1, steps);
  const lossLo = Math.min(...trainingLoss) - 0.2;
  const lossHi = Math.max(...trainingLoss) + 0.2;
  const yLoss = loss => top + height * (1 - (loss - lossLo) / (lossHi - lossLo));
  const perplexities = [...perplexityCurve.map(p => p.perplexity), unigramPerplexity];
  const pLo = Math.min(...perplexities) * 0.95;
  const pHi = Math.max(...perplexities) * 1.05;
  const yPerplexity = p => top + height * (1 - (p - pLo) / (pHi - pLo));
  const path = points => points.map(([px, py], i) =>
    `${i === 0 ? 'M' : 'L'}${px.toFixed(1)},${py.toFixed(1)}`).join(' ');
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${left + width + 80}" height="${top + height + 60}" font-family="sans-serif" font-size="11">`,
    `<text x="${left}" y="16" font-size="13">Brown Corpus, ${'49,815'}-word output layer: training loss and held-out perplexity</text>`,
    `<rect x="${left}" y="${top}" width="${width}" height="${height}" fill="none" stroke="#ccc"/>`,
    `<path d="${path(trainingLoss.map((loss, i) => [x(i + 1), yLoss(loss)]))}" fill="none" stroke="#1f77b4"/>`,
    `<path d="${path(perplexityCurve.map(p => [x(p.step), yPerplexity(p.perplexity)]))}" fill="none" stroke="#d62728" stroke-width="2"/>`,
    `<line x1="${left}" x2="${left + width}" y1="${yPerplexity(unigramPerplexity)}" y2="${yPerplexity(unigramPerplexity)}" stroke="#7f7f7f" stroke-dasharray="4 3"/>`,
    `<text x="${left + width + 4}" y="${yPerplexity(unigramPerplexity) + 4}" fill="#7f7f7f">unigram ${unigramPerplexity.toFixed(0)}</text>`,
  ];
  for (const loss of [lossLo + 0.2, (lossLo + lossHi) / 2, lossHi - 0.2]) {
    parts.push(`<text x="${left - 6}" y="${yLoss(loss) + 4}" text-anchor="end" fill="#1f77b4">${loss.toFixed(2)}</text>`);
  }
  for (const p of perplexityCurve) {
    parts.push(`<text x="${x(p.step)}" y="${yPerplexity(p.perplexity) - 6}" text-anchor="middle" fill="#d62728">${p.perplexity.toFixed(0)}</text>`);
  }
  parts.push(
      `<text x="${left}" y="${top + height + 16}">step 0</text>`,
      `<text x="${left + width}" y="${top + height + 16}" text-anchor="end">step ${steps}</text>`,
      `<text x="${left}" y="${top + height + 36}" fill="#1f77b4">training loss (per step)</text>`,
      `<text x="${left + 200}" y="${top + height + 36}" fill="#d62728">held-out perplexity</text>`,
      '</svg>');
  return parts.join('\n') + '\n';
}

module.exports = {renderBrownChart};
