/**
 * The Brown Corpus page (`npm run demo:browser`, then /brown.html) as a
 * reader sees it: headless Chromium loads the files the demo server lists
 * (demo/site.cjs, the corpus payload included) and trains the 49,815-word
 * model on WebGL for a few steps. Checks the backend, that the loss falls,
 * the memory figure and that nothing leaked, and saves a screenshot for the
 * README.
 */
import {join} from 'node:path';

import {Browser} from 'playwright-core';

import {demoSite} from '../../demo/site.cjs';
import {launchChromium, Site, SitePage} from './harness';

const ROOT = join(__dirname, '..', '..');
// About 2 s a step on SwiftShader's WebGL (256 x 49,815 logits), plus
// 5 held-out evaluations of ~4.5 s and the two profiled steps: ~80 s.
const STEPS = 20;

/** What the page leaves in `window.brownResult`. */
interface BrownResult {
  error?: string;
  backend: string;
  vocabularySize: number;
  losses: number[];
  perplexities: {step: number, perplexity: number}[];
  unigramPerplexity: number;
  peakBytes: {fused: number, loss: number};
  msPerStep: number;
  leakedTensors: number;
}

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(() => browser?.close());

/** Every file the demo server serves, read (or built) once. */
function servedSite(): Site {
  return Object.fromEntries(Object.entries(demoSite()).map(
      ([path, {contentType, body}]) => [path, {contentType, body: body()}]));
}

it(`trains on WebGL for ${STEPS} steps: the held-out loss falls, the fused ` +
    'step peaks at under a quarter of matMul + the loss, nothing leaks',
async () => {
  const page = await SitePage.open(browser, servedSite(),
      `/brown.html?backend=webgl&steps=${STEPS}`);
  try {
    await page.page.waitForFunction(() => 'brownResult' in window,
        undefined, {timeout: 170000, polling: 1000});
    const result = await page.page.evaluate(() =>
        (window as unknown as {brownResult: BrownResult}).brownResult);
    await page.page.setViewportSize({width: 800, height: 600});
    await page.page.screenshot(
        {path: join(ROOT, 'docs', 'demo-brown-browser.png')});
    const {losses, perplexities, peakBytes} = result;
    console.log(`brown.html on ${result.backend}: ` +
        `${result.msPerStep.toFixed(0)} ms/step; loss ${losses[0].toFixed(3)} ` +
        `-> ${losses[losses.length - 1].toFixed(3)}; held-out perplexity ` +
        perplexities.map(p => `${p.perplexity.toFixed(1)} (step ${p.step})`)
            .join(', ') +
        `; unigram ${result.unigramPerplexity.toFixed(1)}; peak ` +
        `${(peakBytes.fused / 2 ** 20).toFixed(1)} MB fused, ` +
        `${(peakBytes.loss / 2 ** 20).toFixed(1)} MB matMul + loss`);

    expect(result.error).toBeUndefined();
    expect(result.backend).toBe('webgl');
    expect(result.vocabularySize).toBe(49815);
    expect(losses).toHaveLength(STEPS);
    for (const loss of losses) expect(Number.isFinite(loss)).toBe(true);
    // One batch's loss moves ~0.2 nats from batch to batch, more than these
    // steps teach; the loss on the fixed held-out sample is what falls.
    const first = perplexities[0];
    const last = perplexities[perplexities.length - 1];
    expect(first.step).toBe(0);
    expect(last.step).toBe(STEPS);
    // Step 0 is the unigram model itself (zero kernel, log-unigram bias).
    expect(first.perplexity).toBeCloseTo(result.unigramPerplexity, -1);
    expect(Number.isFinite(last.perplexity)).toBe(true);
    expect(last.perplexity).toBeLessThan(0.99 * first.perplexity);
    expect(4 * peakBytes.fused).toBeLessThan(peakBytes.loss);
    expect(result.leakedTensors).toBe(0);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${page.takeLog()}`);
  } finally {
    await page.close();
  }
}, 180000);
