// One build for every target: extension host, model worker, CLI, webview, test bundles and scripts.
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync, readdirSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

function testEntries(dir) {
  const full = join(root, dir);
  if (!existsSync(full)) return [];
  return readdirSync(full)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(dir, f));
}

const node = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  minify: production,
  logLevel: 'warning',
  absWorkingDir: root,
  // Loaded only when present: native TensorFlow, and esbuild's own binary stays in node_modules.
  external: [
    'vscode',
    '@tensorflow/tfjs-node',
    '@tensorflow/tfjs-node-gpu',
    'esbuild',
    'mocha',
    'playwright-core',
  ],
};

const targets = [
  { ...node, entryPoints: { extension: 'src/extension/extension.ts' }, outdir: 'dist' },
  { ...node, entryPoints: { worker: 'src/worker/modelWorker.ts' }, outdir: 'dist' },
  // The static pass with the TypeScript parser, required by the extension on first use only.
  {
    ...node,
    entryPoints: { sourceScan: 'src/analysis/source/scanModelSource.ts' },
    outdir: 'dist',
  },
  {
    ...node,
    entryPoints: { cli: 'src/cli/cli.ts' },
    outdir: 'dist',
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    sourcemap: production ? false : 'inline',
    minify: production,
    logLevel: 'warning',
    absWorkingDir: root,
    entryPoints: { webview: 'webview/main.ts' },
    outdir: 'dist',
  },
  {
    ...node,
    entryPoints: [
      ...testEntries('test/integration').map((f) => ({
        in: f,
        out: f.replace(/\.ts$/, '').replace(/^test\//, 'test/'),
      })),
      ...testEntries('scripts').map((f) => ({ in: f, out: f.replace(/\.ts$/, '') })),
    ],
    outdir: 'dist',
  },
];

function copyAssets() {
  // The wasm backend loads its binaries from disk at run time.
  const wasmSrc = join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
  mkdirSync(join(root, 'dist/wasm'), { recursive: true });
  for (const f of readdirSync(wasmSrc).filter((f) => f.endsWith('.wasm'))) {
    cpSync(join(wasmSrc, f), join(root, 'dist/wasm', f));
  }
  // The threaded build's scripts, which its pthread workers load from disk (src/analysis/wasmThreads.ts).
  const wasmOut = join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/wasm-out');
  for (const f of [
    'tfjs-backend-wasm-threaded-simd.js',
    'tfjs-backend-wasm-threaded-simd.worker.js',
  ]) {
    cpSync(join(wasmOut, f), join(root, 'dist/wasm', f));
  }
}

copyAssets();
if (watch) {
  const contexts = await Promise.all(targets.map((t) => esbuild.context(t)));
  await Promise.all(contexts.map((c) => c.watch()));
  console.log('watching…');
} else {
  const started = Date.now();
  await Promise.all(
    targets.filter((t) => Object.keys(t.entryPoints).length > 0).map((t) => esbuild.build(t)),
  );
  console.log(`build: ${Date.now() - started} ms`);
}
