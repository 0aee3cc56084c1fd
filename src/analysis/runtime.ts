/**
 * Loads the one TensorFlow.js runtime that runs models, on the backend the user asked for.
 *
 * Native TensorFlow (`@tensorflow/tfjs-node`) is never bundled nor shipped in the VSIX: it is used
 * when it loads from a workspace folder's node_modules (or, in a development checkout, from this
 * repository's, where it is an optional dependency). Its package re-exports all of tfjs, so
 * when it loads, *its* namespace becomes the runtime, and model files and our analysis share it.
 * Otherwise the bundled tfjs runs on WebAssembly (XNNPACK + SIMD), or on plain JavaScript.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as bundledTf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { setWasmBackend } from './wasmThreads';

export type TfNamespace = typeof bundledTf;
export type BackendPreference = 'auto' | 'tensorflow' | 'wasm' | 'cpu';
/** A TensorFlow.js backend. */
export type TfBackendName = 'tensorflow' | 'wasm' | 'cpu';
/** What computed a model's activations: a TensorFlow.js backend, or ONNX Runtime (engines/). */
export type BackendName = TfBackendName | 'onnxruntime';

export interface TfRuntime {
  tf: TfNamespace;
  backend: TfBackendName;
  /** Human-readable account of how the backend was chosen, for the log. */
  notes: string[];
}

export interface RuntimeOptions {
  /** Folders whose node_modules may hold @tensorflow/tfjs-node (the workspace folders). */
  searchDirs?: string[];
  /** Folder with the tfjs-backend-wasm .wasm files. */
  wasmDir?: string;
  /** WebAssembly threads: 0 one per core, 1 (default) single-threaded; fixed at the first load. */
  wasmThreads?: number;
}

let cached: Promise<TfRuntime> | undefined;
let cachedPreference: BackendPreference | undefined;

/** The runtime is process-wide (tfjs keeps global state), so it is loaded once per preference. */
export function loadRuntime(
  preference: BackendPreference,
  options: RuntimeOptions = {},
): Promise<TfRuntime> {
  if (!cached || cachedPreference !== preference) {
    cachedPreference = preference;
    cached = chooseRuntime(preference, options);
  }
  return cached;
}

async function chooseRuntime(
  preference: BackendPreference,
  options: RuntimeOptions,
): Promise<TfRuntime> {
  const notes: string[] = [];
  if (preference === 'auto' || preference === 'tensorflow') {
    const native = tryLoadNative(options.searchDirs ?? [], notes);
    if (native) return { tf: native, backend: 'tensorflow', notes };
    if (preference === 'tensorflow') {
      notes.push('tfjs-node is not available: falling back to WebAssembly.');
    }
  }
  if (preference !== 'cpu') {
    const wasmDir = options.wasmDir ?? defaultWasmDir();
    try {
      setWasmPaths(wasmDir.endsWith('/') ? wasmDir : `${wasmDir}/`);
      if (await setWasmBackend(bundledTf, options.wasmThreads, wasmDir, notes)) {
        await bundledTf.ready();
        notes.push(`WebAssembly backend (wasm files from ${wasmDir}).`);
        return { tf: bundledTf, backend: 'wasm', notes };
      }
      notes.push('The WebAssembly backend did not initialise: using plain JavaScript.');
    } catch (error) {
      notes.push(`The WebAssembly backend failed (${String(error)}): using plain JavaScript.`);
    }
  }
  await bundledTf.setBackend('cpu');
  await bundledTf.ready();
  notes.push('Plain JavaScript (cpu) backend.');
  return { tf: bundledTf, backend: 'cpu', notes };
}

function tryLoadNative(searchDirs: string[], notes: string[]): TfNamespace | undefined {
  const requirers = [
    { from: 'the extension', req: require },
    ...searchDirs.map((dir) => ({ from: dir, req: createRequire(join(dir, 'package.json')) })),
  ];
  for (const { from, req } of requirers) {
    try {
      const tf = req('@tensorflow/tfjs-node') as TfNamespace;
      notes.push(`Native TensorFlow (tfjs-node) from ${from}.`);
      return tf;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code !== 'MODULE_NOT_FOUND') {
        notes.push(`tfjs-node from ${from} failed to load: ${(error as Error).message}`);
      }
    }
  }
  return undefined;
}

/** Next to the bundle in a build (dist/wasm), else from node_modules (tests run from source). */
function defaultWasmDir(): string {
  const besideBundle = join(__dirname, 'wasm');
  if (existsSync(join(besideBundle, 'tfjs-backend-wasm-simd.wasm'))) return besideBundle;
  const resolveFromHere = createRequire(__filename);
  return join(resolveFromHere.resolve('@tensorflow/tfjs-backend-wasm/package.json'), '..', 'dist');
}
