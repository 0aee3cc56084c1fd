/**
 * Host side of the model worker: sends requests, relays progress, enforces a timeout, and on
 * cancellation, timeout, crash or out-of-memory terminates the thread. The next request starts a
 * fresh worker, which rebuilds what it needs from the request alone (requests are self-contained).
 */
import { Worker } from 'node:worker_threads';
import { InspectorError, deserializeError } from '../analysis/errors';
import { MemoryWatchdog } from './memoryWatchdog';
import { WorkerRestarted } from './workerRestarts';
import type { ProgressReporter } from '../analysis/inspectionSession';
import type { WorkerMemoryData } from '../protocol/worker/workerConfig';
import {
  removeBundleFoldersOfThread,
  removeBundleFoldersOnExit,
} from '../analysis/model/bundleFolder';
import type {
  RequestWithoutId,
  WorkerRequest,
  WorkerResponse,
  WorkerResults,
} from '../protocol/worker/workerProtocol';

export interface WorkerClientOptions {
  workerScript: string;
  /** Heap limit of the worker; a model that needs more stops with a message. */
  memoryLimitMb: number;
  /**
   * Called before every request, before a worker thread starts: throws to refuse running workspace
   * code (the extension's workspace-trust gate; the CLI runs what its user names).
   */
  gate?: () => void;
  /** Where the user changes the limits, for the messages: a setting, or a CLI flag. */
  limitHints?: { timeout: string; memory: string };
  log?: (line: string) => void;
}

export interface RequestOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  onProgress?: ProgressReporter;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  onProgress?: ProgressReporter;
  /** The last progress step the worker reported: what a timeout interrupted. */
  step?: string;
}

/** Node fires a longer delay at once (and warns): every timer stays below it. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class WorkerClient {
  private worker: Worker | undefined;
  /** The worker's count of ONNX Runtime calls in flight (shared memory it writes). */
  private nativeCalls: Int32Array | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private exiting: Promise<void> | undefined;
  /** The model file of the latest request, for the out-of-memory message. */
  private currentFile = '';
  private readonly watchdog: MemoryWatchdog;
  private memoryLimitMb: number;

  constructor(private readonly options: WorkerClientOptions) {
    this.memoryLimitMb = options.memoryLimitMb;
    this.watchdog = new MemoryWatchdog(this.memoryLimitMb * 1024 * 1024, (used) =>
      this.restart(this.outOfMemory(used)),
    );
  }

  /** A new limit for the workers started from now on (restart to apply it to the running one). */
  setMemoryLimit(mb: number): void {
    this.memoryLimitMb = mb;
    this.watchdog.limitBytes = mb * 1024 * 1024;
  }

  private get hints() {
    return (
      this.options.limitHints ?? {
        timeout: 'setting cnnInspector.modelTimeoutSeconds',
        memory: 'setting cnnInspector.workerMemoryLimitMb',
      }
    );
  }

  get running(): boolean {
    return this.worker !== undefined;
  }

  /** The running worker's thread id (names its bundle folder); undefined when none runs. */
  get threadId(): number | undefined {
    return this.worker?.threadId;
  }

  request<T extends WorkerRequest['type']>(
    message: Extract<RequestWithoutId, { type: T }>,
    options: RequestOptions,
  ): Promise<WorkerResults[T]> {
    try {
      this.options.gate?.();
    } catch (error) {
      return Promise.reject(error as Error);
    }
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise<WorkerResults[T]>((resolve, reject) => {
      if (options.signal?.aborted) {
        reject(new InspectorError('cancelled', 'Cancelled.'));
        return;
      }
      const timeoutMs = Math.max(0, Math.min(options.timeoutMs, MAX_TIMER_MS));
      const timer = setTimeout(() => {
        const step = this.pending.get(id)?.step;
        this.restart(
          new InspectorError(
            'timeout',
            timeoutMessage(message, step, timeoutMs, this.hints.timeout),
          ),
          id,
        );
      }, timeoutMs);
      const onAbort = () => this.restart(new InspectorError('cancelled', 'Cancelled.'), id);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      const settle = () => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        this.pending.delete(id);
        if (this.pending.size === 0) this.watchdog.setBusy(false);
      };
      this.pending.set(id, {
        resolve: (value) => {
          settle();
          resolve(value as WorkerResults[T]);
        },
        reject: (error) => {
          settle();
          reject(error);
        },
        onProgress: options.onProgress,
      });
      this.currentFile = 'model' in message ? message.model.file : '';
      this.watchdog.setBusy(true);
      worker.postMessage({ ...message, id } as WorkerRequest);
    });
  }

  /**
   * Stops the worker and every request in flight with the given reason; when one request caused
   * the restart (its Cancel or timeout), the others get a {@link WorkerRestarted} instead, which
   * says they may run again on the next worker.
   */
  restart(reason: Error = new WorkerRestarted(), causedBy?: number): void {
    const worker = this.worker;
    const nativeCalls = this.nativeCalls;
    this.worker = undefined;
    this.watchdog.reset();
    this.failAll(reason, causedBy);
    if (worker) {
      this.options.log?.(`Stopping the model worker: ${reason.message}`);
      this.exiting = terminateWhenNativeIdle(worker, nativeCalls);
    }
  }

  /** Resolves once the last stopped worker thread has exited (the gallery pool waits for it). */
  whenStopped(): Promise<void> {
    return this.exiting ?? Promise.resolve();
  }

  dispose(): void {
    this.restart(new InspectorError('cancelled', 'CNN Inspector is shutting down.'));
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    this.watchdog.reset();
    const nativeCalls = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
    const workerData: WorkerMemoryData = {
      memoryLimitMb: this.memoryLimitMb,
      memoryHint: this.hints.memory,
      nativeCalls,
    };
    const worker = new Worker(this.options.workerScript, {
      workerData,
      resourceLimits: { maxOldGenerationSizeMb: this.memoryLimitMb },
      stdout: true,
      stderr: true,
    });
    worker.stdout.on('data', (chunk: Buffer) =>
      this.options.log?.(`[model] ${chunk.toString().trimEnd()}`),
    );
    worker.stderr.on('data', (chunk: Buffer) =>
      this.options.log?.(`[model] ${chunk.toString().trimEnd()}`),
    );
    worker.on('message', (message: WorkerResponse) => {
      // A stopped thread may still deliver a few messages: they must not touch its successor.
      if (this.worker === worker) this.onMessage(message);
    });
    worker.on('error', (error: Error & { code?: string }) => {
      if (this.worker !== worker) return;
      const outOfMemory =
        error.code === 'ERR_WORKER_OUT_OF_MEMORY' || /out of memory/i.test(error.message);
      this.restart(
        outOfMemory
          ? this.outOfMemory()
          : new InspectorError('worker', `The model worker crashed: ${error.message}`),
      );
    });
    const threadId = worker.threadId; // -1 once the thread has stopped
    removeBundleFoldersOnExit();
    worker.on('exit', (code) => {
      removeBundleFoldersOfThread(threadId);
      if (this.worker !== worker) return;
      const file = this.currentFile ? `${this.currentFile}: ` : '';
      this.restart(new InspectorError('worker', `${file}The model worker exited (code ${code}).`));
    });
    this.worker = worker;
    this.nativeCalls = new Int32Array(nativeCalls);
    this.options.log?.('Started the model worker.');
    return worker;
  }

  private onMessage(message: WorkerResponse): void {
    if (message.type === 'footprint') {
      this.watchdog.report(message.bytes);
      return;
    }
    const pending = this.pending.get(message.id);
    if (message.type === 'progress') {
      if (pending) pending.step = message.message;
      pending?.onProgress?.(message.message, message.built);
    } else if (message.type === 'result') pending?.resolve(message.result);
    else {
      const error = deserializeError(message.error);
      pending?.reject(error);
      // The thread cannot be trusted any more: the next request gets a fresh one, and any other
      // request in flight fails with the reason.
      if (message.fatal) {
        this.restart(
          new InspectorError('worker', `The model worker was replaced: ${error.message}`),
        );
      }
    }
  }

  private outOfMemory(usedBytes?: number): InspectorError {
    const file = this.currentFile ? `${this.currentFile}: ` : '';
    const used = usedBytes ? ` after using about ${Math.round(usedBytes / 1024 / 1024)} MB` : '';
    return new InspectorError(
      'out-of-memory',
      `${file}The model ran out of memory (limit ${this.memoryLimitMb} MB, ${this.hints.memory}) and was stopped${used}.`,
    );
  }

  private failAll(reason: Error, causedBy: number | undefined): void {
    const others = new WorkerRestarted('to stop another request');
    for (const [id, pending] of [...this.pending.entries()])
      pending.reject(causedBy === undefined || id === causedBy ? reason : others);
    this.pending.clear();
  }
}

