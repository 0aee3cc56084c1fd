/** The runtime the unit tests run models on: the bundled tfjs on WebAssembly, as in the extension. */
import { loadRuntime, type TfRuntime } from '../../../src/analysis/runtime';

process.setSourceMapsEnabled(true);

export function testRuntime(): Promise<TfRuntime> {
  return loadRuntime('wasm');
}
