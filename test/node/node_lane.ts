/**
 * The jest side of a Node lane: bundles `catalogue_worker.ts` (packages stay
 * external, so tfjs loads from node_modules as in a user's app), forks it for
 * a backend, and runs cases in it one at a time.
 */
import {ChildProcess, fork} from 'node:child_process';
import {mkdirSync} from 'node:fs';
import {join} from 'node:path';

import {buildSync} from 'esbuild';

import type {CaseReply} from './catalogue_worker';

const root = join(__dirname, '..', '..');

export class NodeLane {
  private worker?: ChildProcess;
  private pending?: (reply: CaseReply) => void;

  /**
   * `flags` are tfjs flags the worker sets before it initialises the
   * backend (`WASM_HAS_SIMD_SUPPORT: false` for wasm's scalar build);
   * `preload` modules Node loads before the worker (and so before the
   * package), as `node -r`.
   */
  constructor(private readonly backend: string,
              private readonly flags: {[flag: string]: boolean} = {},
              private readonly preload: string[] = []) {}

  async start(): Promise<void> {
    const outdir = join(root, 'test-artifacts');
    mkdirSync(outdir, {recursive: true});
    const outfile = join(outdir,
        `catalogue_worker.${this.backend}.${Object.keys(this.flags).length}.cjs`);
    buildSync({
      entryPoints: [join(__dirname, 'catalogue_worker.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      packages: 'external',
      logLevel: 'error',
    });
    const worker = fork(outfile, [this.backend, JSON.stringify(this.flags)], {
      stdio: 'pipe',
      cwd: root,
      execArgv: this.preload.flatMap(module => ['--require', module]),
      // TensorFlow's start-up lines (tfjs-node), unread here.
      env: {...process.env, TF_CPP_MIN_LOG_LEVEL: '2'},
    });
    this.worker = worker;
    await new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('exit', code => reject(new Error(
          `the ${this.backend} worker exited with code ${code}`)));
    });
    worker.on('message', (reply: CaseReply) => this.pending?.(reply));
  }

  run(name: string): Promise<CaseReply> {
    return new Promise(resolve => {
      this.pending = resolve;
      this.worker?.send({name});
    });
  }

  stop(): void {
    this.worker?.kill();
  }
}
