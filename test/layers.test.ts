/**
 * tfjs-layers users: `compileSparse`, `fitSparse`, `evaluateSparse` and
 * `trainOnBatchSparse` on real models (test/layers/cases.ts, also run in a
 * browser lane by test/browser/layers.test.ts), and the loss function.
 */
import * as tf from '@tensorflow/tfjs';

import {sparseCategoricalCrossentropyFromLogits, sparseSoftmaxCrossEntropy} from '../src';

import {expectClose, expectEqual, expectThrows} from './catalogue/assert';
import {CaseContext, tolerancesFor} from './catalogue/case';
import {layersCases} from './layers/cases';

const tolerances = tolerancesFor(32);

beforeAll(async () => {
  await tf.setBackend('cpu');
});

for (const testCase of layersCases) {
  it(testCase.name, async () => {
    await testCase.run({tf, backend: 'cpu', ...tolerances} as CaseContext);
  });
}

it('the compiled loss is the fused loss per example, with Keras targets',
    async () => {
      const lossFn = sparseCategoricalCrossentropyFromLogits({
        labelSmoothing: 0.1});
      const logits = tf.tensor2d([[1, 2, 3], [3, 1, 0], [0, 0, 5]]);
      const intLabels = tf.tensor1d([2, 0, 1], 'int32');
      // tf.data makes float [batch] or [batch, 1] targets from numbers.
      const floatColumn = tf.tensor2d([[2], [0], [1]]);
      const expected = sparseSoftmaxCrossEntropy(intLabels, logits, undefined,
          0.1, tf.Reduction.NONE);
      for (const targets of [intLabels, floatColumn]) {
        const got = lossFn(targets, logits);
        expectEqual(got.shape, [3], 'shape');
        expectClose(await got.data(), await expected.data(), tolerances.rtol,
            tolerances.atol, 'per example');
        got.dispose();
      }
      tf.dispose([logits, intLabels, floatColumn, expected]);
      expectThrows(() => sparseCategoricalCrossentropyFromLogits(
          {labelSmoothing: -1}),
      ['sparseCategoricalCrossentropyFromLogits: argument \'labelSmoothing\'']);
    });
