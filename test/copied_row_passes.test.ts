/**
 * The cpu kernels' wasm path (`copied_row_passes.ts`: the row passes on
 * copies in a memory of their own) against the JavaScript impls it stands
 * in for, on shapes with and without a remainder of four, growing the heap
 * between calls; the catalogue's cpu lanes then run it end to end.
 */
import {copiedForward, copiedGrad, copiedGradInPlace, copiedLossForward, copiedLossGrad} from '../src/kernels/row_passes/copied_row_passes';
import {sparseSoftmaxCrossEntropyLossGradImpl, sparseSoftmaxCrossEntropyLossImpl} from '../src/kernels/SparseSoftmaxCrossEntropyLoss_impl';
import {sparseSoftmaxCrossEntropyWithLogitsGradImpl, sparseSoftmaxCrossEntropyWithLogitsImpl} from '../src/kernels/SparseSoftmaxCrossEntropyWithLogits_impl';

import {expectClose} from './catalogue/assert';
import {Random} from './catalogue/random';

const [RTOL, ATOL] = [2e-5, 2e-6];

// From 16384 logits (smaller calls run the JavaScript loops).
for (const [batch, numClasses] of [[3, 7000], [17, 1000], [2, 70001], [16384, 1]]) {
  it(`matches the impls at [${batch}, ${numClasses}]`, () => {
    const random = new Random(batch * numClasses);
    const features = random.logits(batch * numClasses, 20);
    const labels = random.labels(batch, numClasses);
    const dLoss = random.logits(batch, 1);
    const dBackprop = random.logits(batch * numClasses, 1);

    const forward = copiedForward(features, labels, batch, numClasses);
    const expected =
        sparseSoftmaxCrossEntropyWithLogitsImpl(features, labels, batch, numClasses);
    expect(forward).not.toBeNull();
    expect(copiedForward(features, labels, 1, 16383)).toBeNull();
    expectClose(forward?.loss ?? [], expected.loss, RTOL, ATOL, 'loss');
    expectClose(forward?.backprop ?? [], expected.backprop, RTOL, ATOL, 'backprop');
    expectClose(forward?.logSumExp ?? [], expected.logSumExp, RTOL, ATOL,
        'logSumExp');
    // The impl's own log-sum-exp against float64 (the loss less x[label]).
    expectClose(expected.logSumExp, Float64Array.from(expected.loss,
        (loss, row) => loss + features[row * numClasses + labels[row]]),
    RTOL, ATOL, 'logSumExp = loss + x[label]');

    for (const upstream of [undefined, new Float32Array(batch * numClasses), dBackprop]) {
      const withoutLse = sparseSoftmaxCrossEntropyWithLogitsGradImpl(
          expected.backprop, labels, dLoss, upstream, batch, numClasses);
      expectClose(
          copiedGrad(expected.backprop, labels, dLoss, upstream, batch, numClasses) ?? [],
          withoutLse, RTOL, ATOL, 'dFeatures');
      // With dLogSumExp: plus dLogSumExp * softmax, softmax = backprop + onehot.
      const dLogSumExp = random.logits(batch, 1);
      const withLse = Float32Array.from(withoutLse, (d, i) => {
        const row = Math.floor(i / numClasses);
        const onehot = i - row * numClasses === labels[row] ? 1 : 0;
        return d + dLogSumExp[row] * (expected.backprop[i] + onehot);
      });
      expectClose(
          copiedGrad(expected.backprop, labels, dLoss, upstream, batch, numClasses,
              dLogSumExp) ?? [],
          withLse, RTOL, ATOL, 'dFeatures with dLogSumExp');
      expectClose(
          sparseSoftmaxCrossEntropyWithLogitsGradImpl(expected.backprop, labels,
              dLoss, upstream, batch, numClasses, dLogSumExp),
          withLse, RTOL, ATOL, 'impl dFeatures with dLogSumExp');
      if (upstream == null) {
        const inPlace = expected.backprop.slice();
        expect(copiedGradInPlace(inPlace, labels, dLoss, batch, numClasses,
            dLogSumExp)).toBe(true);
        expectClose(inPlace, withLse, RTOL, ATOL, 'in place with dLogSumExp');
      }
    }

    const lossOnly = copiedLossForward(features, labels, batch, numClasses);
    const expectedLossOnly =
        sparseSoftmaxCrossEntropyLossImpl(features, labels, batch, numClasses);
    expectClose(lossOnly?.loss ?? [], expectedLossOnly.loss, RTOL, ATOL, 'loss only');
    expectClose(lossOnly?.rowMax ?? [], expectedLossOnly.rowMax, 0, 0, 'rowMax');
    expectClose(lossOnly?.logSumExp ?? [], expectedLossOnly.logSumExp, RTOL, ATOL,
        'logSumExp');
    const {rowMax, logSumExp} = expectedLossOnly;
    expectClose(
        copiedLossGrad(features, labels, rowMax, logSumExp, dLoss, dLoss, batch,
            numClasses) ?? [],
        sparseSoftmaxCrossEntropyLossGradImpl(features, labels, rowMax, logSumExp,
            dLoss, dLoss, batch, numClasses),
        RTOL, ATOL, 'loss-only dFeatures');

    // The options, on logits that do not saturate the cap (so the argmax
    // is not decided by an ulp), a tie planted in each row.
    const small = random.logits(batch * numClasses, 2);
    for (let row = 0; row < batch; row++) {
      small[row * numClasses + numClasses - 1] = 9;
      small[row * numClasses + (row * 7919) % numClasses] = 9;
    }
    for (const options of [{softcap: 5}, {predictions: true},
      {softcap: 5, predictions: true}]) {
      const what = JSON.stringify(options);
      const copied = copiedLossForward(small, labels, batch, numClasses, options);
      const impl = sparseSoftmaxCrossEntropyLossImpl(small, labels, batch,
          numClasses, options);
      expectClose(copied?.loss ?? [], impl.loss, RTOL, ATOL, `${what} loss`);
      expectClose(copied?.logSumExp ?? [], impl.logSumExp, RTOL, ATOL,
          `${what} logSumExp`);
      expect(copied?.predicted).toEqual(impl.predicted);
      if (options.softcap != null) {
        expectClose(
            copiedLossGrad(small, labels, impl.rowMax, impl.logSumExp, dLoss,
                dLoss, batch, numClasses, options.softcap) ?? [],
            sparseSoftmaxCrossEntropyLossGradImpl(small, labels, impl.rowMax,
                impl.logSumExp, dLoss, dLoss, batch, numClasses,
                options.softcap),
            RTOL, ATOL, `${what} dFeatures`);
      }
    }

    // The forward with softcap (the capped loss step's), on logits below
    // and well past the cap: as the impl, whose backprop is the loss-only
    // gradient for dLoss 1 (d loss / d x through the cap) and whose loss is
    // the loss-only impl's.
    const ones = new Float32Array(batch).fill(1);
    const zeros = new Float32Array(batch);
    for (const [values, softcap] of [[small, 5], [features, 5], [features, 30]] as const) {
      const what = `softcap ${softcap}, logits up to ${values === small ? 9 : 20}`;
      const copied = copiedForward(values, labels, batch, numClasses, softcap);
      const impl = sparseSoftmaxCrossEntropyWithLogitsImpl(values, labels, batch,
          numClasses, softcap);
      expectClose(copied?.loss ?? [], impl.loss, RTOL, ATOL, `${what}: loss`);
      expectClose(copied?.backprop ?? [], impl.backprop, RTOL, ATOL,
          `${what}: backprop`);
      expectClose(copied?.logSumExp ?? [], impl.logSumExp, RTOL, ATOL,
          `${what}: logSumExp`);
      const lossOnly = sparseSoftmaxCrossEntropyLossImpl(values, labels, batch,
          numClasses, {softcap});
      expectClose(impl.loss, lossOnly.loss, RTOL, ATOL, `${what}: impl loss`);
      expectClose(impl.backprop, sparseSoftmaxCrossEntropyLossGradImpl(values,
          labels, lossOnly.rowMax, lossOnly.logSumExp, ones, zeros, batch,
          numClasses, softcap), RTOL, ATOL, `${what}: impl backprop`);
      // The in-place gradient of the held capped backprop: dLoss times it.
      const backprop = copied!.backprop;
      const scaled = Float32Array.from(backprop,
          (value, i) => value * dLoss[Math.floor(i / numClasses)]);
      expect(copiedGradInPlace(backprop, labels, dLoss, batch, numClasses))
          .toBe(true);
      expectClose(backprop, scaled, RTOL, ATOL, `${what}: in place`);
    }
  });
}

