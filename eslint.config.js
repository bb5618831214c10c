import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'eslint.config.js',
      'dist/**',
      'libs/*/dist/**',
      'node_modules/**',
      '.data/**',
      'coverage/**',
      'clients/typescript/schema.d.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Import boundaries (DESIGN.md): a lib is imported through its alias and barrel only, and
      // dependencies point one way: src, apps -> libs/users -> libs/common.
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/libs/*/src/**', '@users-service/*/src/**'],
              message: 'Import a lib through its alias (@users-service/common, @users-service/users).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['libs/common/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@users-service/*', '**/src/**', '**/libs/users/**'],
              message: 'libs/common imports no other lib or app.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['libs/users/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@users-service/users', '@users-service/users/*'],
              message: 'Inside libs/users use relative imports.',
            },
            { group: ['**/src/**', '../../../src/**'], message: 'libs/users does not import the app.' },
          ],
        },
      ],
    },
  },
  {
    // Plain Node scripts (the benchmark): linted as JavaScript, without type information.
    files: ['**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      parserOptions: { projectService: false, program: null },
      globals: { process: 'readonly', console: 'readonly', fetch: 'readonly', URL: 'readonly' },
    },
  },
  {
    // CommonJS shims of the Jest setup (test/support/jest).
    files: ['**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      sourceType: 'commonjs',
      parserOptions: { projectService: false, program: null },
      globals: { process: 'readonly', require: 'readonly', module: 'writable', __filename: 'readonly' },
    },
    rules: { ...tseslint.configs.disableTypeChecked.rules, '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['test/**/*.ts', '**/*.spec.ts', '**/testing/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
