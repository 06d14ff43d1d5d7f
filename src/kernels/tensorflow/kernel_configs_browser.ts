import type {KernelConfig} from '@tensorflow/tfjs-core';

/**
 * What browser bundles get instead of `kernel_configs.ts`: tfjs-node runs
 * only in Node, so its kernels would be dead weight there (1.1 KB gzipped).
 * The `browser` field maps the one file to the other, in the root
 * package.json (esbuild and webpack follow it) and in dist/cjs's and
 * dist/esm's own package.json, the nearest one, which Vite 8 and Rollup 4
 * with node-resolve read (scripts/build.mjs writes them).
 */
export const tensorflowKernelConfigs: KernelConfig[] = [];
