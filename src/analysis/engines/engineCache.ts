/**
 * Warm native engines, per worker thread: a save that leaves the model as it was, or a panel that
 * closes and opens again, gets the ONNX Runtime session it had instead of translating the model and
 * building a session again (seconds for VGG-16). An engine is known by everything its numbers
 * depend on: the bundle's hash and export, the input shape, the threads, the size and modification
 * time of the files the weights were read from, the weights' values (all of them, or a sample for
 * a large model: see weightsFingerprint) and, for an ONNX file run as it is, the file's size and
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

/** Up to this many weight values in all, every value is hashed (LeNet: 62k, a CIFAR net: ~1M). */
const HASH_EVERY_VALUE_UP_TO = 16_000_000;
/** Beyond it, the values read from each weight: this many runs of RUN values, spread over it. */
const RUNS = 8;
const RUN = 8;

/** A backend's read of a tensor's values; the WebAssembly backend reads only [start, end). */
type ReadSync = (dataId: object, start?: number, end?: number) => ArrayLike<number>;

/**
 * A fingerprint of the weights' values. A model of up to HASH_EVERY_VALUE_UP_TO values (the nets
 * people edit weight by weight) hashes every value: a single changed weight gives a new engine.
 * A larger one (VGG-16: 138M) hashes every weight's name and shape and RUNS x RUN values spread
 * over it (its first and last included): weights drawn at random on each load differ everywhere,
 * so their samples differ, and weights read through tf.io are told apart by the files' size and
 * modification time (the caller's key has them). Hashing all of VGG-16 cost 4-7 s per load on the
 * shared machine. Values are read straight from the backend (`tf.slice` would copy the whole
 * weight on WebAssembly, once per run).
 */
export function weightsFingerprint(tf: typeof tfType, model: tfType.LayersModel): string {
  const backend = tf.engine().backend as unknown as { readSync: ReadSync };
  const everyValue = model.weights.reduce((n, w) => n + w.read().size, 0) <= HASH_EVERY_VALUE_UP_TO;
  const hash = createHash('sha256');
  for (const weight of model.weights) {
    hash.update(`${weight.originalName}:${weight.shape.join('x')}:${weight.dtype};`);
    const tensor = weight.read();
    if (everyValue) {
      const values = backend.readSync(tensor.dataId);
      hash.update(values instanceof Float32Array ? values : Float32Array.from(values));
      continue;
    }
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
