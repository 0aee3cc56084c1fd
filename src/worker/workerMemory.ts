/**
 * Worker side of the memory limit: what this thread holds (V8 heap plus external memory: typed
 * arrays, buffers and the WebAssembly heap), reported to the host while a request runs, and the
 * budget an image decode must fit in before it allocates anything.
 */
import { workerData } from 'node:worker_threads';
import type { MemoryBudget } from '../analysis/image/decodeImage';
import type { WorkerMemoryData } from '../protocol/worker/workerConfig';

const MIB = 1024 * 1024;
const REPORT_INTERVAL_MS = 200;

export function footprintBytes(): number {
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.external;
}

export function decodeBudget(): MemoryBudget | undefined {
  const data = workerData as Partial<WorkerMemoryData> | undefined;
  if (!data?.memoryLimitMb) return undefined;
  return {
    limitBytes: data.memoryLimitMb * MIB,
    usedBytes: footprintBytes,
    hint: data.memoryHint ?? '',
  };
}

/** Sends the footprint now and every 200 ms (when the event loop is free) until stopped. */
export function reportFootprint(send: (bytes: number) => void): () => void {
  send(footprintBytes());
  const timer = setInterval(() => send(footprintBytes()), REPORT_INTERVAL_MS);
  timer.unref();
  return () => {
    clearInterval(timer);
    send(footprintBytes());
  };
}

/** The counter of ONNX Runtime calls in flight the host gave this thread (none outside a worker). */
export function nativeCallCounter(): Int32Array | undefined {
  const data = workerData as Partial<WorkerMemoryData> | undefined;
  return data?.nativeCalls ? new Int32Array(data.nativeCalls) : undefined;
}
