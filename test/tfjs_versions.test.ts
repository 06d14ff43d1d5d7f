/**
 * The built package (`dist/`, as `require` finds it) against the oldest and
 * newest tfjs releases its peer range accepts, 4.0.0 (installed apart, in
 * compat/tfjs-4.0.0) and 4.22.0 (the root's), on `cpu` and `wasm`. Each lane
 * is a plain Node process whose `@tensorflow/...` requests resolve to one
 * release (`node/resolve_tfjs_from.cjs`); it runs the catalogue's value,
 * gradient, loss-kernel and error cases, and checks that on wasm the
 * package's kernels ran in place on the heap they find through
 * `src/tfjs_internals.ts` (nothing read back). When a tfjs release moves a
 * private field the package uses, this test and that file say where.
 */
import {join} from 'node:path';

import {errorCases} from './catalogue/error_cases';
import {gradientCases} from './catalogue/gradient_cases';
import {lossKernelCases} from './catalogue/loss_kernel_cases';
import {valueCases} from './catalogue/values_cases';
import {cannotRunOnWasm} from './catalogue/wasm_limits';
import {NO_READ_BACKS} from './node/lane_checks';
import {NodeLane} from './node/node_lane';

const root = join(__dirname, '..');
const RELEASES: Array<{version: string, from: string}> = [
  {version: '4.0.0', from: join(root, 'compat', 'tfjs-4.0.0')},
  {version: '4.22.0', from: root},
];
/** The cases run (the memory, fuzz, soak and linear ones are left to the main lanes). */
const CASES = [...valueCases, ...gradientCases, ...lossKernelCases,
  ...errorCases];

for (const {version, from} of RELEASES) {
  for (const backend of ['cpu', 'wasm']) {
    describe(`tfjs ${version} on ${backend} (Node, built package)`, () => {
      const lane = new NodeLane(backend, {}, {tfjsFrom: from});
      beforeAll(() => lane.start());
      afterAll(() => lane.stop());

      it(`loads tfjs-core ${version}`, () => {
        expect(lane.ready?.tfjsCore).toBe(version);
      });
      if (backend === 'wasm') {
        it(NO_READ_BACKS, async () => {
          const reply = await lane.run(NO_READ_BACKS);
          if (!reply.ok) {
            throw new Error(reply.message);
          }
        });
      }
      for (const {name} of CASES) {
        const test = backend === 'wasm' && name in cannotRunOnWasm ?
            it.skip : it;
        test(name, async () => {
          const reply = await lane.run(name);
          if (!reply.ok) {
            throw new Error(reply.message);
          }
        });
      }
    });
  }
}
