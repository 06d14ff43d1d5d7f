/**
 * `tf.setBackend` between calls and in the middle of training, in one page:
 * the numbers must match a cpu-only run within the float32 tolerances. Once
 * in the WebGL page (cpu and webgl, WebGL 2 with real shaders), once in the
 * WebGPU page loaded by script tags (cpu, webgl and webgpu).
 */
import {Browser} from 'playwright-core';

import {failure, LanePage, lanesSite, launchChromium, webgpuScriptTagSite} from './harness';
import {lanes} from './lanes';
import {switchingCases} from './switching_cases';

const CASE_TIMEOUT = 120000;

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
}, 180000);

afterAll(async () => {
  await browser?.close();
});

for (const [laneName, backends] of [
  ['webgl2 packed', 'cpu and webgl'],
  ['webgpu', 'cpu, webgl and webgpu'],
]) {
  describe(`switching backends among ${backends}`, () => {
    const lane = lanes.find(({name}) => name === laneName)!;
    let page: LanePage;

    beforeAll(async () => {
      const site = lane.scriptTags === true ? await webgpuScriptTagSite() :
                                              await lanesSite();
      page = await LanePage.open(browser, site, lane);
    }, 180000);

    afterAll(() => page?.close());

    it(`runs on ${lane.backend} with float32 between switches`, () => {
      expect(page.report.backend).toBe(lane.backend);
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
}
