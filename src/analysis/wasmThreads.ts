/**
 * Multi-threaded WebAssembly (XNNPACK on pthreads) for TensorFlow.js in Node.
 *
 * tfjs-backend-wasm never picks its threaded build in Node (`WASM_HAS_MULTITHREAD_SUPPORT` is false
 * there), and forcing it on fails: emscripten starts each pthread with `new Worker(blobUrl)`, which
 * Node refuses (ERR_WORKER_PATH), and hands the thread its main script as a Blob, which the Node
 * path of the pthread code cannot read. We keep tfjs's own init and patch around it:
 *
 * - the global `Worker` emscripten reads becomes a Node Worker that runs the emscripten pthread
 *   script (shipped as `wasm-out/...worker.js`) from source, and rewrites the `load` message so the
 *   thread reads the main script (`wasm-out/tfjs-backend-wasm-threaded-simd.js`) from disk;
 * - XNNPACK caps its pool at half of `os.cpus().length` (it assumes hyper-threading), so while the
 *   module starts we report twice the wanted thread count.
 *
 * Anything that fails on the way falls back to the single-threaded build, with a note for the log.
 */
import { Worker as NodeWorker, type WorkerOptions } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import os from 'node:os';
import type * as tfNamespace from '@tensorflow/tfjs';
import { getThreadsCount, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { wasmThreadCount } from './wasmThreadCount';

/** Starting 8 pthreads takes well under a second; a thread that never reports back means failure. */
const INIT_TIMEOUT_MS = 30_000;

const MAIN_SCRIPT = 'tfjs-backend-wasm-threaded-simd.js';
const WORKER_SCRIPT = 'tfjs-backend-wasm-threaded-simd.worker.js';

export interface ThreadScripts {
  /** The emscripten glue, run again inside every pthread. */
  mainScript: string;
  /** The emscripten pthread bootstrap (source text). */
  workerSource: string;
}

/** The two emscripten scripts: beside the .wasm files (a build), else in the installed package. */
export function findThreadScripts(wasmDir: string): ThreadScripts | undefined {
  const candidates = [wasmDir, join(wasmDir, '..', 'wasm-out')];
  try {
    const pkg = createRequire(__filename).resolve('@tensorflow/tfjs-backend-wasm/package.json');
    candidates.push(join(dirname(pkg), 'wasm-out'));
  } catch {
    // not installed beside us: a packaged extension has only what the build copied
  }
  for (const dir of candidates) {
    const mainScript = join(dir, MAIN_SCRIPT);
    const workerModule = join(dir, WORKER_SCRIPT);
    if (!existsSync(mainScript) || !existsSync(workerModule)) continue;
    const { wasmWorkerContents } = createRequire(workerModule)(workerModule) as {
      wasmWorkerContents?: unknown;
    };
    if (typeof wasmWorkerContents === 'string') {
      return { mainScript, workerSource: wasmWorkerContents };
    }
  }
  return undefined;
}

type ErrorHandler = (error: unknown) => void;

/** One go at starting the threaded build, and the pthread workers it made. */
interface ThreadedStart {
  scripts: ThreadScripts;
  state: 'starting' | 'started' | 'failed';
  workers: Set<PthreadWorker>;
  /** The first pthread error while starting: makes the setup fall back. */
  onFailure: (error: unknown) => void;
}

/** The start that `new Worker(...)` belongs to (emscripten may add pthreads later, lazily). */
let currentStart: ThreadedStart | undefined;

/** A Node Worker that emscripten can create with `new Worker(url)` and drive like a Web Worker. */
class PthreadWorker extends NodeWorker {
  private readonly start: ThreadedStart;
  private emscriptenOnError: ErrorHandler | undefined;

  constructor(url: unknown) {
    const start = currentStart!;
    // tfjs escapes the newlines inside the script's string literals the same way for its Blob.
    super(start.scripts.workerSource.replace(/\n/g, '\\n'), { eval: true } as WorkerOptions);
    this.start = start;
    if (typeof url === 'string' && url.startsWith('blob:')) URL.revokeObjectURL(url);
    start.workers.add(this);
    this.once('exit', () => start.workers.delete(this));
  }

  override postMessage(...[message, transfer]: Parameters<NodeWorker['postMessage']>): void {
    const load = message as { cmd?: string; urlOrBlob?: unknown } | null;
    if (load?.cmd === 'load' && typeof load.urlOrBlob !== 'string') {
      message = { ...load, urlOrBlob: this.start.scripts.mainScript };
    }
    super.postMessage(message, transfer);
  }

  // Pthreads block the model's thread while they work, so once loaded (emscripten then unrefs
  // them) they never need to keep it alive: a CLI run or a test ends without tearing tfjs down.
  override ref(): void {}

  /** Terminates the thread; the reference keeps this thread alive until it has gone. */
  stop(): Promise<number> {
    super.ref();
    return this.terminate();
  }

  // Emscripten's handler rethrows, which would crash the model worker: while starting, a failed
  // pthread means "fall back to one thread" instead, and the other pthreads of a failed start
  // (being terminated) have nothing more to say.
  get onerror(): ErrorHandler {
    return (error) => {
      if (this.start.state === 'starting') this.start.onFailure(error);
      else if (this.start.state === 'started') this.emscriptenOnError?.(error);
    };
  }

  set onerror(handler: ErrorHandler) {
    this.emscriptenOnError = handler;
  }
}

function installPthreadWorker(): void {
  // Emscripten assigns worker_threads' Worker to the global and then calls `new Worker(...)`:
  // the setter swallows that assignment so the global stays ours.
  Object.defineProperty(globalThis, 'Worker', {
    configurable: true,
    get: () => PthreadWorker,
    set: () => {},
  });
}

/** XNNPACK uses at most half of `os.cpus().length` threads; report enough cores while it starts. */
function reportCores(count: number): () => void {
  const realCpus = os.cpus;
  os.cpus = () => {
    const cpus = realCpus.call(os);
    return Array.from({ length: count }, (_, i) => cpus[i % Math.max(1, cpus.length)]!);
  };
  return () => {
    os.cpus = realCpus;
  };
}

export interface WasmThreadsOptions {
  /** Overrides the scripts found beside `wasmDir` (tests use it to make the setup fail). */
  scripts?: ThreadScripts;
}

/**
 * `tf.setBackend('wasm')`, on the threads `setting` asks for (see `wasmThreadCount`) when that is
 * more than one and they start, else single-threaded. Notes for the log say what happened.
 */
export async function setWasmBackend(
  tf: typeof tfNamespace,
  setting: number | undefined,
  wasmDir: string,
  notes: string[],
  options: WasmThreadsOptions = {},
): Promise<boolean> {
  const threads = threadsAskedFor(setting, notes);
  if (threads <= 1) return tf.setBackend('wasm');
  const scripts = options.scripts ?? findThreadScripts(wasmDir);
  const unavailable = !scripts
    ? `${MAIN_SCRIPT} and ${WORKER_SCRIPT} were not found beside ${wasmDir}`
    : typeof SharedArrayBuffer === 'undefined'
      ? 'SharedArrayBuffer is not available'
      : undefined;
  if (unavailable || !scripts) {
    notes.push(`WebAssembly threads are off (${unavailable}): single-threaded.`);
    return tf.setBackend('wasm');
  }
  installPthreadWorker();
  let failure: unknown;
  try {
    if (await startThreaded(tf, scripts, threads)) {
      currentStart!.state = 'started';
      notes.push(`WebAssembly on ${getThreadsCount()} threads (asked for ${threads}).`);
      return true;
    }
    failure = 'the threaded build did not initialise';
  } catch (error) {
    failure = error instanceof Error ? error.message : error;
  }
  await stopFailedStart(tf);
  notes.push(`WebAssembly threads did not start (${String(failure)}): single-threaded.`);
  return tf.setBackend('wasm');
}

/** The thread count the setting asks for; a setting it cannot use is one thread, with a note. */
function threadsAskedFor(setting: number | undefined, notes: string[]): number {
  try {
    return wasmThreadCount(setting);
  } catch (error) {
    notes.push(`${(error as Error).message} Using one thread.`);
    return 1;
  }
}

const asError = (error: unknown) => (error instanceof Error ? error : new Error(String(error)));

/**
 * `tf.setBackend('wasm')` on the threaded build: resolves with its answer, rejects when a pthread
 * fails while starting or none answers within INIT_TIMEOUT_MS. Becomes `currentStart`.
 */
function startThreaded(
  tf: typeof tfNamespace,
  scripts: ThreadScripts,
  threads: number,
): Promise<boolean> {
  return new Promise<boolean>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no answer from the threads within ${INIT_TIMEOUT_MS / 1000} s`)),
      INIT_TIMEOUT_MS,
    );
    currentStart = {
      scripts,
      state: 'starting',
      workers: new Set(),
      onFailure: (error) => {
        clearTimeout(timer);
        reject(asError(error));
      },
    };
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
    setThreadsCount(threads);
    const restoreCpus = reportCores(2 * threads);
    tf.setBackend('wasm').then(
      (ok) => {
        restoreCpus();
        clearTimeout(timer);
        resolve(ok);
      },
      (error: unknown) => {
        restoreCpus();
        clearTimeout(timer);
        reject(asError(error));
      },
    );
  });
}

/** Stops the pthreads of the failed start and sets tfjs back to its single-threaded build. */
async function stopFailedStart(tf: typeof tfNamespace): Promise<void> {
  const failed = currentStart!;
  failed.state = 'failed';
  await Promise.all([...failed.workers].map((worker) => worker.stop()));
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  setThreadsCount(1);
}
