/** Tests of the worker and CLI run the built bundles; build them once if they are missing. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const repoRoot = join(__dirname, '..', '..', '..');

export function ensureBuilt(): void {
  if (
    existsSync(join(repoRoot, 'dist', 'worker.js')) &&
    existsSync(join(repoRoot, 'dist', 'cli.js'))
  )
    return;
  execFileSync(process.execPath, [join(repoRoot, 'scripts', 'build.mjs')], { stdio: 'inherit' });
}
