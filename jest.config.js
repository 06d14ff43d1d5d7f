/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', {tsconfig: '<rootDir>/test/tsconfig.json'}],
  },
  // Sources import siblings as './x.js' (what Node's ESM loader needs).
  moduleNameMapper: {'^(\\.{1,2}/.*)\\.js$': '$1'},
  testTimeout: 120000,
};
