/**
 * `npm run demo`'s scripts finish and print their results (on the built
 * package; `npm test` builds first). The LM demo runs with fewer steps here.
 */
import {execFileSync} from 'node:child_process';
import {join} from 'node:path';

const ROOT = join(__dirname, '..');

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
