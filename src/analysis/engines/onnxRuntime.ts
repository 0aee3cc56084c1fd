/**
 * Loads ONNX Runtime (onnxruntime-node: native CPU binaries shipped inside the npm package, one
 * folder per platform) once per thread, and says why when it cannot: the caller then keeps
 * TensorFlow.js. In the VSIX the package sits in dist/node_modules beside the bundles, with only
 * the target platform's binaries (scripts/package.mjs).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type * as OrtType from 'onnxruntime-node';

export type Ort = typeof OrtType;

let loaded: { ort?: Ort; error?: string } | undefined;

export function loadOnnxRuntime(): { ort?: Ort; error?: string } {
  if (!loaded) {
    try {
      // Beside the bundles (dist/onnxruntime, the VSIX), else the development checkout's package.
      const shipped = join(__dirname, 'onnxruntime', 'dist', 'index.js');
      const load = createRequire(__filename);
      loaded = { ort: load(existsSync(shipped) ? shipped : 'onnxruntime-node') as Ort };
    } catch (error) {
      const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
      loaded = {
        error: `ONNX Runtime is not available on ${process.platform}-${process.arch} (${why})`,
      };
    }
  }
  return loaded;
}

/** The loaded ONNX Runtime's version (e.g. 1.30.0); undefined when it does not load. */
export function onnxRuntimeVersion(): string | undefined {
  const { ort } = loadOnnxRuntime();
  return ort ? (ort.env.versions?.node ?? ort.env.versions?.common) : undefined;
}

/** Intra-op threads of native sessions: one per core, at most 4 (measured: 2 cores, 2 threads best). */
export function defaultOrtThreads(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}
