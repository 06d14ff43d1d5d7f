/**
 * The jest side of a Node lane: bundles `catalogue_worker.ts` (packages stay
 * external, so tfjs loads from node_modules as in a user's app), forks it for
 * a backend, and runs cases in it one at a time.
 */
import {ChildProcess, fork} from 'node:child_process';
import {mkdirSync} from 'node:fs';
import {join} from 'node:path';

import {build, Plugin} from 'esbuild';

import type {CaseReply} from './catalogue_worker';

const root = join(__dirname, '..', '..');

/**
 * Where a lane loads tfjs from, and what it runs: by default the package's
 * source on the root's tfjs; with `tfjsFrom` (a folder) the built package
 * (`dist/`, as `require('tfjs-sparse-softmax-cross-entropy')` finds it) on
 * the tfjs in that folder's node_modules (see `resolve_tfjs_from.cjs`).
 */
export interface LaneOptions {
  /** A folder whose tfjs releases the worker loads (and the built package). */
  tfjsFrom?: string;
  /** Modules the worker requires before its own code (say, tfjs-node). */
  preload?: string[];
}

/** What the worker reports once its backend is set. */
export interface LaneReady {
  ready: true;
  /** The tfjs-core version the worker loaded. */
  tfjsCore: string;
}

export class NodeLane {
  private worker?: ChildProcess;
  private pending?: (reply: CaseReply) => void;
  /** Set once `start` resolves. */
  ready?: LaneReady;

  /**
   * `flags` are tfjs flags the worker sets before it initialises the
   * backend (`WASM_HAS_SIMD_SUPPORT: false` for wasm's scalar build);
   * `options` as `LaneOptions` says (`preload` modules load as `node -r`,
   * so before the package).
   */
  constructor(private readonly backend: string,
              private readonly flags: {[flag: string]: boolean} = {},
              private readonly options: LaneOptions = {}) {}

  async start(): Promise<void> {
    const outdir = join(root, 'test-artifacts');
    mkdirSync(outdir, {recursive: true});
    const built = this.options.tfjsFrom != null;
    const outfile = join(outdir,
        `catalogue_worker.${this.backend}.${Object.keys(this.flags).length}` +
        `${built ? '.dist' : ''}.cjs`);
    await build({
      entryPoints: [join(__dirname, 'catalogue_worker.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      packages: 'external',
      logLevel: 'error',
      plugins: built ? [builtPackage] : [],
    });
    const preload = this.options.preload ?? [];
    const worker = fork(outfile, [this.backend, JSON.stringify(this.flags)], {
      stdio: 'pipe',
      cwd: root,
      execArgv: [
        ...(built ? ['-r', join(__dirname, 'resolve_tfjs_from.cjs')] : []),
        ...preload.flatMap(module => ['--require', module]),
      ],
      // TensorFlow's start-up lines (tfjs-node), unread here.
      env: {...process.env, TF_CPP_MIN_LOG_LEVEL: '2',
        ...(built ? {TFJS_FROM: this.options.tfjsFrom} : {})},
    });
    this.worker = worker;
    await new Promise<void>((resolve, reject) => {
      worker.once('message', (ready: LaneReady) => {
        this.ready = ready;
        resolve();
      });
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

/** Makes the worker load the package's build instead of bundling its source. */
const builtPackage: Plugin = {
  name: 'built-package',
  setup(build) {
    build.onResolve({filter: /\/src\/index\.js$/}, () =>
        ({path: 'tfjs-sparse-softmax-cross-entropy', external: true}));
  },
};
