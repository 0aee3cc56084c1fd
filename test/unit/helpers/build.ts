/**
 * Tests of the worker and CLI run the built bundles; build them once if they are missing or older
 * than a source file (else a test would run yesterday's code and pass or fail for nothing).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const repoRoot = join(__dirname, '..', '..', '..');

const BUNDLES = ['worker.js', 'cli.js'].map((name) => join(repoRoot, 'dist', name));
const SOURCES = ['src', 'webview', 'scripts/build.mjs', 'package.json'];

let checked = false;

export function ensureBuilt(): void {
  if (checked) return;
  checked = true;
  const builtAt = Math.min(
    ...BUNDLES.map((file) => (existsSync(file) ? statSync(file).mtimeMs : -Infinity)),
  );
  if (newestSource(SOURCES.map((p) => join(repoRoot, p))) <= builtAt) return;
  execFileSync(process.execPath, [join(repoRoot, 'scripts', 'build.mjs')], { stdio: 'inherit' });
}

/** The latest modification time of the files under `paths` (0 when none exists). */
export function newestSource(paths: string[]): number {
  let newest = 0;
  for (const path of paths) {
    if (!existsSync(path)) continue;
    const stat = statSync(path);
    if (stat.isDirectory()) {
      const entries = readdirSync(path, { recursive: true, encoding: 'utf8' });
      for (const entry of entries) newest = Math.max(newest, statSync(join(path, entry)).mtimeMs);
    } else {
      newest = Math.max(newest, stat.mtimeMs);
    }
  }
  return newest;
}
