// Type-aware lint for every workspace (typescript-eslint with the TypeScript project service).
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

module.exports = tseslint.config(
    { ignores: ['**/dist/**', '**/node_modules/**', '**/coverage/**', '.devnet/**', 'test/fixtures/**', '**/*.js', '**/testdata/**'] },
    js.configs.recommended,
    ...tseslint.configs.recommendedTypeChecked,
    {
        languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: __dirname } },
        rules: {
            '@typescript-eslint/no-explicit-any': 'error',
            '@typescript-eslint/explicit-module-boundary-types': 'error',
            '@typescript-eslint/no-floating-promises': 'error',
            '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
            // fabric-contract-api's Contract methods are async by contract even when they do not await
            '@typescript-eslint/require-await': 'off',
        },
    },
    {
        files: ['**/*.test.ts', '**/*.e2e.ts', 'test/src/**'],
        rules: {
            '@typescript-eslint/explicit-module-boundary-types': 'off',
            '@typescript-eslint/unbound-method': 'off',
            // jest's asymmetric matchers (expect.objectContaining, expect.any) are typed `any`
            '@typescript-eslint/no-unsafe-argument': 'off',
            '@typescript-eslint/no-unsafe-assignment': 'off',
        },
    },
);