// The gradient of the forward's own backprop reads it where the forward left
// it in the heap; any call in between, or another array with the same
// values, makes it copy the array in again.
it('a gradient of the last forward\'s backprop equals the impl\'s, with ' +
   'and without a call in between', () => {
  const [batch, numClasses] = [5, 7001];
  const random = new Random(11);
  const features = random.logits(batch * numClasses, 20);
  const otherFeatures = random.logits(batch * numClasses, 20);
  const labels = random.labels(batch, numClasses);
  const dLoss = random.logits(batch, 1);
  const gradOf = (backprop: Float32Array) =>
      sparseSoftmaxCrossEntropyWithLogitsGradImpl(
          backprop, labels, dLoss, undefined, batch, numClasses);

  const held = copiedForward(features, labels, batch, numClasses)!.backprop;
  const expected = gradOf(held);
  expectClose(copiedGrad(held, labels, dLoss, undefined, batch, numClasses) ?? [],
      expected, RTOL, ATOL, 'held');
  // Taken once: the next gradient copies it in.
  expectClose(copiedGrad(held, labels, dLoss, undefined, batch, numClasses) ?? [],
      expected, RTOL, ATOL, 'taken');

  const first = copiedForward(features, labels, batch, numClasses)!.backprop;
  copiedForward(otherFeatures, labels, batch, numClasses);
  expectClose(copiedGrad(first, labels, dLoss, undefined, batch, numClasses) ?? [],
      expected, RTOL, ATOL, 'after another forward');

  const inPlace = copiedForward(features, labels, batch, numClasses)!.backprop;
  expect(copiedGradInPlace(inPlace, labels, dLoss, batch, numClasses)).toBe(true);
  expectClose(inPlace, expected, RTOL, ATOL, 'in place');
  const copy = copiedForward(features, labels, batch, numClasses)!.backprop.slice();
  expect(copiedGradInPlace(copy, labels, dLoss, batch, numClasses)).toBe(true);
  expectClose(copy, expected, RTOL, ATOL, 'in place, a copy');
});

