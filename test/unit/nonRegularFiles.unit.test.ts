// Named pipes, devices and oversized files where an image (or a signal, or a model source) is
// expected: refused at once with a message, never read. Every wait is bounded: if a read blocks on
// a pipe, the test opens the pipe's other end itself, so a regression fails instead of hanging.
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, constants, copyFileSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeImageFile } from '../../src/analysis/image/decodeImage';
import { hashFolderImages } from '../../src/analysis/gallery/folderImages';
import { loadSignal } from '../../src/analysis/explain/signal';
import { listModelExports } from '../../src/analysis/model/listModelExports';
import { InspectorError } from '../../src/analysis/errors';
import { ensureBuilt, repoRoot } from './helpers/build';

const images = join(__dirname, '..', 'fixtures', 'images');
const models = join(__dirname, '..', 'fixtures', 'models');
const BOUND_MS = 5000;

function mkfifo(path: string): string {
  execFileSync('mkfifo', [path]);
  return path;
}

/** Opens the write end without blocking (ENXIO when nobody reads) and closes it: a blocked reader sees EOF. */
function releaseReaders(fifo: string): void {
  try {
    closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
  } catch {
    // no reader is waiting on it
  }
}

/**
 * Waits at most BOUND_MS for `promise`; if it has not settled by then (the read blocked on a
 * pipe), releases the pipes' readers and fails.
 */
async function settleWithin<T>(promise: Promise<T>, fifos: string[]): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const blocked = new Promise<'blocked'>((resolve) => {
    timer = setTimeout(() => resolve('blocked'), BOUND_MS);
  });
  const outcome = await Promise.race([
    promise.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    ),
    blocked,
  ]);
  clearTimeout(timer);
  if (outcome === 'blocked') {
    for (const fifo of fifos) releaseReaders(fifo);
    await promise.catch(() => undefined);
    assert.fail(`still reading after ${BOUND_MS} ms: the read blocked on a named pipe`);
  }
  if ('error' in outcome) throw outcome.error;
  return outcome.value;
}

async function refusedWith(
  promise: Promise<unknown>,
  pattern: RegExp,
  fifos: string[] = [],
): Promise<void> {
  await assert.rejects(settleWithin(promise, fifos), (error: unknown) => {
    assert.ok(error instanceof InspectorError, String(error));
    assert.match(error.message, pattern);
    return true;
  });
}

describe('files that are not regular files', function () {
  this.timeout(60_000);
  let dir: string;

  before(function () {
    if (process.platform === 'win32') this.skip(); // no mkfifo
    dir = mkdtempSync(join(tmpdir(), 'cnn-nonregular-'));
  });

  it('refuses a named pipe given as an image at once, naming the file and what it is', async () => {
    const fifo = mkfifo(join(dir, 'pipe.png'));
    await refusedWith(
      decodeImageFile(fifo),
      /pipe\.png: cannot read the image: it is a named pipe \(FIFO\), not a regular file/,
      [fifo],
    );
  });

  it('keeps reading images after many pipes (no I/O thread is left blocked)', async () => {
    // libuv has 4 I/O threads: four blocked opens would stall every later read of the process.
    const fifos = [1, 2, 3, 4, 5].map((k) => mkfifo(join(dir, `many${k}.png`)));
    for (const fifo of fifos) await refusedWith(decodeImageFile(fifo), /named pipe/, fifos);
    const image = await settleWithin(decodeImageFile(join(images, 'chessboard_GRAY.png')), fifos);
    assert.equal(image.width, 200);
  });

  it('refuses a character device such as /dev/zero, which would never end', async function () {
    await refusedWith(
      decodeImageFile('/dev/zero'),
      /\/dev\/zero: cannot read the image: it is a character device, not a regular file/,
    );
  });

  it('refuses a file too large to be an image within the megapixel limit, before reading it', async () => {
    const huge = join(dir, 'huge.png');
    copyFileSync(join(images, 'chessboard_GRAY.png'), huge);
    await truncate(huge, 20e6); // sparse: no disk used, but 20 MB to read
    await refusedWith(
      decodeImageFile(huge, { maxMegapixels: 1 }),
      /huge\.png: cannot read the image: it is 20\.0 MB, more than the 9\.1 MB accepted \(the most an image of at most 1 megapixels takes\)/,
    );
    // Within a larger limit the same file is read, and the decoder finds the zeros after the PNG.
    await refusedWith(decodeImageFile(huge, { maxMegapixels: 100 }), /huge\.png: damaged PNG file/);
  });

  it('still reports a missing file and a folder as before', async () => {
    await refusedWith(decodeImageFile(join(dir, 'absent.png')), /absent\.png: .*no such file/);
    await refusedWith(decodeImageFile(dir), /is a folder/);
  });

  it('lists a pipe among a gallery folder’s files as skipped, and hashes the real image', async () => {
    const folder = mkdtempSync(join(dir, 'gallery-'));
    const real = join(folder, 'a.png');
    copyFileSync(join(images, 'chessboard_GRAY.png'), real);
    const fifo = mkfifo(join(folder, 'b.png'));
    const { images: hashed, unreadable } = await settleWithin(hashFolderImages([real, fifo]), [
      fifo,
    ]);
    assert.deepEqual(
      hashed.map((i) => i.path),
      [real],
    );
    assert.equal(unreadable.length, 1);
    assert.equal(unreadable[0].file, fifo);
    assert.match(unreadable[0].reason, /b\.png: cannot read the file .*named pipe \(FIFO\)/);
  });

  it('refuses a named pipe given as a 1-D signal', async () => {
    const fifo = mkfifo(join(dir, 'signal.csv'));
    await refusedWith(loadSignal(fifo, 8, 1), /signal\.csv: cannot read the signal .*named pipe/, [
      fifo,
    ]);
  });

  it('lists no exports for a named pipe posing as a model file, with the reason', async () => {
    const fifo = mkfifo(join(dir, 'model.ts'));
    const listed = await settleWithin(listModelExports(fifo), [fifo]);
    assert.deepEqual(listed.exportNames, []);
    assert.match(listed.error ?? '', /named pipe/);
  });

  it('makes the command line fail with status 1 and a message instead of hanging', () => {
    ensureBuilt();
    const fifo = mkfifo(join(dir, 'cli.png'));
    const run = spawnSync(
      process.execPath,
      [join(repoRoot, 'dist', 'cli.js'), 'report', join(models, 'tiny.ts'), '--image', fifo],
      { encoding: 'utf8', timeout: 50_000 },
    );
    releaseReaders(fifo);
    assert.equal(run.signal, null, 'the report was killed at the time limit: it hung');
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stderr, /cli\.png: cannot read the image: it is a named pipe/);
  });

  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
});
