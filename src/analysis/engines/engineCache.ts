/**
 * Warm native engines, per worker thread: a save that leaves the model as it was, or a panel that
 * closes and opens again, gets the ONNX Runtime session it had instead of translating the model and
 * building a session again (seconds for VGG-16). An engine is known by everything its numbers
 * depend on: the bundle's hash and export, the input shape, the threads, the weights' values (a
 * model may draw random weights on each load) and, for an ONNX file run as it is, the file's size
 * and modification time. Engines in use are kept; of the released ones the last few stay warm.
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

/** sha256 of every weight's name, shape and values: what the model computes with. */
export function weightsFingerprint(
  model: tfType.LayersModel,
  readWeight: (variable: tfType.LayerVariable) => Float32Array,
): string {
  const hash = createHash('sha256');
  for (const weight of model.weights) {
    hash.update(`${weight.originalName}:${weight.shape.join('x')};`);
    const values = readWeight(weight);
    hash.update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
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
