/**
 * A pool of model worker threads (dist/worker.js, the same script as the panel's worker) that
 * builds a folder gallery in parallel. Each worker loads the model once, then takes small shards of
 * files from a shared queue (so a slow worker never holds the others up) and returns each shard's
 * top-k per unit, which the host merges as it arrives. Cancelling terminates every thread.
 */
import { availableParallelism } from 'node:os';
import { InspectorError } from '../analysis/errors';
import type { FolderImage, GalleryOptions } from '../analysis/gallery/types';
import type { GalleryShardResult } from '../analysis/gallery/processImages';
import { WorkerClient, type WorkerClientOptions } from './workerClient';
import type { ModelRef, WorkerConfig } from '../protocol/worker/workerProtocol';

export interface GalleryProgress {
  done: number;
  total: number;
  skipped: number;
  elapsedMs: number;
  /** Images per second since the run started (model loading included). */
  rate: number;
  /** Seconds left at that rate; undefined before the first shard. */
  etaSeconds: number | undefined;
}

export interface GalleryPoolRun {
  config: WorkerConfig;
  model: ModelRef;
  layer: string;
  /** What the model runs on (the galleryInfo's `backend`): it decides the default worker count. */
  backend?: string;
  files: readonly FolderImage[];
  options: GalleryOptions;
  /** Per shard (the first one includes loading the model in that worker). */
  timeoutMs: number;
  signal?: AbortSignal;
  /**
   * A worker that already holds the model (it answered the galleryInfo request): on ONNX Runtime,
   * the pool's first worker, so the model and its engine are built once. The caller keeps it (it
   * is not stopped).
   */
  warmWorker?: WorkerClient;
  /** May return a promise (a cache save): this worker takes its next shard once it settles. */
  onShard?: (shard: GalleryShardResult) => void | Promise<void>;
  onProgress?: (progress: GalleryProgress) => void;
}

export interface GalleryPoolOptions extends WorkerClientOptions {
  /** Number of worker threads; default: defaultGalleryWorkers(the run's backend). */
  workers?: number;
}

/**
 * Workers when none are asked for. On ONNX Runtime one worker whose intra-op threads use every
 * core: measured on VGG-16 pool5 (scripts/benchmarkNativeGallery.ts, 2 cores), 1 worker x 2
 * threads ran 2.13 images/s steady and 0.63 end to end against 0.97 and 0.33 for 2 workers x 1
 * thread, which also load the model twice and hold its weights twice. TensorFlow.js: one worker per
 * core (its kernels gain less from threads).
 */
export function defaultGalleryWorkers(backend: string | undefined): number {
  return backend === 'onnxruntime' ? 1 : availableParallelism();
}

/**
 * Images per ONNX Runtime call when none is asked for (TensorFlow.js runs one at a time). Measured
 * on VGG-16 pool5, 48 pictures (scripts/benchmarkNativeGallery.ts, 2 cores, load 12-17): 1 worker
 * x 2 threads ran 1.00 / 0.70 / 1.67 / 0.88 images/s steady at batch 1 / 4 / 8 / 16; the README's
 * speed table has the whole run. The shared machine's load moves these more than the batch does.
 */
export function defaultGalleryBatch(backend: string | undefined): number {
  return backend === 'onnxruntime' ? NATIVE_GALLERY_BATCH : 1;
}

const NATIVE_GALLERY_BATCH = 8;

/** Files per shard: small enough to spread the work and show progress, big enough to be cheap. */
export function shardSize(files: number, workers: number): number {
  return Math.max(1, Math.min(16, Math.ceil(files / (workers * 4))));
}

/** The run's files cut into shards of whole batches (a shard's last batch may be short). */
function shardQueue(
  run: GalleryPoolRun,
  workers: number,
): { queue: FolderImage[][]; options: GalleryOptions } {
  const total = run.files.length;
  const batch = Math.max(1, run.options.batch ?? defaultGalleryBatch(run.backend));
  const size = Math.ceil(shardSize(total, workers) / batch) * batch;
  const queue: FolderImage[][] = [];
  for (let i = 0; i < total; i += size) queue.push(run.files.slice(i, i + size));
  return { queue, options: { ...run.options, batch } };
}

/**
 * The pool already spreads images over the cores: each worker's threads (wasm or ONNX Runtime)
 * share what is left, so the machine is not oversubscribed.
 */
function withThreadShare(config: WorkerConfig, workers: number): WorkerConfig {
  const share = Math.max(1, Math.floor(availableParallelism() / workers));
  return {
    ...config,
    wasmThreads: Math.min(config.wasmThreads || Infinity, share), // 0 or absent: automatic
    engineThreads: Math.min(config.engineThreads || Infinity, share),
  };
}

