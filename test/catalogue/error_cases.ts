import type * as tfjs from '@tensorflow/tfjs';
import type {Tensor} from '@tensorflow/tfjs';

import {expectClose, expectEqual, expectThrows} from './assert';
import {CaseContext, TestCase} from './case';
import {expectNoLeak} from './memory';

const OP = 'sparseSoftmaxCrossEntropyWithLogits';

interface BadInput {
  name: string;
  /** Makes the arguments; tensors made here are the caller's. */
  make(tf: typeof tfjs): [unknown, unknown];
  /** Substrings the message must contain (besides the op's name). */
  parts: string[];
}

export const badInputs: BadInput[] = [
  {
    name: 'scalar features',
    make: tf => [tf.scalar(1), tf.scalar(0, 'int32')],
    parts: ['\'features\'', '`logits` cannot be a scalar'],
  },
  {
    name: 'labels of the wrong rank',
    make: tf => [tf.zeros([2, 4]), tf.zeros([2, 1], 'int32')],
    parts: ['\'labels\'',
      '`labels.shape.rank` must equal `logits.shape.rank - 1`', '[2,1]'],
  },
  {
    name: 'leading dimensions that differ',
    make: tf => [tf.zeros([2, 4]), tf.zeros([3], 'int32')],
    parts: ['\'labels\'',
      'logits and labels must have the same first dimension', '[3]'],
  },
  {
    name: 'zero classes',
    make: tf => [tf.zeros([3, 0]), tf.zeros([3], 'int32')],
    parts: ['\'features\'', 'Must have at least one class', '[3,0]'],
  },
  {
    name: 'zero classes with an empty batch',
    make: tf => [tf.zeros([0, 0]), tf.zeros([0], 'int32')],
    parts: ['\'features\'', 'Must have at least one class', '[0,0]'],
  },
  {
    name: 'float32 labels',
    make: tf => [tf.zeros([2, 4]), tf.zeros([2])],
    parts: ['\'labels\'', 'int32', 'float32'],
  },
  {
    name: 'bool labels',
    make: tf => [tf.zeros([2, 4]), tf.zeros([2], 'bool')],
    parts: ['\'labels\'', 'int32', 'bool'],
  },
  {
    name: 'string features',
    make: tf => [tf.tensor(['a', 'b']), tf.scalar(0, 'int32')],
    parts: ['\'features\'', 'float32', 'string'],
  },
  {
    name: 'bool features',
    make: tf => [tf.zeros([2, 2], 'bool'), tf.zeros([2], 'int32')],
    parts: ['\'features\'', 'float32', 'bool'],
  },
  {
    name: 'complex features',
    make: tf => [tf.complex([1, 2], [3, 4]), tf.scalar(0, 'int32')],
    parts: ['\'features\'', 'float32', 'complex64'],
  },
  {
    name: 'null features',
    make: tf => [null, tf.zeros([2], 'int32')],
    parts: ['\'features\'', 'null'],
  },
  {
    name: 'undefined labels',
    make: tf => [tf.zeros([2, 4]), undefined],
    parts: ['\'labels\'', 'undefined'],
  },
  {
    name: 'a disposed tensor',
    make: tf => {
      const features = tf.zeros([2, 4]);
      features.dispose();
      return [features, tf.zeros([2], 'int32')];
    },
    parts: ['\'features\'', 'disposed'],
  },
  {
    name: 'ragged nested features',
    make: () => [[[1, 2], [3]], [0, 1]],
    parts: ['\'features\'', 'ragged', 'features[1]'],
  },
  {
    name: 'non-integer labels in an array',
    make: () => [[[1, 2], [3, 4]], [0, 0.5]],
    parts: ['\'labels\'', 'int32', '0.5'],
  },
  {
    name: 'string elements in an array',
    make: () => [[[1, 'x'], [3, 4]], [0, 1]],
    parts: ['\'features\'', 'features[0][1]', '"x"'],
  },
];

/** Arguments whose only fault is a label outside [0, numClasses). */
export const outOfRangeLabels: Array<{
  name: string, labels: number[], numClasses: number, message: string,
}> = [
  {
    name: 'a negative label (TF\'s own case)',
    labels: [4, 3, 0, -1],
    numClasses: 4,
    message: 'Received a label value of -1 which is outside the valid range ' +
        'of [0, 4).  Label values: 4 3 0 -1',
  },
  {
    name: 'a label equal to numClasses',
    labels: [0, 3],
    numClasses: 3,
    message: 'Received a label value of 3 which is outside the valid range ' +
        'of [0, 3).  Label values: 0 3',
  },
  {
    name: 'the largest int32 label',
    labels: [2 ** 31 - 1, 1],
    numClasses: 3,
    message: `Received a label value of ${2 ** 31 - 1} which is outside the ` +
        `valid range of [0, 3).  Label values: ${2 ** 31 - 1} 1`,
  },
];

