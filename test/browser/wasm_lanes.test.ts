/**
 * The catalogue in headless Chromium on tfjs's wasm backend, loaded from its
 * script bundle after tf.js as script-tag users load it: with SIMD, with
 * SIMD off (tfjs's scalar binary and the package's scalar row passes), and
 * threaded (its shared memory and the package's shared-memory binary).
 * One page per lane, one test per case, as `lanes.test.ts`.
 */
import {readFileSync} from 'node:fs';
import {join} from 'node:path';

import {Browser} from 'playwright-core';

import {catalogue} from '../catalogue';
import {cannotRunOnWasm} from '../catalogue/wasm_limits';

import {failure, html, LanePage, lanesSite, launchChromium, Site, script, writeTimings} from './harness';
import {wasmLanes} from './lanes';

const CASE_TIMEOUT = 240000;
const WASM_DIST = ['node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist'];

/**
 * The lanes' page with tfjs-backend-wasm's script and its binaries, cross-
 * origin isolated (SharedArrayBuffer, for the threaded build's workers).
 */
async function wasmSite(): Promise<Site> {
  const binary = (name: string) => ({contentType: 'application/wasm' as const,
    body: readFileSync(join(__dirname, '..', '..', ...WASM_DIST, name))});
  const site: Site = {
    ...await lanesSite(),
    '/index.html': html('/tf.js', '/tf-backend-wasm.js', '/page_entry.js'),
    '/tf-backend-wasm.js': script(...WASM_DIST, 'tf-backend-wasm.js'),
    '/tfjs-backend-wasm.wasm': binary('tfjs-backend-wasm.wasm'),
    '/tfjs-backend-wasm-simd.wasm': binary('tfjs-backend-wasm-simd.wasm'),
    '/tfjs-backend-wasm-threaded-simd.wasm':
        binary('tfjs-backend-wasm-threaded-simd.wasm'),
  };
  const isolated = {'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp'};
  return Object.fromEntries(Object.entries(site).map(
      ([path, file]) => [path, {...file, headers: isolated}]));
}

let browser: Browser;
let site: Site;
const timings: {[lane: string]: {[name: string]: number}} = {};

beforeAll(async () => {
  browser = await launchChromium();
  site = await wasmSite();
}, 120000);

afterAll(async () => {
  writeTimings('wasm_lanes.json', timings);
  await browser?.close();
});

for (const lane of wasmLanes) {
  describe(`browser lane: ${lane.name}`, () => {
    let page: LanePage;
    timings[lane.name] = {};

    beforeAll(async () => {
      page = await LanePage.open(browser, site, lane);
    }, 180000);

    afterAll(() => page?.close());

    it('is set up as asked: backend, flags, the package\'s row passes', () => {
      expect(page.report.backend).toBe('wasm');
      expect(page.report.flags).toEqual(lane.flags);
      expect(page.report.floatPrecision).toBe(32);
      expect(page.report.wasmRowPasses).toBe(lane.expected.wasmRowPasses);
    });

    for (const testCase of catalogue) {
      const test = testCase.name in cannotRunOnWasm ? it.skip : it;
      test(testCase.name, async () => {
        const result = await page.run('catalogue', testCase.name, CASE_TIMEOUT);
        timings[lane.name][testCase.name] = result.milliseconds;
        if (!result.ok) {
          throw failure(`[lane ${lane.name}] ${result.message}`);
        }
      }, CASE_TIMEOUT + 180000);
    }
  });
}
