/**
 * `--backend tensorflow` when native TensorFlow cannot run: the run goes on with the fallback
 * (the JSON's `backend` says which), and the CLI says why, so a slow run is not a mystery.
 */
import type { BackendName, BackendPreference } from '../analysis/runtime';

const BACKEND_LABEL: Record<BackendName, string> = {
  tensorflow: 'native TensorFlow',
  wasm: 'WebAssembly (wasm)',
  cpu: 'plain JavaScript (cpu)',
  onnxruntime: 'ONNX Runtime',
};

/** The warning for a run that did not get the backend asked for; undefined when it did. */
export function backendWarning(
  preference: BackendPreference,
  backend: BackendName,
  notes: readonly string[],
  searchDirs: readonly string[],
): string | undefined {
  if (preference !== 'tensorflow' || backend === 'tensorflow') return undefined;
  // runtime.ts notes a tfjs-node that is installed but failed to load ("tfjs-node from X failed...").
  const failures = notes.filter((n) => /^tfjs-node from .* failed to load/.test(n));
  const why = failures.length
    ? `@tensorflow/tfjs-node did not load (${failures.join('; ')})`
    : `@tensorflow/tfjs-node is not installed (looked in ${['CNN Inspector', ...searchDirs].join(', ')}; \`npm install @tensorflow/tfjs-node\` in the project adds it)`;
  return `--backend tensorflow: ${why}; running on ${BACKEND_LABEL[backend]} instead.`;
}
