/**
 * A float64 reference for the loss options (z-loss, class weights, label
 * smoothing, weights, ignoreIndex, every reduction), written from their
 * definitions independently of the package: per row `x` with label `y`,
 * `lse = logsumexp(x)`,
 *
 *     loss = (1 - s) (lse - x[y]) + s (lse - mean(x)) + z lse^2
 *
 * weighted by `w = kept * weights * classWeights[y]`, and reduced as
 * `tf.losses.computeWeightedLoss` reduces per-example weights: NONE `w loss`,
 * SUM `sum(w loss)`, MEAN `sum(w loss) / sum(w)`, SUM_BY_NONZERO_WEIGHTS
 * `sum(w loss) / count(w != 0)`. With `softcap` the row is first capped,
 * `x_j <- c tanh(x_j / c)`, and each `d loss / d x_j` carries
 * `1 - tanh(x_j / c)^2`.
 */

export type ReductionName = 'NONE'|'SUM'|'MEAN'|'SUM_BY_NONZERO_WEIGHTS';

export interface OptionSpec {
  labelSmoothing: number;
  zLoss: number;
  reduction: ReductionName;
  ignoreIndex?: number;
  /** One weight per example, or none. */
  weights?: number[];
  classWeights?: number[];
  /** Gemma 2's soft cap `c`, or none. */
  softcap?: number;
}

export interface OptionReference {
  /** The loss's output: per example for NONE, else one value. */
  value: Float64Array;
  /** The gradient of `sum(value)` with respect to the logits. */
  dLogits: Float64Array;
  /** Each example's `logsumexp(x)`, 0 for ignored examples. */
  logSumExp: Float64Array;
}

export function optionReference(
    logits: ArrayLike<number>, labels: ArrayLike<number>, numClasses: number,
    spec: OptionSpec): OptionReference {
  const batch = labels.length;
  const s = spec.labelSmoothing;
  const z = spec.zLoss;
  const weight = new Float64Array(batch);
  const loss = new Float64Array(batch);
  const dLoss = new Float64Array(batch * numClasses);  // d loss_i / d x_i
  const logSumExp = new Float64Array(batch);
  for (let row = 0; row < batch; row++) {
    const label = labels[row];
    const kept = label !== spec.ignoreIndex;
    weight[row] = kept ? (spec.weights?.[row] ?? 1) *
            (spec.classWeights?.[label] ?? 1) : 0;
    if (!kept) {
      continue;
    }
    const c = spec.softcap;
    const raw = (j: number) => logits[row * numClasses + j];
    const x = (j: number) => c == null ? raw(j) : c * Math.tanh(raw(j) / c);
    const capSlope = (j: number) =>
        c == null ? 1 : 1 - Math.tanh(raw(j) / c) ** 2;
    let rowMax = -Infinity;
    let rowSum = 0;
    for (let j = 0; j < numClasses; j++) {
      rowMax = Math.max(rowMax, x(j));
      rowSum += x(j);
    }
    let sumExp = 0;
    for (let j = 0; j < numClasses; j++) {
      sumExp += Math.exp(x(j) - rowMax);
    }
    const lse = rowMax + Math.log(sumExp);
    logSumExp[row] = lse;
    loss[row] = (1 - s) * (lse - x(label)) + s * (lse - rowSum / numClasses) +
        z * lse * lse;
    for (let j = 0; j < numClasses; j++) {
      const p = Math.exp(x(j) - lse);
      dLoss[row * numClasses + j] = ((1 - s) * (p - (j === label ? 1 : 0)) +
          s * (p - 1 / numClasses) + 2 * z * lse * p) * capSlope(j);
    }
  }
  let weightSum = 0;
  let nonzero = 0;
  let weightedSum = 0;
  for (let row = 0; row < batch; row++) {
    weightSum += weight[row];
    nonzero += weight[row] !== 0 ? 1 : 0;
    weightedSum += weight[row] * loss[row];
  }
  const divisor = spec.reduction === 'MEAN' ? weightSum :
      spec.reduction === 'SUM_BY_NONZERO_WEIGHTS' ? nonzero : 1;
  const value = spec.reduction === 'NONE' ?
      Float64Array.from(loss, (l, row) => weight[row] * l) :
      Float64Array.of(weightedSum / divisor);
  const dLogits = Float64Array.from(dLoss,
      (d, i) => d * weight[Math.floor(i / numClasses)] / divisor);
  return {value, dLogits, logSumExp};
}

/** `a [m, k] . b [k, n]` in float64 (`b` given as `[n, k]` if transposed). */
export function matMul64(
    a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number,
    n: number, transposeB = false): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let total = 0;
      for (let t = 0; t < k; t++) {
        total += a[i * k + t] * (transposeB ? b[j * k + t] : b[t * n + j]);
      }
      out[i * n + j] = total;
    }
  }
  return out;
}

export function transpose64(
    a: ArrayLike<number>, rows: number, columns: number): Float64Array {
  const out = new Float64Array(rows * columns);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < columns; j++) {
      out[j * rows + i] = a[i * columns + j];
    }
  }
  return out;
}

/**
 * The Hessian-vector product `H v` of the MEAN-reduced loss (no weights,
 * nothing ignored) with respect to the logits, per row with `c` the capped
 * logits (`c = x` without a cap), `p = softmax(c)`, `lse = logsumexp(c)`,
 * `a = 1 - s`, `b = s`:
 *
 *     g_c = (a + b + 2 z lse) p - a onehot - b / V
 *     H_c = (a + b + 2 z lse) (diag(p) - p p^T) + 2 z p p^T
 *     H v = c' (H_c (c' v)) + g_c c'' v,   c' = 1 - t^2,
 *           c'' = -2 t (1 - t^2) / softcap,  t = tanh(x / softcap)
 *
 * divided by the number of rows.
 */
export function optionHessianVectorReference(
    logits: ArrayLike<number>, labels: ArrayLike<number>,
    direction: ArrayLike<number>, numClasses: number,
    spec: Pick<OptionSpec, 'labelSmoothing'|'zLoss'|'softcap'>):
    Float64Array {
  const batch = labels.length;
  const out = new Float64Array(batch * numClasses);
  const {labelSmoothing: b, zLoss: z, softcap} = spec;
  const a = 1 - b;
  for (let row = 0; row < batch; row++) {
    const offset = row * numClasses;
    const t = Array.from({length: numClasses}, (_, j) =>
        softcap == null ? 0 : Math.tanh(logits[offset + j] / softcap));
    const c = t.map((tj, j) =>
        softcap == null ? logits[offset + j] : softcap * tj);
    const slope = t.map(tj => softcap == null ? 1 : 1 - tj * tj);
    const curvature = t.map(tj =>
        softcap == null ? 0 : -2 * tj * (1 - tj * tj) / softcap);
    const max = Math.max(...c);
    const sumExp = c.reduce((total, cj) => total + Math.exp(cj - max), 0);
    const lse = max + Math.log(sumExp);
    const p = c.map(cj => Math.exp(cj - lse));
    const u = slope.map((sj, j) => sj * direction[offset + j]);
    const pu = p.reduce((total, pj, j) => total + pj * u[j], 0);
    const scale = a + b + 2 * z * lse;
    for (let j = 0; j < numClasses; j++) {
      const hu = scale * (p[j] * u[j] - p[j] * pu) + 2 * z * p[j] * pu;
      const g = scale * p[j] - (j === labels[row] ? a : 0) - b / numClasses;
      out[offset + j] = (slope[j] * hu +
          g * curvature[j] * direction[offset + j]) / batch;
    }
  }
  return out;
}
