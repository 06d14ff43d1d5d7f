import type {Scalar} from '@tensorflow/tfjs';

import {assert, expectEqual} from './assert';
import {TestCase} from './case';
import {Random} from './random';

const SOAK_STEPS = 2000;
const WARM_UP_STEPS = 50;

/**
 * Everything a leak would grow: tensors, bytes, the backend's data ids and,
 * on WebGL and WebGPU, the bytes of textures or buffers allocated on the GPU.
 */
function footprint(tf: Parameters<TestCase['run']>[0]['tf']) {
  const memory = tf.memory() as ReturnType<typeof tf.memory> &
      {numBytesInGPUAllocated?: number, numBytesAllocatedInGPU?: number};
  return {
    numTensors: memory.numTensors,
    numBytes: memory.numBytes,
    numDataIds: tf.engine().backend.numDataIds(),
    numBytesInGPUAllocated: memory.numBytesInGPUAllocated ?? 0,
    // WebGPU's name for the bytes of its buffers.
    numBytesAllocatedInGPU: memory.numBytesAllocatedInGPU ?? 0,
  };
}

export const soakCases: TestCase[] = [
  {
    name: `soak: ${SOAK_STEPS} training steps keep memory flat and the loss finite`,
    async run({tf, op}) {
      const random = new Random(31);
      const [batch, inputs, numClasses] = [16, 8, 10];
      const x = tf.tensor2d(random.logits(batch * inputs, 1), [batch, inputs]);
      const labels = tf.tensor1d(random.labels(batch, numClasses), 'int32');
      const kernel = tf.variable(
          tf.tensor2d(random.logits(inputs * numClasses, 0.1), [inputs, numClasses]));
      const optimizer = tf.train.adam(0.01);
      // Each step's loss read with `data()`, as a training loop on WebGPU
      // must (its synchronous reads are unreliable).
      const step = async () => {
        const cost = optimizer.minimize(() => tf.mean(
            op(tf.matMul(x, kernel), labels).loss) as Scalar, true);
        const value = cost == null ? NaN : (await cost.data())[0];
        cost?.dispose();
        return value;
      };
      for (let i = 0; i < WARM_UP_STEPS; i++) {
        await step();
      }
      const before = footprint(tf);
      let lastLoss = NaN;
      for (let i = 0; i < SOAK_STEPS; i++) {
        lastLoss = await step();
        assert(Number.isFinite(lastLoss), () => `loss ${lastLoss} at step ${i}`);
      }
      expectEqual(footprint(tf), before, 'memory after the soak');
      assert(lastLoss < Math.log(numClasses),
          () => `loss ${lastLoss} did not fall below chance`);
      optimizer.dispose();
      tf.dispose([x, labels, kernel]);
    },
  },
];
