/**
 * `tf.setBackend` between calls and in the middle of training, between cpu
 * and webgl (WebGL 2, real shaders), in one page: the numbers must match a
 * cpu-only run within the float32 tolerances.
 */
import {Browser} from 'playwright-core';

import {failure, LanePage, lanesSite, launchChromium} from './harness';
import {lanes} from './lanes';
import {switchingCases} from './switching_cases';

const CASE_TIMEOUT = 120000;
const webgl = lanes.find(lane => lane.name === 'webgl2 packed')!;

let browser: Browser;
let page: LanePage;

beforeAll(async () => {
  browser = await launchChromium();
  page = await LanePage.open(browser, await lanesSite(), webgl);
}, 180000);

afterAll(async () => {
  await page?.close();
  await browser?.close();
});

describe('switching backends between cpu and webgl', () => {
  it('runs on webgl with float32 textures between switches', () => {
    expect(page.report.backend).toBe('webgl');
    expect(page.report.floatPrecision).toBe(32);
  });

  for (const testCase of switchingCases) {
    it(testCase.name, async () => {
      const result = await page.run('switching', testCase.name, CASE_TIMEOUT);
      if (!result.ok) {
        throw failure(result.message);
      }
    }, CASE_TIMEOUT + 180000);
  }
});
