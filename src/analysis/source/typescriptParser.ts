/**
 * The TypeScript compiler's parser, loaded on first use: it is large (several MB of JavaScript), so
 * activation and files that are not TypeScript never pay for it. The extension bundle includes it;
 * the `require` stays inside a function so esbuild initialises the module lazily.
 */
import type * as TS from 'typescript';

let cached: typeof TS | undefined;

export function loadTypeScript(): typeof TS {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  cached ??= require('typescript') as typeof TS;
  return cached;
}

/** Parses without type checking; syntax errors mid-edit still give a tree (with missing nodes). */
export function parseSource(source: string, fileName: string): TS.SourceFile {
  const ts = loadTypeScript();
  const kind = /\.m?jsx?$|\.cjs$/.test(fileName) ? ts.ScriptKind.JS : ts.ScriptKind.TS;
  return ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, kind);
}
