/**
 * The Node side of the browser tests: Chromium through playwright-core,
 * pages served from memory and disk (nothing touches the network), and the
 * page bundle built with esbuild.
 */
import {existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';

import * as esbuild from 'esbuild';
import {Browser, chromium, Page} from 'playwright-core';

import {CaseResult, Lane, LaneReport} from './lanes';
import type {Suite} from './page_entry';

const ROOT = join(__dirname, '..', '..');
const ARTIFACTS = join(ROOT, 'test-artifacts', 'browser');
// Debian's chromium package, unless CHROMIUM_PATH names another (.ci/run too).
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/**
 * Debian's Chromium, WebGL on SwiftShader through ANGLE and WebGPU on
 * SwiftShader's Vulkan (no GPU needed).
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`The browser tests need Chromium at ${CHROMIUM}: ` +
        'install it with `apt-get install chromium` (as .ci/run does), or ' +
        'set CHROMIUM_PATH to a Chromium binary.');
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      // WebGL on SwiftShader through ANGLE; `--use-gl=swiftshader` has none.
      '--use-angle=swiftshader', '--enable-unsafe-webgpu', '--disable-quic',
      '--no-sandbox',
      '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run',
    ],
  });
}

/** A file the page may load, by path under http://localhost/. */
export interface SiteFile {
  body: string|Buffer;
  contentType: 'text/html'|'text/javascript'|'application/wasm'|
      'application/json'|'application/octet-stream';
  /** Extra response headers (say, to make the page cross-origin isolated). */
  headers?: {[name: string]: string};
}
export type Site = {[path: string]: SiteFile};

export function html(...scripts: string[]): SiteFile {
  return {
    body: '<!doctype html>\n<meta charset="utf-8">\n' +
        scripts.map(src => `<script src="${src}"></script>\n`).join(''),
    contentType: 'text/html',
  };
}

export function script(...pathFromRoot: string[]): SiteFile {
  const file = join(ROOT, ...pathFromRoot);
  if (!existsSync(file)) {
    throw new Error(`${file} is missing${pathFromRoot[0] === 'dist' ?
        ' (`npm run build` makes it; `npm test` runs it first)' : ''}`);
  }
  if (pathFromRoot[0] === 'dist' &&
      statSync(file).mtimeMs < newestModification(join(ROOT, 'src'))) {
    // A stale bundle once passed off an old failure as a new one.
    throw new Error(`${file} is older than src/: run \`npm run build\` ` +
        '(`npm test` runs it first)');
  }
  return {body: readFileSync(file, 'utf8'), contentType: 'text/javascript'};
}

/** The latest modification time of the files under `directory`. */
function newestModification(directory: string): number {
  return Math.max(0, ...readdirSync(directory, {withFileTypes: true}).map(
      entry => entry.isDirectory() ?
          newestModification(join(directory, entry.name)) :
          statSync(join(directory, entry.name)).mtimeMs));
}

/**
 * Where the page's package comes from: its sources bundled with the cases,
 * or (`'umdGlobal'`) the package's own UMD bundle, loaded by a script tag
 * before the cases, as script-tag users load it.
 */
export type PackageSource = 'sources'|'umdGlobal';

/**
 * The cases, and the package's sources unless `packageSource` is
 * `'umdGlobal'`, for a page that has loaded tfjs's UMD bundle: every
 * `@tensorflow/*` import is the global `tf`, as in the package's own UMD
 * build.
 */
export async function bundlePageEntry(
    packageSource: PackageSource = 'sources'): Promise<SiteFile> {
  const tfjsFromGlobal: esbuild.Plugin = {
    name: 'tfjs-from-global',
    setup(build) {
      build.onResolve({filter: /^@tensorflow\//}, ({path}) => {
        if (!/^@tensorflow\/tfjs(-core|-backend-cpu|-backend-webgl)?$/.test(
                path)) {
          return {errors: [{text: `${path}: only package roots that the ` +
                'global `tf` re-exports can be used'}]};
        }
        return {path, namespace: 'tfjs-global'};
      });
      build.onLoad({filter: /.*/, namespace: 'tfjs-global'}, ({path}) => ({
        contents: `if (typeof tf === 'undefined') {
  throw new Error('load tf.js before this bundle (for ${path})');
}
module.exports = tf;`,
        loader: 'js',
      }));
    },
  };
  const packageFromGlobal: esbuild.Plugin = {
    name: 'package-from-umd-global',
    setup(build) {
      build.onResolve({filter: /^\.\.\/\.\.\/src$/},
          () => ({path: 'package', namespace: 'umd-global'}));
      build.onLoad({filter: /.*/, namespace: 'umd-global'}, () => ({
        contents: `if (typeof tfSparseSoftmaxCrossEntropy === 'undefined') {
  throw new Error('load dist/tf-sparse-softmax-cross-entropy.min.js first');
}
module.exports = tfSparseSoftmaxCrossEntropy;`,
        loader: 'js',
      }));
    },
  };
  const result = await esbuild.build({
    entryPoints: [join(__dirname, 'page_entry.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    // package.json's sideEffects is for users' bundlers; keep register.ts.
    ignoreAnnotations: true,
    plugins: packageSource === 'umdGlobal' ?
        [packageFromGlobal, tfjsFromGlobal] : [tfjsFromGlobal],
    logLevel: 'silent',
  });
  const body = result.outputFiles[0].text;
  mkdirSync(ARTIFACTS, {recursive: true});
  writeFileSync(join(ARTIFACTS, `page_entry_${packageSource}.js`), body);
  return {body, contentType: 'text/javascript'};
}

/** The page the lanes run in: tfjs's UMD bundle, then page_entry.ts. */
export async function lanesSite(): Promise<Site> {
  return {
    '/index.html': html('/tf.js', '/page_entry.js'),
    // The unminified build of tf.min.js: same code, readable stacks.
    '/tf.js': script('node_modules', '@tensorflow', 'tfjs', 'dist', 'tf.js'),
    '/page_entry.js': await bundlePageEntry(),
  };
}

/**
 * The page of a script-tag user of WebGPU: tfjs's `tf.min.js`, its WebGPU
 * backend's bundle and the package's UMD bundle (`npm run build` makes it),
 * then the cases, which take the package from its global.
 */
export async function webgpuScriptTagSite(): Promise<Site> {
  const tfjs = ['node_modules', '@tensorflow'];
  return {
    '/index.html': html('/tf.min.js', '/tf-backend-webgpu.min.js',
        '/tf-sparse-softmax-cross-entropy.min.js', '/page_entry.js'),
    '/tf.min.js': script(...tfjs, 'tfjs', 'dist', 'tf.min.js'),
    '/tf-backend-webgpu.min.js': script(...tfjs, 'tfjs-backend-webgpu', 'dist',
        'tf-backend-webgpu.min.js'),
    '/tf-sparse-softmax-cross-entropy.min.js':
        script('dist', 'tf-sparse-softmax-cross-entropy.min.js'),
    '/page_entry.js': await bundlePageEntry('umdGlobal'),
  };
}

/** A fresh page (its own browser context) that can reach only `site`. */
export class SitePage {
  private readonly log: string[] = [];

  private constructor(readonly page: Page) {
    page.on('console', message =>
        this.log.push(`console.${message.type()}: ${message.text()}`));
    page.on('pageerror', error => this.log.push(`page error: ${error.message}`));
  }

  /** Opens `path` (with any query) of `site`, /index.html by default. */
  static async open(browser: Browser, site: Site, path = '/index.html'):
      Promise<SitePage> {
    const page = await browser.newPage();
    const sitePage = new SitePage(page);
    await page.route('**/*', route => {
      const url = new URL(route.request().url());
      const file = url.origin === 'http://localhost' ?
          site[url.pathname] : undefined;
      if (file === undefined) {
        sitePage.log.push(`blocked request: ${url.href}`);
        return route.abort('blockedbyclient');
      }
      return route.fulfill({body: file.body, contentType: file.contentType,
        headers: file.headers});
    });
    await page.goto(`http://localhost${path}`);
    return sitePage;
  }

  /** Console output and page errors since the last call, for failures. */
  takeLog(maxChars = 4000): string {
    const text = this.log.splice(0).join('\n');
    return text.length <= maxChars ? text :
        `${text.slice(0, maxChars)}\n... (${text.length - maxChars} more chars)`;
  }

  async close(): Promise<void> {
    await this.page.context().close();
  }
}

/** `promise`, or an error after `milliseconds`. */
export async function withTimeout<T>(
    promise: Promise<T>, milliseconds: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout>|undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(
        `${what}: timed out after ${milliseconds / 1000} s`)), milliseconds);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Milliseconds each case took, per lane, written for the record. */
export function writeTimings(
    file: string, timings: {[lane: string]: {[name: string]: number}}): void {
  mkdirSync(ARTIFACTS, {recursive: true});
  writeFileSync(join(ARTIFACTS, file), `${JSON.stringify(timings, null, 2)}\n`);
}

/** An Error whose stack is its message: the page's stack is in the message. */
export function failure(message: string): Error {
  const error = new Error(message);
  error.stack = `Error: ${message}`;
  return error;
}

/**
 * One lane's page: flags set and backend initialised once, then cases run
 * one at a time. A case that times out takes the page with it; the lane
 * goes on in a fresh page.
 */
export class LanePage {
  private constructor(
      private sitePage: SitePage, readonly report: LaneReport,
      private readonly browser: Browser, private readonly site: Site,
      readonly lane: Lane) {}

  static async open(browser: Browser, site: Site, lane: Lane):
      Promise<LanePage> {
    const sitePage = await SitePage.open(browser, site);
    try {
      const report = await withTimeout(sitePage.page.evaluate(
          laneToSetUp => window.sparseXentHarness.setUpLane(laneToSetUp), lane),
          120000, `setting up lane '${lane.name}'`);
      return new LanePage(sitePage, report, browser, site, lane);
    } catch (error) {
      const log = sitePage.takeLog();
      await sitePage.close();
      throw failure(`lane '${lane.name}' did not set up: ${
          (error as Error).message}${log ? `\n${log}` : ''}`);
    }
  }

  async caseNames(suite: Suite): Promise<string[]> {
    return this.sitePage.page.evaluate(
        s => window.sparseXentHarness.caseNames(s), suite);
  }

  /** Runs a case; a failure's message names the lane and carries the console. */
  async run(suite: Suite, name: string, timeoutMilliseconds: number):
      Promise<CaseResult> {
    const start = Date.now();
    let result: CaseResult;
    try {
      result = await withTimeout(this.sitePage.page.evaluate(
          ([s, n]) => window.sparseXentHarness.runCase(s, n), [suite, name] as
              [Suite, string]), timeoutMilliseconds, `case '${name}'`);
    } catch (error) {
      result = {ok: false, message: (error as Error).message,
        milliseconds: Date.now() - start};
      const log = this.sitePage.takeLog();
      await this.sitePage.close();
      const fresh = await LanePage.open(this.browser, this.site, this.lane);
      this.sitePage = fresh.sitePage;
      result.message += ' (the lane goes on in a fresh page)' +
          (log ? `\n${log}` : '');
      return result;
    }
    const log = this.sitePage.takeLog();
    if (!result.ok && log) {
      result.message += `\npage console:\n${log}`;
    }
    return result;
  }

  async close(): Promise<void> {
    await this.sitePage.close();
  }
}
