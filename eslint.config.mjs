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
  // One direction of dependency (README, Development > Layout): analysis <- protocol <- worker,
  // host <- extension, cli; the webview sees only analysis and protocol.
  layer(['src/analysis/**/*.ts'], {
    regex: String.raw`^(\.\./)+(protocol|worker|host|extension|cli|webview)(/|$)`,
    message: 'src/analysis is the core: it imports nothing above it.',
  }),
  layer(
    ['src/protocol/**/*.ts'],
    [
      {
        regex: String.raw`^(\.\./)+(worker|host|extension|cli|webview)(/|$)`,
        message: 'src/protocol holds the wire types only: it imports types from src/analysis.',
      },
      {
        regex: String.raw`^(\.\./)+analysis(/|$)`,
        allowTypeImports: true,
        message: 'src/protocol holds the wire types only: it imports types from src/analysis.',
      },
    ],
  ),
  {
    // Functions short enough to read at once (README, Development): a warning, so the functions
    // still over it are listed by every lint run until they are split. Tests are exempt.
    files: ['src/**/*.ts', 'webview/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      'max-lines-per-function': [
        'warn',
        { max: 60, skipBlankLines: true, skipComments: true, IIFEs: true },
      ],
    },
  },
  {
    // src/protocol is the wire types only: code that both sides share lives in src/analysis.
    files: ['src/protocol/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        ...[
          'FunctionDeclaration',
          'ArrowFunctionExpression',
          'FunctionExpression',
          'ClassDeclaration',
        ].map((selector) => ({
          selector,
          message: 'src/protocol holds types only: put code both sides share in src/analysis.',
        })),
      ],
    },
  },
  layer(['src/worker/**/*.ts'], {
    regex: String.raw`^(\.\./)+(host|extension|cli|webview)(/|$)`,
    message: 'src/worker runs in the model worker thread: it uses analysis and protocol only.',
  }),
  layer(['src/host/**/*.ts'], {
    regex: String.raw`^(\.\./)+(worker|extension|cli|webview)(/|$)`,
    message:
      'src/host talks to the worker through src/protocol; it serves the extension and the CLI.',
  }),
  layer(['src/cli/**/*.ts'], {
    regex: String.raw`^(\.\./)+(worker|extension|webview)(/|$)`,
    message: 'The CLI runs models through src/host, never the extension or the worker directly.',
  }),
  layer(['src/extension/**/*.ts'], {
    regex: String.raw`^(\.\./)+(worker|cli|webview)(/|$)`,
    message: 'The extension runs models through src/host, never the worker directly.',
  }),
  layer(['webview/**/*.ts'], {
    regex: String.raw`^\.\./src/(worker|host|extension|cli)(/|$)`,
    message: 'The webview runs in the browser: it imports src/analysis and src/protocol only.',
  }),
);

/**
 * Forbids the given import patterns in `files`, with `vscode` still forbidden everywhere but the
 * extension (the later `no-restricted-imports` setting for a file replaces the earlier one).
 */
function layer(files, patterns) {
  const vscodeBanned = !files.some((f) => f.startsWith('src/extension'));
  return {
    files,
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: vscodeBanned ? ['vscode'] : [],
          patterns: [patterns].flat(),
        },
      ],
    },
  };
}
