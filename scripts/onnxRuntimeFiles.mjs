// ONNX Runtime beside the bundles: dist/onnxruntime/dist/index.js is onnxruntime-node's JavaScript
// (with onnxruntime-common) bundled into one file, and dist/onnxruntime/bin/napi-v6/<platform>/<arch>/
// holds the native binding and library of ONE platform (~45 MB for linux-x64; every platform
// together would be 290 MB). The bundle requires `../bin/napi-v6/${platform}/${arch}/...` at run
// time, so a platform without its folder (or without a build upstream) fails to load and the
// extension falls back to TensorFlow.js with the reason (src/analysis/engines/onnxRuntime.ts).
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

export function onnxRuntimePackage() {
  return dirname(require.resolve('onnxruntime-node/package.json'));
}

/** esbuild options for the JavaScript part (the .node binding stays a run-time require). */
export function onnxRuntimeBundle(root) {
  return {
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'warning',
    absWorkingDir: root,
    entryPoints: { 'onnxruntime/dist/index': join(onnxRuntimePackage(), 'dist', 'index.js') },
    outdir: join(root, 'dist'),
    external: ['../bin/*'],
  };
}

/** Puts one platform's binaries in dist/onnxruntime/bin; returns false when upstream has none. */
export function stageOnnxRuntimeBinaries(root, platform, arch) {
  const target = join(root, 'dist', 'onnxruntime', 'bin');
  rmSync(target, { recursive: true, force: true });
  const source = join(onnxRuntimePackage(), 'bin', 'napi-v6', platform, arch);
  if (!existsSync(source)) return false;
  mkdirSync(join(target, 'napi-v6', platform), { recursive: true });
  cpSync(source, join(target, 'napi-v6', platform, arch), { recursive: true });
  return true;
}