// The loss-only gradient reads the features where the loss-only forward
// copied them in; any call in between, or another array, makes it copy the
// array it is given.
it('a loss-only gradient after the loss-only forward of the same features ' +
   'equals the impl\'s, with and without a call in between', () => {
  const [batch, numClasses] = [5, 7001];
  const random = new Random(12);
  const features = random.logits(batch * numClasses, 20);
  const otherFeatures = random.logits(batch * numClasses, 20);
  const labels = random.labels(batch, numClasses);
  const dLoss = random.logits(batch, 1);
  const dLogSumExp = random.logits(batch, 1);
  const gradOf = (values: Float32Array) => {
    const {rowMax, logSumExp} =
        sparseSoftmaxCrossEntropyLossImpl(values, labels, batch, numClasses);
    return {rowMax, logSumExp, expected: sparseSoftmaxCrossEntropyLossGradImpl(
        values, labels, rowMax, logSumExp, dLoss, dLogSumExp, batch,
        numClasses)};
  };
  const {rowMax, logSumExp, expected} = gradOf(features);
  const copiedGradOf = (values: Float32Array, stats = {rowMax, logSumExp}) =>
      copiedLossGrad(values, labels, stats.rowMax, stats.logSumExp, dLoss,
          dLogSumExp, batch, numClasses) ?? [];

  copiedLossForward(features, labels, batch, numClasses);
  expectClose(copiedGradOf(features), expected, RTOL, ATOL, 'held');
  // Taken once: the next gradient copies it in.
  expectClose(copiedGradOf(features), expected, RTOL, ATOL, 'taken');

  copiedLossForward(features, labels, batch, numClasses);
  copiedLossForward(otherFeatures, labels, batch, numClasses);
  expectClose(copiedGradOf(features), expected, RTOL, ATOL,
      'after another forward');

  copiedLossForward(features, labels, batch, numClasses);
  const other = gradOf(otherFeatures);
  expectClose(copiedGradOf(otherFeatures, other), other.expected, RTOL, ATOL,
      'another array after the forward');

  // What it reads is the heap's copy: values written into the array after
  // the forward (which tfjs's immutable tensors never see) are not read.
  copiedLossForward(features, labels, batch, numClasses);
  features.set(otherFeatures);
  expectClose(copiedGradOf(features), expected, RTOL, ATOL, 'the heap copy');
});
