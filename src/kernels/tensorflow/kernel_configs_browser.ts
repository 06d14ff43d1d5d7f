import type {KernelConfig} from '@tensorflow/tfjs-core';

/**
 * What browser bundles get instead of `kernel_configs.ts`: tfjs-node runs
 * only in Node, so its kernels would be dead weight there (1.1 KB gzipped).
 * package.json's `browser` field maps the one file to the other, which
 * esbuild, Vite, webpack and Rollup (node-resolve with `browser: true`)
 * follow when they build for the browser.
 */
export const tensorflowKernelConfigs: KernelConfig[] = [];
