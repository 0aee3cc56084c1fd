// One build for every target: extension host, model worker, CLI, webview, test bundles and scripts.
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync, readdirSync, existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onnxRuntimeBundle, stageOnnxRuntimeBinaries } from './onnxRuntimeFiles.mjs';

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
  // Loaded only when present: native TensorFlow. Test and script bundles leave esbuild in
  // node_modules; the shipped bundles carry its API and find its binary in dist/bin.
  external: [
    'vscode',
    '@tensorflow/tfjs-node',
    '@tensorflow/tfjs-node-gpu',
    // Native binaries: loaded from node_modules (the VSIX carries the target's in dist/node_modules).
    'onnxruntime-node',
    'mocha',
    'playwright-core',
  ],
};
// esbuild's API falls back to require.resolve('esbuild') only without ESBUILD_BINARY_PATH, which
// src/analysis/model/loadEsbuild.ts always sets for the bundles.
const shipped = { ...node, logOverride: { 'require-resolve-not-external': 'silent' } };
const development = { ...node, external: [...node.external, 'esbuild'] };

const targets = [
  { ...shipped, entryPoints: { extension: 'src/extension/extension.ts' }, outdir: 'dist' },
  { ...shipped, entryPoints: { worker: 'src/worker/modelWorker.ts' }, outdir: 'dist' },
  // The static pass with the TypeScript parser, required by the extension on first use only.
  {
    ...shipped,
    entryPoints: { sourceScan: 'src/analysis/source/scanModelSource.ts' },
    outdir: 'dist',
  },
  {
    ...shipped,
    entryPoints: { cli: 'src/cli/cli.ts' },
    outdir: 'dist',
    banner: { js: '#!/usr/bin/env node' },
  },
  // ONNX Runtime's JavaScript, loaded by the worker from dist/onnxruntime (scripts/onnxRuntimeFiles.mjs).
  onnxRuntimeBundle(root),
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
  // The panel's stylesheet: one file per view (webview/styles/), joined in panel.css's order.
  {
    bundle: true,
    minify: production,
    logLevel: 'warning',
    absWorkingDir: root,
    entryPoints: { panel: 'webview/styles/panel.css' },
    outdir: 'dist',
  },
  {
    ...development,
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

/** This machine's esbuild binary beside the bundles (scripts/package.mjs swaps it per target). */
function copyEsbuildBinary() {
  const require = createRequire(import.meta.url);
  const pkg = `@esbuild/${process.platform}-${process.arch}`;
  const folder = dirname(require.resolve(`${pkg}/package.json`));
  const name = process.platform === 'win32' ? 'esbuild.exe' : 'esbuild';
  const binary = join(folder, process.platform === 'win32' ? name : join('bin', name));
  mkdirSync(join(root, 'dist/bin'), { recursive: true });
  cpSync(binary, join(root, 'dist/bin', name), { preserveTimestamps: true });
  const target = { platform: process.platform, arch: process.arch };
  writeFileSync(join(root, 'dist/bin/target.json'), `${JSON.stringify(target)}\n`);
}

copyAssets();
copyEsbuildBinary();
stageOnnxRuntimeBinaries(root, process.platform, process.arch);
if (watch) {
  // .vscode/tasks.json's problem matcher waits for these two lines before F5 launches.
  console.log('watch: building…');
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
