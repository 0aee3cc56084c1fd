/**
 * The CLI's numeric flags: digits only, inside a range that is said in the refusal. A value such as
 * `1e9` or `abc` must not become a NaN timeout or a timer that overflows (Node fires a delay above
 * 2^31 - 1 ms at once), so every number is checked before any work starts.
 */
import { InspectorError } from '../analysis/errors';
import { MAX_WASM_THREADS } from '../analysis/wasmThreadCount';

export interface IntegerRange {
  min: number;
  max: number;
  /** Said after the range: "(seconds)". */
  unit?: string;
}

/** A model step: at least a second, at most a day (far below the timer's 24.8-day limit). */
export const TIMEOUT_SECONDS: IntegerRange = { min: 1, max: 86_400, unit: 'seconds' };
/** The model worker's memory limit; the same range as the setting cnnInspector.workerMemoryLimitMb. */
export const MEMORY_LIMIT_MB: IntegerRange = { min: 256, max: 65_536, unit: 'MB' };
export const DEFAULT_CLI_MEMORY_LIMIT_MB = 8192;
export const THREADS: IntegerRange = { min: 0, max: MAX_WASM_THREADS };
export const WORKERS: IntegerRange = { min: 1, max: 256 };
export const CHECKPOINT_SECONDS: IntegerRange = { min: 0, max: 86_400, unit: 'seconds' };

/** What the messages name as the place to change the limits. */
export const CLI_LIMIT_HINTS = { timeout: '--timeout <seconds>', memory: '--memory-limit <MB>' };

/** `text` as a whole number within `range`; a 'usage' InspectorError naming the flag otherwise. */
export function integerArgument(flag: string, text: string, range: IntegerRange): number {
  const trimmed = text.trim();
  const value = Number(trimmed);
  if (!/^\d+$/.test(trimmed) || value < range.min || value > range.max) {
    const unit = range.unit ? ` (${range.unit})` : '';
    throw new InspectorError(
      'usage',
      `--${flag} must be a whole number from ${range.min} to ${range.max}${unit}, not '${text}'.`,
    );
  }
  return value;
}
