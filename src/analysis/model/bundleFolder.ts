/**
 * The private temporary folder model bundles are written to before they are `require`d.
 *
 * The temporary directory may be shared with other local users, and whatever is in a bundle file
 * when it is required runs with the user's rights. So the folder is made by `mkdtemp` (a fresh,
 * unguessable name, created atomically with mode 0700), checked to be a real directory owned by
 * this user that nobody else can enter, and each bundle is created exclusively (`wx`: never through
 * a symlink or into an existing file).
 *
 * One folder per thread (`cnn-inspector-bundles-<pid>-<threadId>-XXXXXX`): a terminated worker
 * cannot clean up after itself, so the host removes its folder when the thread exits
 * ({@link removeBundleFoldersOfThread}), the main thread removes every folder of its process on
 * exit, and folders of processes that no longer run are swept on first use.
 */
import { lstatSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainThread, threadId } from 'node:worker_threads';
import { InspectorError } from '../errors';

const PREFIX = 'cnn-inspector-bundles-';

let folder: string | undefined;
let cleanupOnExit = false;

/**
 * Where esbuild is told the bundle will be written, for the relative paths of its source map: a
 * placeholder at the same depth as the real folder (both are children of the temporary directory),
 * so the map's `../..` paths resolve to the same sources from either.
 */
export function sourceMapOutfile(name: string): string {
  return join(tmpdir(), `${PREFIX}source-map`, name);
}

/** Writes a bundle into the private folder (creating it if needed) and returns its path. */
export function writeBundle(name: string, code: string): string {
  if (name.includes('/') || name.includes('\\')) {
    throw new Error(`Not a plain file name: ${name}`);
  }
  const path = join(privateBundleFolder(), name);
  writeFileSync(path, code, { flag: 'wx', mode: 0o600 });
  return path;
}

/** This thread's private folder: created on first use, checked on every use. */
export function privateBundleFolder(): string {
  if (folder) {
    assertPrivate(folder);
    return folder;
  }
  sweepFoldersOfEndedProcesses();
  const created = mkdtempSync(join(tmpdir(), `${PREFIX}${process.pid}-${threadId}-`));
  assertPrivate(created);
  folder = created;
  removeBundleFoldersOnExit();
  return folder;
}

/** Called by the host when a worker thread has exited (terminated threads run no exit handlers). */
export function removeBundleFoldersOfThread(workerThreadId: number): void {
  removeBundleFolders((pid, tid) => pid === process.pid && tid === workerThreadId);
}

/** In the main thread: on exit, remove every bundle folder of this process (workers' too). */
export function removeBundleFoldersOnExit(): void {
  if (!isMainThread || cleanupOnExit) return;
  cleanupOnExit = true;
  process.on('exit', () => removeBundleFolders((pid) => pid === process.pid));
}

function assertPrivate(path: string): void {
  const stats = lstatSync(path);
  const uid = process.getuid?.();
  const problem = !stats.isDirectory()
    ? 'is not a directory'
    : uid !== undefined && stats.uid !== uid
      ? `is owned by user ${stats.uid}, not by you (${uid})`
      : process.platform !== 'win32' && (stats.mode & 0o077) !== 0
        ? `is open to other users (mode ${(stats.mode & 0o777).toString(8)})`
        : undefined;
  if (problem) {
    throw new InspectorError(
      'worker',
      `The temporary folder for model bundles ${path} ${problem}; refusing to run code from it.`,
    );
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function sweepFoldersOfEndedProcesses(): void {
  removeBundleFolders((pid) => pid !== process.pid && !isRunning(pid));
}

/** Removes this user's bundle folders whose pid (and thread id, when named) match. */
function removeBundleFolders(
  matches: (pid: number, threadId: number | undefined) => boolean,
): void {
  // Cleaning up is a courtesy; never a reason to fail a model load or an exit.
  const uid = process.getuid?.();
  let names: string[];
  try {
    names = readdirSync(tmpdir());
  } catch {
    return;
  }
  for (const name of names) {
    const parsed = /^cnn-inspector-bundles-(\d+)(?:-(\d+)-[^/]*)?$/.exec(name);
    if (!parsed) continue;
    const thread = parsed[2] === undefined ? undefined : Number(parsed[2]);
    if (!matches(Number(parsed[1]), thread)) continue;
    const path = join(tmpdir(), name);
    try {
      const stats = lstatSync(path);
      if (!stats.isDirectory() || (uid !== undefined && stats.uid !== uid)) continue;
      rmSync(path, { recursive: true, force: true });
    } catch {
      // Gone already, or not ours to remove.
    }
    if (path === folder) folder = undefined;
  }
}
