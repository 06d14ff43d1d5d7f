// The benches' summary of repeated timings: quantiles by linear
// interpolation between the sorted values. (CommonJS: bench/measure.cjs,
// bundled into the browser pages, requires it too.)

/** The `q` quantile (0 to 1) of `values`. */
function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

/** `[first quartile, median, third quartile]` of `values`. */
function quartiles(values) {
  return [0.25, 0.5, 0.75].map(q => quantile(values, q));
}

/** `median (first quartile-third quartile)` of `[q1, median, q3]`. */
function formatQuartiles([q1, median, q3], digits = 1) {
  return `${median.toFixed(digits)} (${q1.toFixed(digits)}-${q3.toFixed(digits)})`;
}

module.exports = {quantile, quartiles, formatQuartiles};
