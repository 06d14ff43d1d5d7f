/**
 * A float64 reference written independently of the package's impl: the
 * op's definitions as TensorFlow's `SparseSoftmaxCrossEntropyWithLogits`
 * states them (`loss = logsumexp(x) - x[y]`,
 * `backprop = softmax(x) - onehot(y)`, per row `x` with label `y`),
 * evaluated in double precision.
 */

export interface Reference {
  loss: Float64Array;
  backprop: Float64Array;
  probabilities: Float64Array;
}

export function reference(
    features: ArrayLike<number>, labels: ArrayLike<number>,
    numClasses: number): Reference {
  const batch = labels.length;
  const loss = new Float64Array(batch);
  const backprop = new Float64Array(batch * numClasses);
  const probabilities = new Float64Array(batch * numClasses);
  for (let row = 0; row < batch; row++) {
    const offset = row * numClasses;
    const label = labels[row];
    let rowMax = -Infinity;
    let hasNaN = false;
    for (let j = 0; j < numClasses; j++) {
      const x = features[offset + j];
      hasNaN = hasNaN || Number.isNaN(x);
      rowMax = Math.max(rowMax, x);
    }
    if (!(label >= 0 && label < numClasses) || hasNaN) {
      loss[row] = NaN;
      backprop.fill(NaN, offset, offset + numClasses);
      probabilities.fill(NaN, offset, offset + numClasses);
      continue;
    }
    let sumExp = 0;
    for (let j = 0; j < numClasses; j++) {
      const shiftedExp = Math.exp(features[offset + j] - rowMax);
      probabilities[offset + j] = shiftedExp;
      sumExp += shiftedExp;
    }
    loss[row] = Math.log(sumExp) - (features[offset + label] - rowMax);
    for (let j = 0; j < numClasses; j++) {
      probabilities[offset + j] /= sumExp;
      backprop[offset + j] =
          probabilities[offset + j] - (j === label ? 1 : 0);
    }
  }
  return {loss, backprop, probabilities};
}

/**
 * The closed-form gradient of `sum(dLoss * loss) + sum(dBackprop * backprop)`
 * with respect to the features, with `p = softmax(x)`:
 * `dLoss * backprop + (dBackprop - rowsum(dBackprop * p)) * p`.
 */
export function referenceGradient(
    ref: Reference, dLoss: ArrayLike<number>, dBackprop: ArrayLike<number>,
    numClasses: number): Float64Array {
  const batch = ref.loss.length;
  const dFeatures = new Float64Array(batch * numClasses);
  for (let row = 0; row < batch; row++) {
    const at = (j: number) => row * numClasses + j;
    let rowDot = 0;
    for (let j = 0; j < numClasses; j++) {
      rowDot += dBackprop[at(j)] * ref.probabilities[at(j)];
    }
    for (let j = 0; j < numClasses; j++) {
      dFeatures[at(j)] = dLoss[row] * ref.backprop[at(j)] +
          (dBackprop[at(j)] - rowDot) * ref.probabilities[at(j)];
    }
  }
  return dFeatures;
}

/**
 * The Hessian of the summed loss applied to `v`, per row
 * `(diag(p) - p p^T) v`.
 */
export function referenceHessianVectorProduct(
    ref: Reference, v: ArrayLike<number>, numClasses: number): Float64Array {
  return referenceGradient(
      ref, new Float64Array(ref.loss.length), v, numClasses);
}
