/**
 * The temporary folder bundles are written to, one per process (worker threads share their
 * process's pid). Folders left by processes that no longer run are removed on first use, since a
 * terminated worker or a killed editor cannot clean up after itself.
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PREFIX = 'cnn-inspector-bundles-';
export const BUNDLE_DIR = join(tmpdir(), `${PREFIX}${process.pid}`);

let prepared = false;

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function prepareBundleFolder(): string {
  if (prepared) return BUNDLE_DIR;
  prepared = true;
  try {
    for (const name of readdirSync(tmpdir())) {
      const pid = Number(name.slice(PREFIX.length));
      if (
        name.startsWith(PREFIX) &&
        Number.isInteger(pid) &&
        pid !== process.pid &&
        !isRunning(pid)
      ) {
        rmSync(join(tmpdir(), name), { recursive: true, force: true });
      }
    }
  } catch {
    // Cleaning up is a courtesy; never a reason to fail a model load.
  }
  mkdirSync(BUNDLE_DIR, { recursive: true });
  return BUNDLE_DIR;
}
