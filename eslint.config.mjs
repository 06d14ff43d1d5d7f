// Lint for src/, test/, scripts/ and demo/, run by `npm test`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {ignores: ['dist/', 'node_modules/', 'coverage/', 'test-artifacts/', 'bench/results/', 'scratch/',
    // AssemblyScript (decorators on functions), checked by its compiler.
    'src/kernels/wasm/assembly/']},
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      'eqeqeq': ['error', 'always', {null: 'ignore'}],
      'no-var': 'error',
      'prefer-const': 'error',
      '@typescript-eslint/no-unused-vars': ['error', {argsIgnorePattern: '^_'}],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js', '**/*.cjs'],
    languageOptions: {
      globals: {
        process: 'readonly', console: 'readonly', require: 'readonly',
        module: 'writable', __dirname: 'readonly', window: 'readonly',
        document: 'readonly', globalThis: 'readonly', performance: 'readonly',
        setTimeout: 'readonly',
      },
    },
    rules: {'@typescript-eslint/no-require-imports': 'off'},
  },
);
