import type * as tfjs from '@tensorflow/tfjs';

import {expectEqual} from './assert';

export interface MemorySnapshot {
  numTensors: number;
  numDataIds: number;
}

export function memorySnapshot(tf: typeof tfjs): MemorySnapshot {
  return {
    numTensors: tf.memory().numTensors,
    numDataIds: tf.engine().backend.numDataIds(),
  };
}

/** Runs `body` and checks that tensors and backend data ids are back to where they were. */
export async function expectNoLeak(
    tf: typeof tfjs, what: string,
    body: () => void | Promise<void>): Promise<void> {
  const before = memorySnapshot(tf);
  await body();
  expectEqual(memorySnapshot(tf), before, `${what}: tensors and data ids`);
}
