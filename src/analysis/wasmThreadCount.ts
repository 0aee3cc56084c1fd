/**
 * How many WebAssembly threads a `cnnInspector.wasmThreads` / `--threads` value means. Kept apart
 * from wasmThreads.ts so the CLI can check its argument without bundling TensorFlow.js.
 */
import { availableParallelism } from 'node:os';

/** tfjs pre-starts 8 pthread workers and XNNPACK's pool never takes more. */
export const MAX_WASM_THREADS = 8;

/** 0 means one per available core, 1 the single-threaded build; capped at what tfjs can use. */
export function wasmThreadCount(
  setting: number | undefined,
  cores: number = availableParallelism(),
): number {
  if (setting === undefined) return 1;
  if (!Number.isInteger(setting) || setting < 0) {
    throw new RangeError(
      `The WebAssembly thread count must be a whole number ≥ 0, got ${setting}.`,
    );
  }
  const wanted = setting === 0 ? cores : setting;
  return Math.max(1, Math.min(wanted, MAX_WASM_THREADS));
}
