/**
 * The tfjs-layers routes (test/layers/cases.ts) in headless Chromium on
 * WebGL 2 (SwiftShader): the same cases as the Node lane, on a GPU backend.
 */
import {Browser} from 'playwright-core';

import {layersCases} from '../layers/cases';

import {failure, LanePage, lanesSite, launchChromium, writeTimings} from './harness';
import {lanes} from './lanes';

const CASE_TIMEOUT = 240000;
const lane = lanes.find(l => l.name === 'webgl2 packed');

let browser: Browser;
let page: LanePage;
const timings: {[name: string]: number} = {};

beforeAll(async () => {
  if (lane === undefined) {
    throw new Error('no \'webgl2 packed\' lane in lanes.ts');
  }
  browser = await launchChromium();
  page = await LanePage.open(browser, await lanesSite(), lane);
}, 180000);

afterAll(async () => {
  writeTimings('layers.json', {[lane?.name ?? 'webgl']: timings});
  await page?.close();
  await browser?.close();
});

it('runs on WebGL, with the Node lane\'s cases', async () => {
  expect(page.report.backend).toBe('webgl');
  expect(await page.caseNames('layers'))
      .toEqual(layersCases.map(testCase => testCase.name));
});

for (const testCase of layersCases) {
  it(`webgl: ${testCase.name}`, async () => {
    const result = await page.run('layers', testCase.name, CASE_TIMEOUT);
    timings[testCase.name] = result.milliseconds;
    if (!result.ok) {
      throw failure(`[webgl] ${result.message}`);
    }
  }, CASE_TIMEOUT + 180000);
}
