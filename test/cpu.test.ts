/**
 * The catalogue on the `cpu` backend in Node: each case runs in a plain Node
 * process that loads `@tensorflow/tfjs` and the package as a user's app does.
 */
import {catalogue} from './catalogue';
import {NodeLane} from './node/node_lane';

const lane = new NodeLane('cpu');

beforeAll(() => lane.start());
afterAll(() => lane.stop());

describe('cpu (Node)', () => {
  for (const {name} of catalogue) {
    it(name, async () => {
      const reply = await lane.run(name);
      if (!reply.ok) {
        throw new Error(reply.message);
      }
    });
  }
});
