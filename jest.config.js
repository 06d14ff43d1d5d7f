/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', {tsconfig: '<rootDir>/test/tsconfig.json'}],
  },
  // Sources import siblings as './x.js' (what Node's ESM loader needs).
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    // package.json's `imports` maps it into dist/; tests run the sources.
    '^#tensorflow_kernels$': '<rootDir>/src/kernels/tensorflow/kernel_configs.ts',
  },
  testTimeout: 120000,
};
