// Lint for src/, test/, bench/ and demo/: typescript-eslint's type-aware recommended rules, plus the
// few rules that catch what reviews of this project kept finding (floating promises, needless casts).
// Formatting is prettier's job (`npm run format:check`), not eslint's.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { fileSizeRule, layerRules } from './eslint.layers.js';

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', '.dev/', 'node_modules/', 'bench/results/', 'bench/probes/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      eqeqeq: ['error', 'always'],
      // Rejections passed through unchanged (a callee's, a watch's) are typed unknown; new ones are Errors.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
    },
  },
  // The module table of docs/architecture.md: an import up the table is an error.
  ...layerRules(),
  // No src/ file over 400 lines: a file that grows past it holds more than one concern.
  fileSizeRule(),
  {
    // Tests, benchmarks and the demo read JSON from the API server, the emulator and jest's output:
    // untyped by nature, so the no-unsafe-* family and no-explicit-any would only add casts there. Their
    // fakes implement async interfaces with plain values, hence require-await off too.
    files: ['test/**/*.ts', 'bench/**/*.ts', 'demo/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // JavaScript files (this config, jest's, helper scripts) are not in the TypeScript project.
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly' } },
  },
);