/** Counts the images done and reports the rate and time left from the start of the run. */
class PoolProgress {
  private readonly started = Date.now();
  private done = 0;
  private skipped = 0;

  constructor(
    private readonly total: number,
    private readonly onProgress: GalleryPoolRun['onProgress'],
  ) {}

  add(files: number, skipped: number): void {
    this.done += files;
    this.skipped += skipped;
  }

  report(): void {
    const { done, total, skipped } = this;
    const elapsedMs = Date.now() - this.started;
    const rate = done / Math.max(elapsedMs / 1000, 1e-3);
    this.onProgress?.({
      done,
      total,
      skipped,
      elapsedMs,
      rate,
      etaSeconds: done > 0 ? (total - done) / rate : undefined,
    });
  }
}

export class GalleryPool {
  private readonly clients: WorkerClient[] = [];

  constructor(private readonly options: GalleryPoolOptions) {}

  /** Worker threads currently running (0 after `run` settles). */
  get liveWorkers(): number {
    return this.clients.filter((c) => c.running).length;
  }

  /** Worker threads for a run on `backend`. */
  size(backend?: string): number {
    return Math.max(1, this.options.workers ?? defaultGalleryWorkers(backend));
  }

  async run(run: GalleryPoolRun): Promise<void> {
    const total = run.files.length;
    if (total === 0) return;
    const workers = Math.min(this.size(run.backend), total);
    const { queue, options } = shardQueue(run, workers);
    // One failure (or the caller's cancel) stops every worker.
    const stop = new AbortController();
    const onAbort = () => stop.abort();
    run.signal?.addEventListener('abort', onAbort, { once: true });
    const progress = new PoolProgress(total, run.onProgress);
    // ONNX Runtime only: its worker takes the pool's thread share by rebuilding the engine alone;
    // a wasm worker's threads are fixed when it starts, and would oversubscribe the cores.
    const lent = run.warmWorker && run.backend === 'onnxruntime' ? [run.warmWorker] : [];
    const own = Array.from({ length: workers - lent.length }, () => new WorkerClient(this.options));
    this.clients.push(...own);
    const request = {
      type: 'galleryShard',
      config: withThreadShare(run.config, workers),
      model: run.model,
      layer: run.layer,
      options,
    } as const;
    const loop = async (client: WorkerClient) => {
      while (queue.length && !stop.signal.aborted) {
        const files = queue.shift()!;
        const shard = await client.request(
          { ...request, files },
          { timeoutMs: run.timeoutMs, signal: stop.signal },
        );
        if (stop.signal.aborted) return;
        progress.add(files.length, shard.skipped.length);
        const handled = run.onShard?.(shard);
        progress.report();
        await handled;
      }
    };
    let failure: unknown;
    try {
      progress.report();
      // Each worker loads the model with its first shard, all at once.
      await Promise.all(
        [...lent, ...own].map((c) =>
          loop(c).catch((error) => {
            failure ??= error;
            stop.abort();
          }),
        ),
      );
      if (run.signal?.aborted) failure = new InspectorError('cancelled', 'Cancelled.');
    } finally {
      run.signal?.removeEventListener('abort', onAbort);
      await this.stopAll(own);
    }
    if (failure) throw failure;
  }

  /** Terminates every thread of the pool and waits until they have exited. */
  async dispose(): Promise<void> {
    await this.stopAll([...this.clients]);
  }

  private async stopAll(clients: WorkerClient[]): Promise<void> {
    for (const c of clients) c.dispose();
    await Promise.all(clients.map((c) => c.whenStopped()));
    for (const c of clients) this.clients.splice(this.clients.indexOf(c), 1);
  }
}

/** What a folder gallery and a dataset shard pass on to the pool as they got it. */
export interface GalleryPoolJob {
  config: WorkerConfig;
  model: ModelRef;
  options: GalleryOptions;
  /** Per shard of the pool (the first one includes loading the model in that worker). */
  timeoutMs: number;
  pool: GalleryPoolOptions;
  /** The worker that answered the galleryInfo request, lent to the pool (see GalleryPoolRun). */
  warmWorker?: WorkerClient;
  signal?: AbortSignal;
  onProgress?: (progress: GalleryProgress) => void;
}

/** Runs a new pool of the job's workers on the files. */
export function runPoolJob(
  job: GalleryPoolJob,
  work: Pick<GalleryPoolRun, 'backend' | 'layer' | 'files' | 'onShard'>,
): Promise<void> {
  return new GalleryPool(job.pool).run({
    config: job.config,
    model: job.model,
    options: job.options,
    timeoutMs: job.timeoutMs,
    warmWorker: job.warmWorker,
    signal: job.signal,
    onProgress: job.onProgress,
    ...work,
  });
}