/** Steps that run the model file's own code: a timeout there may be a loop of the user's. */
const MODEL_CODE_STEPS =
  /^(Running the model file|Building the model|Importing|Running the forward pass)/;

/**
 * Says what timed out: reading an image is not the model's fault (a stalled drive or network
 * share), and only a step that runs the model file's code suggests a loop in it.
 */
function timeoutMessage(
  message: RequestWithoutId,
  step: string | undefined,
  timeoutMs: number,
  hint: string,
): string {
  const seconds = Math.round(timeoutMs / 1000);
  if (step?.startsWith('Reading ')) {
    return `${step} took longer than ${seconds} s and was stopped (${hint}): the file may be on a slow or unresponsive drive or network share.`;
  }
  const where = step ? ` while ${step.charAt(0).toLowerCase()}${step.slice(1)}` : '';
  const inModelCode = step ? MODEL_CODE_STEPS.test(step) : message.type === 'loadModel';
  const loop = inModelCode ? ' Does the model file loop forever?' : '';
  return `${describe(message)} took longer than ${seconds} s and was stopped (${hint})${where}.${loop}`;
}

function describe(message: RequestWithoutId): string {
  const file = 'model' in message ? message.model.file : '';
  switch (message.type) {
    case 'loadModel':
      return `Loading ${file}`;
    case 'runInput':
      return `Running ${file} on ${message.inputSource}`;
    default:
      return `Computing a layer of ${file}`;
  }
}

/**
 * Stops the thread once no ONNX Runtime call is in flight in it: stopping it during one aborts the
 * whole process (see analysis/engines/nativeCalls.ts). The requests already failed; only the
 * thread waits, checking every 25 ms.
 */
function terminateWhenNativeIdle(
  worker: Worker,
  nativeCalls: Int32Array | undefined,
): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      if (nativeCalls && Atomics.load(nativeCalls, 0) > 0) {
        setTimeout(stop, 25);
        return;
      }
      worker.terminate().then(
        () => resolve(),
        () => resolve(),
      );
    };
    stop();
  });
}
