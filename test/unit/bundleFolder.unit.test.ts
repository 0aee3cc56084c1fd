import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { InspectionSession } from '../../src/analysis/inspectionSession';
import { InspectorError } from '../../src/analysis/errors';
import { writeBundle } from '../../src/analysis/model/bundleFolder';
import { WorkerClient } from '../../src/host/workerClient';
import { ensureBuilt, repoRoot } from './helpers/build';
import { greyPng } from './helpers/imageBytes';
import { testRuntime } from './helpers/runtime';

const models = join(__dirname, '..', 'fixtures', 'models');
const OTHER_USER = 65534; // nobody: stands for another local user on a shared /tmp
const isRoot = process.getuid?.() === 0;

function bundleFolders(): string[] {
  return readdirSync(tmpdir()).filter((n) => n.startsWith('cnn-inspector-bundles-'));
}

function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

describe('private folder for model bundles', function () {
  this.timeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), 'cnn-bundle-folder-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('does not write through symlinks planted in the predictable folder of earlier versions', async () => {
    // Another user prepares `$TMPDIR/cnn-inspector-bundles-<pid>` with symlinks at every name a
    // bundle of tiny.ts could get, pointing at a file of ours.
    const victim = join(dir, 'precious.txt');
    writeFileSync(victim, 'precious');
    const planted = join(tmpdir(), `cnn-inspector-bundles-${process.pid}`);
    mkdirSync(planted, { recursive: true });
    try {
      for (let n = 1; n <= 2000; n++) {
        symlinkSync(victim, join(planted, `tiny.ts.${threadId}.${n}.cjs`));
      }
      chmodSync(planted, 0o777);
      if (isRoot) chownSync(planted, OTHER_USER, OTHER_USER);
      const session = await InspectionSession.open(
        await testRuntime(),
        join(models, 'tiny.ts'),
        undefined,
      );
      session.dispose();
      assert.equal(readFileSync(victim, 'utf8'), 'precious');
    } finally {
      rmSync(planted, { recursive: true, force: true });
    }
  });

  it('writes bundles exclusively into a fresh folder that only this user can enter', () => {
    const path = writeBundle(`probe-${Date.now()}.cjs`, 'module.exports = 1;');
    const folder = dirname(path);
    assert.match(
      basename(folder),
      new RegExp(`^cnn-inspector-bundles-${process.pid}-${threadId}-`),
    );
    const stats = lstatSync(folder);
    assert.ok(stats.isDirectory() && !stats.isSymbolicLink());
    assert.equal(stats.mode & 0o777, 0o700);
    assert.equal(stats.uid, process.getuid!());
    assert.equal(lstatSync(path).mode & 0o777, 0o600);
    // Exclusive create: an existing file (or symlink) at the name is never written through.
    assert.throws(() => writeBundle(basename(path), 'other'), /EEXIST/);
    assert.equal(readFileSync(path, 'utf8'), 'module.exports = 1;');
    assert.throws(() => writeBundle('../escape.cjs', ''), /plain file name/);
    rmSync(path);
  });

  it('refuses its folder once it is open to others or owned by someone else', function () {
    const folder = dirname(writeBundle(`probe-${Date.now()}.cjs`, ''));
    const refused = (pattern: RegExp) => (error: unknown) => {
      assert.ok(error instanceof InspectorError, String(error));
      assert.match(error.message, pattern);
      assert.ok(error.message.includes(folder), error.message);
      return true;
    };
    try {
      chmodSync(folder, 0o777);
      assert.throws(() => writeBundle('a.cjs', ''), refused(/open to other users \(mode 777\)/));
    } finally {
      chmodSync(folder, 0o700);
    }
    if (!isRoot) return; // only root can give a folder away
    try {
      chownSync(folder, OTHER_USER, OTHER_USER);
      assert.throws(() => writeBundle('b.cjs', ''), refused(/owned by user 65534, not by you/));
    } finally {
      chownSync(folder, 0, 0);
    }
  });

  it('removes a worker thread’s folder when the thread is stopped', async () => {
    ensureBuilt();
    const client = new WorkerClient({
      workerScript: join(repoRoot, 'dist', 'worker.js'),
      memoryLimitMb: 256,
    });
    try {
      await client.request(
        {
          type: 'loadModel',
          config: { backend: 'cpu', searchDirs: [], maxImageMegapixels: 100 },
          model: { file: join(models, 'tiny.ts') },
          reload: false,
        },
        { timeoutMs: 60_000 },
      );
      const created = bundleFolders().filter((n) =>
        n.startsWith(`cnn-inspector-bundles-${process.pid}-${client.threadId}-`),
      );
      assert.equal(created.length, 1, `folders of the worker: ${created.join(', ')}`);
      client.restart(); // terminate(): the thread runs no exit handler of its own
      await client.whenStopped();
      await new Promise((resolve) => setTimeout(resolve, 100)); // the 'exit' event follows
      assert.ok(!existsSync(join(tmpdir(), created[0])), `${created[0]} is left behind`);
    } finally {
      client.dispose();
    }
  });

  it('a CLI run sweeps folders of ended processes, keeps live and foreign ones, and leaves none', () => {
    ensureBuilt();
    const dead = deadPid();
    const make = (name: string, owner?: number) => {
      const path = join(tmpdir(), name);
      mkdirSync(path, { mode: 0o700 });
      writeFileSync(join(path, 'x.cjs'), '');
      if (owner !== undefined) chownSync(path, owner, owner);
      return path;
    };
    const ended = make(`cnn-inspector-bundles-${dead}-1-abcdef`);
    const endedOldStyle = make(`cnn-inspector-bundles-${dead}`);
    const live = make(`cnn-inspector-bundles-${process.pid}-99999-abcdef`);
    const foreign = isRoot ? make(`cnn-inspector-bundles-${dead}-2-abcdef`, OTHER_USER) : undefined;
    const image = join(dir, 'ramp.png');
    writeFileSync(
      image,
      greyPng(
        4,
        4,
        Array.from({ length: 16 }, (_, k) => 17 * k),
      ),
    );
    try {
      const run = spawnSync(
        process.execPath,
        [
          join(repoRoot, 'dist', 'cli.js'),
          'report',
          join(models, 'tiny.ts'),
          '--image',
          image,
          '--backend',
          'cpu',
        ],
        { encoding: 'utf8', timeout: 120_000 },
      );
      assert.equal(run.status, 0, run.stderr);
      assert.ok(!existsSync(ended), 'folder of an ended process kept');
      assert.ok(!existsSync(endedOldStyle), 'old-style folder of an ended process kept');
      assert.ok(existsSync(live), 'folder of a running process removed');
      if (foreign) assert.ok(existsSync(foreign), 'folder of another user removed');
      const left = bundleFolders().filter((n) => n.startsWith(`cnn-inspector-bundles-${run.pid}-`));
      assert.deepEqual(left, [], 'the CLI left its bundle folders behind');
    } finally {
      for (const path of [ended, endedOldStyle, live, foreign]) {
        if (path) rmSync(path, { recursive: true, force: true });
      }
    }
  });
});
