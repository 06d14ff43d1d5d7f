/**
 * The browser demo (`npm run demo:browser`) as a person sees it: its page in
 * headless Chromium on WebGL, served from the same files the demo server
 * serves. Checks that the loss falls and saves a screenshot for the README.
 */
import {readFileSync} from 'node:fs';
import {join} from 'node:path';

import {Browser} from 'playwright-core';

import {launchChromium, Site, SitePage} from './harness';

const ROOT = join(__dirname, '..', '..');
const demo = (...path: string[]) => readFileSync(join(ROOT, ...path), 'utf8');

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(() => browser?.close());

it('trains on WebGL and the loss falls', async () => {
  const site: Site = {
    '/index.html': {body: demo('demo', 'browser', 'index.html'), contentType: 'text/html'},
    '/app.js': {body: demo('demo', 'browser', 'app.js'), contentType: 'text/javascript'},
    '/tf.min.js': {body: demo('node_modules', '@tensorflow', 'tfjs', 'dist', 'tf.min.js'),
      contentType: 'text/javascript'},
    '/tf-sparse-softmax-cross-entropy.min.js': {
      body: demo('dist', 'tf-sparse-softmax-cross-entropy.min.js'),
      contentType: 'text/javascript'},
  };
  const page = await SitePage.open(browser, site);
  try {
    await page.page.waitForFunction(() => 'demoResult' in window,
        undefined, {timeout: 120000});
    const result = await page.page.evaluate(() =>
        (window as unknown as {demoResult: {backend: string, losses: number[],
          accuracy: number, error?: string}}).demoResult);
    expect(result.error).toBeUndefined();
    expect(result.backend).toBe('webgl');
    expect(result.losses[result.losses.length - 1])
        .toBeLessThan(0.5 * result.losses[0]);
    expect(result.accuracy).toBeGreaterThan(0.9);
    await page.page.setViewportSize({width: 720, height: 480});
    await page.page.screenshot({path: join(ROOT, 'docs', 'demo-browser.png')});
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${page.takeLog()}`);
  } finally {
    await page.close();
  }
}, 180000);
