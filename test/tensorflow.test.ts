/**
 * tfjs-node's `'tensorflow'` backend: the package's kernels run TensorFlow's
 * own `SparseSoftmaxCrossEntropyWithLogits` and TensorFlow ops in place, in
 * TensorFlow's memory (src/kernels/tensorflow/). tfjs-node is a native addon,
 * so everything runs in plain Node processes (`node_lane.ts`), never in
 * jest's: the whole catalogue, and the backend's own cases
 * (`node/tensorflow_cases.ts`: kernels registered, nothing read back to
 * third order, TensorFlow's label error), with the package loaded before
 * tfjs-node, and again with tfjs-node loaded first.
 *
 * tfjs-node's addon is built by scripts/install_tfjs_node.mjs (`.ci/run`
 * runs it before `npm test`); without it this lane fails and says so.
 */
import {spawnSync} from 'node:child_process';
import {join} from 'node:path';

import {catalogue} from './catalogue';
import {NodeLane} from './node/node_lane';
import {tensorflowCases} from './node/tensorflow_cases';

const root = join(__dirname, '..');

function expectTfjsNodeLoads(): void {
  const result = spawnSync(process.execPath,
      ['-e', 'require("@tensorflow/tfjs-node")'],
      {cwd: root, encoding: 'utf8',
        env: {...process.env, TF_CPP_MIN_LOG_LEVEL: '2'}});
  if (result.status !== 0) {
    throw new Error('@tensorflow/tfjs-node does not load; run `node ' +
        'scripts/install_tfjs_node.mjs` (see docs/tfjs-node.md).\n' +
        result.stderr);
  }
}

async function runIn(lane: NodeLane, name: string): Promise<void> {
  const reply = await lane.run(name);
  if (!reply.ok) {
    throw new Error(reply.message);
  }
}

describe('tensorflow (tfjs-node), the package loaded first', () => {
  const lane = new NodeLane('tensorflow');
  beforeAll(async () => {
    expectTfjsNodeLoads();
    await lane.start();
  });
  afterAll(() => lane.stop());

  for (const {name} of [...tensorflowCases, ...catalogue]) {
    it(name, () => runIn(lane, name));
  }
});

describe('tensorflow (tfjs-node), tfjs-node loaded first', () => {
  const lane = new NodeLane('tensorflow', {}, {preload: ['@tensorflow/tfjs-node']});
  beforeAll(() => lane.start());
  afterAll(() => lane.stop());

  for (const {name} of tensorflowCases) {
    it(name, () => runIn(lane, name));
  }
});
