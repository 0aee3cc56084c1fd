/**
 * Failures after which a thread's WebAssembly module cannot be trusted again. When a model asks the
 * wasm backend for more memory than it can address, the heap is overwritten or emscripten aborts;
 * from then on every call of that module fails (`memory access out of bounds`, `Aborted()`) and
 * the next, good, model would be blamed. Such a failure is reported as running out of memory, and
 * the thread is replaced (see worker/modelWorker).
 */
import { InspectorError, formatLocation, type SourceLocation, errorMessage } from './errors';

const FAILURE_MESSAGE =
  /memory access out of bounds|Aborted\(|Cannot enlarge memory|WebAssembly\.Memory|Array buffer allocation failed|out of memory/i;

export function isWasmFailure(error: unknown): boolean {
  if (error instanceof WebAssembly.RuntimeError) return true;
  if (error instanceof InspectorError) return error.kind === 'out-of-memory';
  const message = errorMessage(error);
  return FAILURE_MESSAGE.test(message);
}

/**
 * "<file>:<line>:<col>: the model ran out of memory (...)". `where` is the user's line when the
 * failure happened in their code, else the model file.
 */
export function wasmOutOfMemoryError(
  error: unknown,
  modelFile: string,
  when: string,
  location?: SourceLocation,
  detail?: string,
): InspectorError {
  if (error instanceof InspectorError && error.kind === 'out-of-memory') return error;
  const err = error instanceof Error ? error : new Error(String(error));
  const where = location ? formatLocation(location) : modelFile;
  return new InspectorError(
    'out-of-memory',
    `${where}: the model ran out of memory ${when} (${err.name}: ${err.message}).`,
    location,
    detail ?? err.stack,
  );
}