async function valuesOf(tf: typeof tfjs, args: unknown[]) {
  return Promise.all(args.filter((a): a is Tensor => a instanceof tf.Tensor &&
                                     !a.isDisposed)
                         .map(a => a.data()));
}

async function expectRejected(
    context: CaseContext, input: BadInput): Promise<void> {
  const {tf, op} = context;
  const args = input.make(tf);
  const before = await valuesOf(tf, args);
  await expectNoLeak(tf, input.name, () => {
    expectThrows(() => op(args[0] as Tensor, args[1] as Tensor),
        [OP, ...input.parts]);
  });
  const after = await valuesOf(tf, args);
  expectEqual(after.map(v => Array.from(v as ArrayLike<unknown>)),
      before.map(v => Array.from(v as ArrayLike<unknown>)),
      `${input.name}: caller's tensors`);
  tf.dispose(args.filter((a): a is Tensor => a instanceof tf.Tensor));
}

async function expectValidCallWorks({op, rtol, atol}: CaseContext) {
  const {loss} = op([[1, 1, 1, 1]], [3]);
  expectClose(await loss.data(), [1.3862944], rtol, atol, 'next valid call');
  loss.dispose();
}

export const errorCases: TestCase[] = [
  ...badInputs.map(input => ({
    name: `rejects ${input.name} clearly, leaking nothing`,
    async run(context: CaseContext) {
      await expectRejected(context, input);
      await expectValidCallWorks(context);
    },
  })),
  ...outOfRangeLabels.map(({name, labels, numClasses, message}) => ({
    name: `out-of-range labels: ${name}`,
    async run(context: CaseContext) {
      const {tf, op, loss: lossFunction} = context;
      const features = tf.tensor2d(
          Array.from({length: labels.length * numClasses}, (_, i) => i % 5),
          [labels.length, numClasses]);
      const labelTensor = tf.tensor1d(labels, 'int32');
      const perExampleLoss = () => lossFunction(
          labelTensor, features, undefined, 0, tf.Reduction.NONE);
      if (context.checksLabels) {
        await expectNoLeak(tf, name, () => {
          expectThrows(() => op(features, labelTensor),
              [OP, '\'labels\'', message]);
          expectThrows(() => op(features.arraySync(), labels), [message]);
          // The loss runs the loss-only kernel, which checks as well.
          expectThrows(perExampleLoss, [message]);
          // Under a gradient tape the op runs its tape nodes' kernel.
          expectThrows(() => tf.grad((x: Tensor) =>
              tf.sum(op(x, labelTensor).loss))(features), [message]);
        });
      } else {
        // Logits as uploaded (unpacked) and as a packed op writes them.
        const packedFeatures = tf.add(features, tf.zerosLike(features));
        for (const [layout, logits] of
             [['unpacked', features], ['packed', packedFeatures]] as const) {
          const {loss, backprop} = op(logits, labelTensor);
          const lossValues = await loss.data();
          const isBad = labels.map(label => !(label >= 0 && label < numClasses));
          expectEqual(Array.from(lossValues, Number.isNaN), isBad,
              `${layout} loss NaN rows`);
          expectNaNRows(await backprop.data(), isBad, numClasses,
              `${layout} backprop`);
          const gradient = tf.grad((x: Tensor) =>
              tf.sum(op(x, labelTensor).loss))(logits);
          expectNaNRows(await gradient.data(), isBad, numClasses,
              `${layout} gradient`);
          const lossOnly = await lossFunction(
              labelTensor, logits, undefined, 0, tf.Reduction.NONE).data();
          expectEqual(Array.from(lossOnly, Number.isNaN), isBad,
              `${layout} loss-only kernel NaN rows`);
          tf.dispose([loss, backprop, gradient]);
        }
        tf.dispose(packedFeatures);
      }
      expectEqual(features.isDisposed || labelTensor.isDisposed, false,
          'caller\'s tensors disposed');
      tf.dispose([features, labelTensor]);
      await expectValidCallWorks(context);
    },
  })),
];

/** Each row of `values` is all NaN when `isBad[row]`, else has no NaN. */
function expectNaNRows(
    values: ArrayLike<number>, isBad: boolean[], numClasses: number,
    what: string): void {
  isBad.forEach((bad, row) => {
    const rowValues = Array.from(values).slice(
        row * numClasses, (row + 1) * numClasses);
    expectEqual(rowValues.map(Number.isNaN), rowValues.map(() => bad),
        `${what} row ${row} NaN`);
  });
}
