import type {KernelConfig} from '@tensorflow/tfjs-core';

/**
 * What browser bundles get instead of `kernel_configs.ts`: tfjs-node runs
 * only in Node, so its kernels would be dead weight there (1.1 KB gzipped).
 * package.json's `imports` maps `#tensorflow_kernels` to this file unless
 * the `node` condition holds (esbuild, webpack, Vite and Rollup building
 * for browsers) and to `kernel_configs.ts` in Node; tsconfig's `paths` and
 * jest's moduleNameMapper point the sources at `kernel_configs.ts`.
 */
export const tensorflowKernelConfigs: KernelConfig[] = [];
