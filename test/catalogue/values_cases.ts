import {expectClose, expectEqual} from './assert';
import {CaseContext, TestCase} from './case';
import {Random} from './random';
import {reference} from './reference';

/**
 * Runs the op on 2-D data, as the backend stores it (`context.storable`), and
 * compares both outputs with the float64 reference.
 */
export async function checkAgainstReference(
    context: CaseContext, logits: Float32Array, labels: Int32Array,
    numClasses: number, what: string): Promise<void> {
  const {tf, op, rtol, atol} = context;
  const features = context.storable(logits);
  const batch = labels.length;
  const result = tf.tidy(() => op(
      tf.tensor2d(features, [batch, numClasses]), tf.tensor1d(labels, 'int32')));
  const [loss, backprop] =
      await Promise.all([result.loss.data(), result.backprop.data()]);
  tf.dispose(result);
  const ref = reference(features, labels, numClasses);
  expectClose(loss, ref.loss, rtol, atol, `${what} loss`);
  expectClose(backprop, ref.backprop, rtol, atol, `${what} backprop`);
}

export const valueCases: TestCase[] = [
  {
    name: 'matches TensorFlow\'s reference values',
    async run({tf, op, rtol, atol}) {
      const {loss, backprop} = op(
          tf.tensor2d([[1, 1, 1, 1], [1, 2, 3, 4]]),
          tf.tensor1d([3, 0], 'int32'));
      expectClose(await loss.data(), [1.3862944, 3.4401897], rtol, atol);
      expectClose(await backprop.data(), [
        0.25, 0.25, 0.25, -0.75, -0.9679414, 0.0871443, 0.2368828, 0.6439143,
      ], rtol, atol);
      tf.dispose([loss, backprop]);
    },
  },
  {
    name: 'a single class gives zero loss and backprop',
    async run({tf, op}) {
      const {loss, backprop} =
          op(tf.tensor2d([[1], [-1], [0]]), tf.tensor1d([0, 0, 0], 'int32'));
      expectClose(await loss.data(), [0, 0, 0], 0, 0);
      expectClose(await backprop.data(), [0, 0, 0], 0, 0);
      tf.dispose([loss, backprop]);
    },
  },
  {
    name: 'logits of +-1000 give exact, finite results',
    async run({tf, op, rtol, atol}) {
      const {loss, backprop} = op(
          tf.tensor2d([[1000, 0], [0, -1000]]), tf.tensor1d([1, 1], 'int32'));
      expectClose(await loss.data(), [1000, 1000], rtol, atol);
      expectClose(await backprop.data(), [1, -1, 1, -1], rtol, atol);
      tf.dispose([loss, backprop]);
    },
  },
  {
    name: 'matches a float64 reference over random shapes and scales',
    async run(context) {
      const random = new Random(1234);
      for (const [batch, numClasses] of [[5, 1], [7, 3], [4, 1000], [33, 17]]) {
        for (const scale of [1, 30, 1e4]) {
          await checkAgainstReference(context,
              random.logits(batch * numClasses, scale),
              random.labels(batch, numClasses), numClasses,
              `[${batch}, ${numClasses}] x${scale}`);
        }
      }
    },
  },
  {
    name: 'matches a float64 reference with 100,003 classes',
    async run(context) {
      const random = new Random(99);
      const numClasses = 100003;
      // The first, last and a middle label that the backend holds exactly
      // (on 16-bit textures, labels up to maxExactLabel).
      const labelRange = Math.min(numClasses, context.maxExactLabel + 1);
      await checkAgainstReference(context, random.logits(3 * numClasses, 20),
          Int32Array.from([0, labelRange - 1, 51234 % labelRange]), numClasses,
          '100k');
    },
  },
  {
    // Two such logits of one row sum past the largest float: the WebGL NaN
    // probe must scale them before adding, or +inf and -inf make a NaN.
    // Labels on the large logits, so the losses stay finite.
    name: 'logits near the largest float give finite results',
    async run(context) {
      const [batch, numClasses] = [4, 20];
      const big = 0.9 * context.maxFloat;
      const features = Float32Array.from(
          {length: batch * numClasses}, (_, i) => (i & 2) === 0 ? big : -big);
      await checkAgainstReference(context, features,
          Int32Array.from([0, 1, 4, 17]), numClasses, 'near the largest float');
    },
  },
  {
    // On 16-bit textures -maxFloat stands in for -Infinity (see storable).
    name: '-Infinity logits have probability 0',
    async run(context) {
      const features = Float32Array.from(
          [-Infinity, 1, 2, -Infinity, 0, -Infinity, -Infinity, 5, 7]);
      await checkAgainstReference(
          context, features, Int32Array.from([1, 1, 2]), 3, '-Infinity');
    },
  },
  {
    name: 'a NaN logit poisons only its own row',
    async run(context) {
      const features = Float32Array.from([1, 2, 3, 4, NaN, 6, 7, 8, 9]);
      await checkAgainstReference(
          context, features, Int32Array.from([0, 1, 2]), 3, 'NaN row');
    },
  },
  {
    // Rows long enough for the SIMD loops of the wasm kernels' passes (the
    // max's 16 logits a step, the others' 4) and their scalar tails.
    name: 'a NaN logit anywhere in a long row poisons only its own row',
    async run(context) {
      const numClasses = 37;
      const nanAt = [0, 5, 17, 22, 30, 35, 36];
      const random = new Random(11);
      const features = random.logits((nanAt.length + 1) * numClasses, 4);
      nanAt.forEach((column, row) => {
        features[row * numClasses + column] = NaN;
      });
      await checkAgainstReference(context, features,
          random.labels(nanAt.length + 1, numClasses), numClasses,
          'NaN in long rows');
    },
  },
  {
    name: 'higher ranks are flattened and restored',
    async run({tf, op, rtol, atol}) {
      const random = new Random(7);
      const features = random.logits(2 * 3 * 5, 3);
      const labels = random.labels(6, 5);
      const {loss, backprop} = op(
          tf.tensor3d(features, [2, 3, 5]), tf.tensor2d(labels, [2, 3], 'int32'));
      expectEqual(loss.shape, [2, 3], 'loss shape');
      expectEqual(backprop.shape, [2, 3, 5], 'backprop shape');
      const ref = reference(features, labels, 5);
      expectClose(await loss.data(), ref.loss, rtol, atol, 'loss');
      expectClose(await backprop.data(), ref.backprop, rtol, atol, 'backprop');
      tf.dispose([loss, backprop]);
    },
  },
  {
    name: 'rank-1 features with a scalar label give a scalar loss',
    async run({tf, op, rtol, atol}) {
      const {loss, backprop} =
          op(tf.tensor1d([1, 2, 3, 4]), tf.scalar(0, 'int32'));
      expectEqual(loss.shape, [], 'loss shape');
      expectEqual(backprop.shape, [4], 'backprop shape');
      const ref = reference([1, 2, 3, 4], [0], 4);
      expectClose(await loss.data(), ref.loss, rtol, atol, 'loss');
      expectClose(await backprop.data(), ref.backprop, rtol, atol, 'backprop');
      tf.dispose([loss, backprop]);
    },
  },
  {
    name: 'an empty batch gives empty outputs',
    async run({tf, op}) {
      for (const [shape, labelShape] of [[[0, 5], [0]], [[2, 0, 3], [2, 0]]]) {
        const {loss, backprop} = op(
            tf.zeros(shape), tf.zeros(labelShape, 'int32'));
        expectEqual(loss.shape, labelShape, 'loss shape');
        expectEqual(backprop.shape, shape, 'backprop shape');
        expectEqual((await loss.data()).length, 0, 'loss size');
        tf.dispose([loss, backprop]);
      }
    },
  },
  {
    name: 'accepts TensorLike arguments (nested arrays and typed arrays)',
    async run({tf, op, rtol, atol}) {
      const nested = op([[1, 1, 1, 1], [1, 2, 3, 4]], [3, 0]);
      const typed = op(Float32Array.from([1, 2, 3, 4]), 0);
      expectClose(await nested.loss.data(), [1.3862944, 3.4401897], rtol, atol);
      expectEqual(nested.loss.dtype, 'float32', 'loss dtype');
      expectClose(await typed.loss.data(), [3.4401897], rtol, atol);
      tf.dispose([nested, typed]);
    },
  },
  {
    name: 'is reachable as tf.<op> and as a chained Tensor method',
    async run({tf, op, rtol, atol}) {
      const features = tf.tensor2d([[1, 2, 3, 4]]);
      const labels = tf.tensor1d([0], 'int32');
      // Untyped: only the script-tag global and CommonJS namespaces have it.
      const viaNamespace = (tf as unknown as {
        sparseSoftmaxCrossEntropyWithLogits: typeof op,
      }).sparseSoftmaxCrossEntropyWithLogits(features, labels);
      const viaMethod = features.sparseSoftmaxCrossEntropyWithLogits(labels);
      const viaImport = op(features, labels);
      for (const result of [viaNamespace, viaMethod]) {
        expectClose(await result.loss.data(), await viaImport.loss.data(),
            rtol, atol, 'loss');
      }
      tf.dispose([features, labels, viaNamespace, viaMethod, viaImport]);
    },
  },
  {
    name: 'runs as a registered kernel that tf.profile sees',
    async run({tf, op}) {
      const features = tf.tensor2d([[1, 2, 3, 4]]);
      const labels = tf.tensor1d([0], 'int32');
      const profile = await tf.profile(() => tf.dispose(op(features, labels)));
      const names = profile.kernelNames;
      expectEqual(names.includes('SparseSoftmaxCrossEntropyWithLogits'), true,
          `kernel names ${JSON.stringify(names)}`);
      tf.dispose([features, labels]);
    },
  },
];
