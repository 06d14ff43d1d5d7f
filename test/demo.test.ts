/**
 * `npm run demo`'s scripts finish and print their results (on the built
 * package; `npm test` builds first). The language-model demos run with fewer
 * steps here.
 */
import {execFileSync} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';

const ROOT = join(__dirname, '..');
const ARTIFACTS = join(ROOT, 'test-artifacts', 'demo');

function runDemo(file: string, env: {[name: string]: string} = {}): string {
  return execFileSync(process.execPath, [join(ROOT, 'demo', file)],
      {cwd: ROOT, encoding: 'utf8', env: {...process.env, ...env}});
}

it('trains the Iris classifier and reports its accuracy', () => {
  const out = runDemo('train.mjs');
  const accuracy = /test accuracy[^\d]*([\d.]+)%|accuracy on \d+ Iris flowers: ([\d.]+)%/
      .exec(out);
  expect(accuracy).not.toBeNull();
  expect(Number(accuracy?.[1] ?? accuracy?.[2])).toBeGreaterThan(90);
}, 60000);

it('compares the next-token model with the one-hot composite', () => {
  const out = runDemo('next_token.mjs', {DEMO_STEPS: '2'});
  expect(out).toMatch(/this package: +\d+ ms\/step, peak [\d.]+ MB/);
  expect(out).toMatch(/one-hot composite: +\d+ ms\/step, peak [\d.]+ MB/);
  expect(out).toContain('first-step loss equal within 0.1%: true');
}, 120000);

it('trains the Brown Corpus model over all 49,815 words and writes brown.json',
    () => {
      const out = runDemo('brown.mjs',
          {DEMO_STEPS: '8', DEMO_BATCH: '128', DEMO_OUTPUT: ARTIFACTS});
      expect(out).toMatch(/\(a\) linearSparseSoftmaxCrossEntropy +\d+ ms\/step, peak [\d.]+ MB/);
      expect(out).toMatch(/held-out perplexity \d+ vs unigram \d+/);
      const result = JSON.parse(readFileSync(join(ARTIFACTS, 'brown.json'),
          'utf8'));
      expect(result.vocabularySize).toBe(49815);
      expect(result.steps).toBe(8);
      expect(result.trainTokens + result.heldOutTokens).toBeGreaterThan(1e6);
      expect(result.heldOutTokens).toBeGreaterThan(50000);
      expect(result.unigramPerplexity).toBeGreaterThan(500);
      expect(Number.isFinite(result.heldOutPerplexity)).toBe(true);
      expect(result.trainingLoss).toHaveLength(8);
      expect(result.leakedTensors).toBe(0);
      for (const figures of [result.msPerStep, result.peakBytes]) {
        expect(Object.keys(figures).sort()).toEqual(
            ['composite', 'fused', 'loss']);
        for (const value of Object.values(figures)) {
          expect(value).toBeGreaterThan(0);
        }
      }
      // The fused step never holds tokens x vocabulary logits.
      expect(result.peakBytes.fused).toBeLessThan(
          0.25 * result.peakBytes.loss);
      expect(result.peakBytes.loss).toBeLessThan(result.peakBytes.composite);
      expect(readFileSync(join(ARTIFACTS, 'brown.svg'), 'utf8'))
          .toContain('<svg');
    }, 180000);
