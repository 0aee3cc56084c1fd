import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      '.test-artifacts/**',
      '.cache/**',
      'test/code-server/node_modules/**',
      // model files written to misbehave (syntax errors, endless loops) for the error tests
      'test/fixtures/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser, ...globals.mocha } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // The webview runs in a browser and the analysis layer in plain Node: neither may use the VS Code API.
    files: [
      'webview/**/*.ts',
      'src/analysis/**/*.ts',
      'src/worker/**/*.ts',
      'src/protocol/**/*.ts',
      'src/cli/**/*.ts',
    ],
    rules: { 'no-restricted-imports': ['error', { paths: ['vscode'] }] },
  },
);
