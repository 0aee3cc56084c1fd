/**
 * Warm native engines, per worker thread: a save that leaves the model as it was, or a panel that
 * closes and opens again, gets the ONNX Runtime session it had instead of translating the model and
 * building a session again (seconds for VGG-16). An engine is known by everything its numbers
 * depend on: the bundle's hash and export, the input shape, the threads, the size and modification
 * time of the files the weights were read from, a sample of the weights' values (a model may draw
 * random weights on each load) and, for an ONNX file run as it is, the file's size and
 * modification time. Engines in use are kept; of the released ones the last few stay warm.
 */
import { createHash } from 'node:crypto';
import type * as tfType from '@tensorflow/tfjs';
import type { LayerActivation } from '../activations';
import type { ActivationInput } from './nativeLayersEngine';

export interface CachedEngine {
  run(input: ActivationInput, layers?: string[]): Promise<Map<string, LayerActivation>>;
  dispose(): Promise<void>;
}

/** Released engines kept warm (each holds the model's weights once more, in ONNX Runtime). */
const MAX_IDLE = 1;

interface Entry {
  engine: CachedEngine;
  users: number;
}

const entries = new Map<string, Entry>();
/** Released engines, oldest first. */
const idle: string[] = [];
let builds = 0;

/** Engines built since the thread started (tests: a warm reuse builds none). */
export function engineBuildCount(): number {
  return builds;
}

/** Values read from each weight for the fingerprint: this many runs of RUN values, spread over it. */
const RUNS = 8;
const RUN = 8;

/** A backend's read of a tensor's values; the WebAssembly backend reads only [start, end). */
type ReadSync = (dataId: object, start?: number, end?: number) => ArrayLike<number>;

/**
 * A fingerprint of the weights' values that reads only a few of them: every weight's name, shape
 * and RUNS x RUN values spread over it (its first and last included). Weights drawn at random on
 * each load differ everywhere, so their samples differ; weights read from files are told apart by
 * the files' size and modification time (the caller's key has them). Hashing every value instead
 * cost 4-7 s per load of VGG-16 on the shared machine. The runs are read straight from the backend
 * (`tf.slice` would copy the whole weight on WebAssembly, once per run).
 */
export function weightsSample(tf: typeof tfType, model: tfType.LayersModel): string {
  const backend = tf.engine().backend as unknown as { readSync: ReadSync };
  const hash = createHash('sha256');
  for (const weight of model.weights) {
    hash.update(`${weight.originalName}:${weight.shape.join('x')}:${weight.dtype};`);
    const tensor = weight.read();
    const size = tensor.size;
    let whole: ArrayLike<number> | undefined; // a backend that reads only whole tensors
    for (let r = 0; r < RUNS; r++) {
      const start = Math.max(0, Math.round(((size - RUN) * r) / (RUNS - 1)));
      const end = Math.min(size, start + RUN);
      let values = whole ?? backend.readSync(tensor.dataId, start, end);
      if (values.length !== end - start) whole = values;
      if (whole) values = Array.prototype.slice.call(whole, start, end) as number[];
      hash.update(Float32Array.from(values as ArrayLike<number>).join(','));
    }
  }
  return hash.digest('hex');
}

/** The engine for `key`: the warm one if there is one, else `build()`'s. Release it when done. */
export async function acquireEngine<T extends CachedEngine>(
  key: string,
  build: () => Promise<T>,
): Promise<T> {
  const known = entries.get(key);
  if (known) {
    known.users++;
    const at = idle.indexOf(key);
    if (at >= 0) idle.splice(at, 1);
    return known.engine as T;
  }
  const engine = await build();
  builds++;
  entries.set(key, { engine, users: 1 });
  return engine;
}

/** The caller no longer uses the engine of `key`; it stays warm until newer ones push it out. */
export async function releaseEngine(key: string): Promise<void> {
  const entry = entries.get(key);
  if (!entry || --entry.users > 0) return;
  idle.push(key);
  while (idle.length > MAX_IDLE) {
    const oldest = idle.shift()!;
    const evicted = entries.get(oldest)!;
    entries.delete(oldest);
    await evicted.engine.dispose();
  }
}

/** Releases every warm engine nobody uses (tests, and a worker asked to free memory). */
export async function clearIdleEngines(): Promise<void> {
  for (const key of idle.splice(0)) {
    const entry = entries.get(key)!;
    entries.delete(key);
    await entry.engine.dispose();
  }
}
