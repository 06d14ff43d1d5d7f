/**
 * Every ```js and ```ts block of README.md and docs/*.md runs under Node as
 * written, and prints what its `// prints: ...` comments say, in order (see
 * docs/contributing.md for the convention and its escape). Blocks run as ES
 * modules (CommonJS if they `require` and do not `import`) from the
 * package's own directory, so
 * `import ... from 'tfjs-sparse-softmax-cross-entropy'` is the built
 * package (`npm test` builds first) through its `exports`.
 */
import {execFileSync} from 'node:child_process';
import {existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import {dirname, join} from 'node:path';

import * as ts from 'typescript';

const ROOT = join(__dirname, '..', '..');
const OUT = join(ROOT, 'test-artifacts', 'docs');
const LANGUAGES = new Set(['js', 'javascript', 'ts', 'typescript']);

interface Block {
  file: string;
  line: number;
  language: string;
  code: string;
}

/** The fenced blocks of a Markdown file, with the line each starts on. */
function blocksOf(file: string): Block[] {
  const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i]);
    if (!open) {
      continue;
    }
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]); i++) {
      body.push(lines[i]);
    }
    blocks.push({file, line: start + 1, language: open[1],
      code: body.join('\n')});
  }
  return blocks;
}

/** What the block says it prints, in order: `// prints: <text>`. */
function expectedPrints(code: string): string[] {
  return [...code.matchAll(/\/\/ prints: (.*)$/gm)].map(m => m[1].trim());
}

const squash = (text: string) => text.replace(/\s+/g, ' ').trim();

const docs = ['README.md', ...readdirSync(join(ROOT, 'docs'))
    .filter(f => f.endsWith('.md')).sort().map(f => `docs/${f}`)];
const runnable = docs.flatMap(blocksOf)
    .filter(block => LANGUAGES.has(block.language));

/** GitHub's anchor for a heading: lower case, punctuation dropped. */
function slug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
}

function anchorsOf(file: string): Set<string> {
  const text = readFileSync(join(ROOT, file), 'utf8')
      .replace(/^```[\s\S]*?^```/gm, '');
  return new Set([...text.matchAll(/^#+ (.*)$/gm)].map(m => slug(m[1])));
}

it('links between the docs reach a file and a heading that exist', () => {
  const broken: string[] = [];
  for (const file of docs) {
    const text = readFileSync(join(ROOT, file), 'utf8')
        .replace(/^```[\s\S]*?^```/gm, '');
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target)) {
        continue;
      }
      const [path, anchor] = target.split('#');
      const linked = path === '' ? file : join(dirname(file), path);
      if (!existsSync(join(ROOT, linked))) {
        broken.push(`${file}: ${target} (no such file)`);
      } else if (anchor !== undefined && linked.endsWith('.md') &&
                 !anchorsOf(linked).has(anchor)) {
        broken.push(`${file}: ${target} (no such heading)`);
      }
    }
  }
  expect(broken).toEqual([]);
});

it('finds the blocks to run', () => {
  expect(runnable.length).toBeGreaterThan(0);
});

it.each(runnable.map(block => [`${block.file}:${block.line}`, block] as const))(
    '%s runs as written and prints what it says', (_, block) => {
      const javascript = block.language.startsWith('t') ?
          ts.transpileModule(block.code, {compilerOptions: {
            module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2020}})
              .outputText :
          block.code;
      // A block that requires and imports nothing is CommonJS.
      const commonJs = /\brequire\(/.test(javascript) &&
          !/^import\b/m.test(javascript);
      mkdirSync(OUT, {recursive: true});
      const file = join(OUT, `${block.file.replace(/\W/g, '_')}_${
          block.line}.${commonJs ? 'cjs' : 'mjs'}`);
      writeFileSync(file, javascript);
      let stdout: string;
      try {
        stdout = execFileSync(process.execPath, [file], {cwd: ROOT,
          encoding: 'utf8', stdio: 'pipe', timeout: 120000});
      } catch (error) {
        const {stdout: out, stderr} = error as {stdout?: string, stderr?: string};
        throw new Error(`${block.file}:${block.line} failed:\n${out}\n${stderr}`);
      }
      // Each stated print appears in the output, after the one before it.
      const output = squash(stdout);
      let from = 0;
      for (const want of expectedPrints(block.code)) {
        const at = output.indexOf(squash(want), from);
        if (at < 0) {
          throw new Error(`${block.file}:${block.line} should print ` +
              `"${want}"${from > 0 ? ' (after the prints before it)' : ''}; ` +
              `it printed:\n${stdout}`);
        }
        from = at + squash(want).length;
      }
    }, 180000);
