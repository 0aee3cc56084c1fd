/**
 * What every worker request carries (the model and the configuration it runs with) and what the
 * host gives a worker thread when it starts it. Apart from the request unions, so that the
 * per-feature protocol files and workerProtocol.ts do not import each other.
 */
import type { BackendPreference } from '../../analysis/runtime';
import type { EnginePreference } from '../../analysis/engines/chooseEngine';

export interface ModelRef {
  file: string;
  /** undefined: the default export, else the first model export. */
  exportName?: string;
}

export interface WorkerConfig {
  backend: BackendPreference;
  /** Activations on ONNX Runtime (auto, onnxruntime) or TensorFlow.js; absent: tfjs. */
  engine?: EnginePreference;
  /** ONNX Runtime intra-op threads; absent or 0: one per core, at most 4 (the gallery pool divides). */
  engineThreads?: number;
  searchDirs: string[];
  maxImageMegapixels: number;
  /** WebAssembly threads: 0 one per core, 1 or absent single-threaded (see analysis/wasmThreads). */
  wasmThreads?: number;
}

/** The worker thread's `workerData`: its memory limit. */
export interface WorkerMemoryData {
  memoryLimitMb: number;
  /** Where the user changes the limit, for messages. */
  memoryHint: string;
  /** One Int32 (a SharedArrayBuffer): ONNX Runtime calls in flight (analysis/engines/nativeCalls). */
  nativeCalls?: SharedArrayBuffer;
}
