/**
 * The catalogue on the `cpu` backend in Node, against `@tensorflow/tfjs` as a
 * user's app loads it, with the package imported as its users import it.
 */
import * as tf from '@tensorflow/tfjs';

import {sparseSoftmaxCrossEntropyWithLogits} from '../src';

import {catalogue, CaseContext, tolerancesFor} from './catalogue';

let context: CaseContext;

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
  context = {
    tf,
    op: sparseSoftmaxCrossEntropyWithLogits,
    backend: 'cpu',
    checksLabels: true,
    ...tolerancesFor(tf.backend().floatPrecision()),
  };
});

describe('cpu (Node)', () => {
  for (const testCase of catalogue) {
    it(testCase.name, async () => {
      expect(tf.getBackend()).toBe('cpu');
      await testCase.run(context);
    });
  }
});
