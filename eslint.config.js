// Lint rules for the TypeScript sources and tests (typescript-eslint, flat config). Formatting is
// Prettier's job (`npm run lint` runs both); these rules catch mistakes, not style.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'dist-cli/', 'dist-single/', 'node_modules/', 'test-artifacts/', '.gpu/', 'gpu-check-out/', 'src/engine/cpu/wasm/kernels-binary.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // A forgotten await on a GPU read-back or a run is a silent wrong result or an unhandled rejection.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    // No `any` in the engines and the model (DEVELOPERS.md); tests may reach into loose shapes.
    files: ['src/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'error' },
  },
  {
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off', '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    // Node scripts; bench-ui.mjs also passes functions to the page (page.evaluate), which see the browser's globals.
    languageOptions: {
      globals: Object.fromEntries(
        ['console', 'process', 'URL', 'Buffer', 'setTimeout', 'clearTimeout', 'window', 'document', 'performance', 'PerformanceObserver', 'Event'].map((g) => [
          g,
          'readonly',
        ]),
      ),
    },
  },
);
