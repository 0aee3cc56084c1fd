/** `--backend`, `--engine` and `--threads`, as `report` and `gallery` both take them. */
import { InspectorError } from '../analysis/errors';
import { ENGINE_PREFERENCES, type EnginePreference } from '../analysis/engines/chooseEngine';
import type { BackendPreference } from '../analysis/runtime';
import type { WorkerConfig } from '../protocol/worker/workerProtocol';
import { THREADS, integerArgument } from './numericArguments';

const BACKENDS: readonly string[] = ['auto', 'tensorflow', 'wasm', 'cpu'];

/**
 * The worker's engine settings; a 'usage' InspectorError naming the bad value otherwise. A
 * TensorFlow.js backend asked for without an engine means the TensorFlow.js engine.
 */
export function engineConfig(values: {
  backend: string;
  engine?: string;
  threads: string;
}): WorkerConfig {
  const backend = values.backend as BackendPreference;
  if (!BACKENDS.includes(backend))
    throw new InspectorError('usage', `unknown backend '${backend}'.`);
  const engine = (values.engine ?? (backend === 'auto' ? 'auto' : 'tfjs')) as EnginePreference;
  if (!ENGINE_PREFERENCES.includes(engine))
    throw new InspectorError('usage', `unknown engine '${engine}'.`);
  const wasmThreads = integerArgument('threads', values.threads, THREADS);
  return { backend, engine, searchDirs: [process.cwd()], maxImageMegapixels: 100, wasmThreads };
}
