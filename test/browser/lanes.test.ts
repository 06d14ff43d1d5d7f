/**
 * The catalogue in headless Chromium, once per lane: cpu, WebGL 2 packed,
 * WebGL 2 unpacked, WebGL 1, 16-bit textures, and WebGPU (loaded by script
 * tags), all running real shaders on SwiftShader. One page per lane (flags are set before its backend
 * initialises); lanes run one after another; one test per case per lane.
 */
import {Browser} from 'playwright-core';

import {catalogue} from '../catalogue';
import {TestCase} from '../catalogue/case';

import {failure, LanePage, lanesSite, launchChromium, Site, webgpuScriptTagSite, writeTimings} from './harness';
import {gpuCases, webglCases, webgpuCases} from './gpu_cases';
import {lanes} from './lanes';
import type {Suite} from './page_entry';

/** Generous for SwiftShader, yet bounded: a hung case cannot stall CI. */
const CASE_TIMEOUT = 240000;

let browser: Browser;
let site: Site;
let scriptTagSite: Site;
const timings: {[lane: string]: {[name: string]: number}} = {};

beforeAll(async () => {
  browser = await launchChromium();
  site = await lanesSite();
  scriptTagSite = await webgpuScriptTagSite();
}, 120000);

afterAll(async () => {
  writeTimings('lanes.json', timings);
  await browser?.close();
});

for (const lane of lanes) {
  describe(`browser lane: ${lane.name}`, () => {
    let page: LanePage;
    timings[lane.name] = {};

    beforeAll(async () => {
      page = await LanePage.open(
          browser, lane.scriptTags === true ? scriptTagSite : site, lane);
    }, 180000);

    afterAll(() => page?.close());

    it('is set up as asked: backend, WebGL version, flags, float precision',
        () => {
          const {report, lane: {expected}} = page;
          expect(report.backend).toBe(lane.backend);
          expect(report.flags).toEqual(lane.flags);
          expect(report.floatPrecision).toBe(expected.floatPrecision);
          expect(report.webglVersion).toBe(expected.webglVersion);
          if (lane.flags.WEBGL_FORCE_F16_TEXTURES === true) {
            expect(report.tfjsFloatPrecision).toBe(16);
          }
        });

    it('has the same catalogue as Node', async () => {
      expect(await page.caseNames('catalogue'))
          .toEqual(catalogue.map(testCase => testCase.name));
    });

    const suites: Array<[Suite, TestCase[]]> = [['catalogue', catalogue]];
    if (lane.backend !== 'cpu') {
      suites.push(['gpu', gpuCases]);
    }
    if (lane.backend === 'webgl') {
      suites.push(['webgl', webglCases]);
    }
    if (lane.backend === 'webgpu') {
      suites.push(['webgpu', webgpuCases]);
    }
    for (const [suite, cases] of suites) {
      for (const testCase of cases) {
        it(testCase.name, async () => {
          const result = await page.run(suite, testCase.name, CASE_TIMEOUT);
          timings[lane.name][testCase.name] = result.milliseconds;
          if (!result.ok) {
            throw failure(`[lane ${lane.name}] ${result.message}`);
          }
        }, CASE_TIMEOUT + 180000);
      }
    }
  });
}
