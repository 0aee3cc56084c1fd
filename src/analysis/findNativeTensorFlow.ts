/**
 * Where native TensorFlow (@tensorflow/tfjs-node) would be loaded from: the first workspace folder
 * whose node_modules resolve it, as the runtime's loader resolves it (runtime.ts).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export const NATIVE_TENSORFLOW_PACKAGE = '@tensorflow/tfjs-node';

/** The tfjs-node package folder a workspace folder's node_modules resolves, if any. */
export function findNativeTensorFlow(folders: readonly string[]): string | undefined {
  for (const folder of folders) {
    try {
      const manifest = createRequire(join(folder, 'package.json')).resolve(
        `${NATIVE_TENSORFLOW_PACKAGE}/package.json`,
      );
      return dirname(manifest);
    } catch {
      // not installed for this folder
    }
  }
  return undefined;
}
