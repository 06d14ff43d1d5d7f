import type {KernelConfig} from '@tensorflow/tfjs-core';

/**
 * What browser bundles get instead of `kernel_configs.ts`: tfjs-node runs
 * only in Node, so its kernels would be dead weight there (1.1 KB gzipped).
 * package.json's `browser` field maps the one file to the other; esbuild
 * and webpack follow it when they build for the browser (Vite 8 and Rollup
 * 4 with node-resolve, which resolve the package through `exports`, do not,
 * and keep the kernels).
 */
export const tensorflowKernelConfigs: KernelConfig[] = [];
