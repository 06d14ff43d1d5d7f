// Lint for src/, test/, scripts/ and demo/, run by `npm test`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {ignores: ['dist/', 'node_modules/', 'coverage/', 'test-artifacts/', 'bench/results/', 'scratch/',
    // AssemblyScript (decorators on functions), checked by its compiler.
    'src/kernels/row_passes/assembly/']},
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
    // tfjs's and Emscripten's private state is reached from one file,
    // src/tfjs_internals.ts, where each use is checked and explained (see
    // docs/architecture.md). This keeps every other source file out of it.
    files: ['src/**/*.ts'],
    ignores: [
      'src/tfjs_internals.ts',
    ],
    rules: {
      'no-restricted-properties': ['error',
        ...['texData', 'tensorMap', 'dataIdMap', 'wasm', '_malloc', 'asm',
          'wasmMemory', 'wasmExports', 'activeTape', 'gradientDepth', 'saved',
          'registerFlag'].map(property => ({
          property,
          message: 'A private field of tfjs or Emscripten: reach it through ' +
              'src/tfjs_internals.ts.',
        }))],
      'no-restricted-syntax': ['error',
        {
          selector: "MemberExpression[object.callee.name='engine'][property.name='state']",
          message: 'tfjs\'s engine state is private: reach it through ' +
              'src/tfjs_internals.ts.',
        },
        {
          selector: "MemberExpression[object.name='require'][property.name='cache']",
          message: 'CommonJS\'s module cache: reach it through ' +
              'src/tfjs_internals.ts (loadedCommonJsExports).',
        },
        {
          selector: 'TSModuleDeclaration[id.value=/\\/dist\\//]',
          message: 'A dist/ path of a tfjs package is private: reach it ' +
              'through src/tfjs_internals.ts.',
        },
      ],
      'no-restricted-imports': ['error', {
        patterns: [{
          group: ['@tensorflow/*/dist/*'],
          message: 'A dist/ path of a tfjs package is private: reach it ' +
              'through src/tfjs_internals.ts.',
        }],
      }],
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
