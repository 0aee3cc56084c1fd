// Gallery folders as datasets really are: many identical broken files (each one listed), and
// images stored as symbolic links (git-annex, DVC): followed when they resolve inside the folder's
// tree, listed as skipped with the reason otherwise; a link loop ends.
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listFolderImages } from '../../src/analysis/gallery/folderImages';
import { WorkerClient } from '../../src/host/workerClient';
import { buildFolderGallery, type FolderGalleryResult } from '../../src/host/folderGallery';
import type { ModelRef, WorkerConfig } from '../../src/protocol/worker/workerProtocol';
import { ensureBuilt, repoRoot } from './helpers/build';
import { SAME_MACHINE, runCli } from './helpers/galleryCli';
import { EDGE_IMAGES, writeEdgeImages } from './helpers/edgeImages';

const config: WorkerConfig = { backend: 'wasm', searchDirs: [], maxImageMegapixels: 100 };
const workerOptions = { workerScript: join(repoRoot, 'dist', 'worker.js'), memoryLimitMb: 1024 };
const model: ModelRef = { file: join(repoRoot, 'test', 'fixtures', 'gallery', 'edges.ts') };
const LONG = 120_000;
const BROKEN_PNG = Buffer.from('\x89PNG\r\n\x1a\nnot really');

async function build(folder: string, cacheDir?: string): Promise<FolderGalleryResult> {
  const client = new WorkerClient(workerOptions);
  try {
    const info = await client.request({ type: 'galleryInfo', config, model }, { timeoutMs: LONG });
    return await buildFolderGallery({
      folder,
      cacheDir,
      info,
      model,
      exportName: 'default',
      config,
      options: { topK: 3, nmsIoU: 0.3 },
      timeoutMs: LONG,
      pool: { ...workerOptions, workers: 2 },
    });
  } finally {
    client.dispose();
  }
}

const names = (files: readonly string[]) => files.map((f) => f.split('/').pop()!).sort();

describe('gallery folders (hardening)', function () {
  this.timeout(LONG * 2);
  const dir = mkdtempSync(join(tmpdir(), 'cnn-gallery-hardening-'));
  before(() => ensureBuilt());
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('lists every skipped file, also identical copies, each with a reason naming it; from the cache too', async () => {
    const folder = join(dir, 'copies');
    writeEdgeImages(folder);
    const empties = Array.from({ length: 17 }, (_, i) => `empty-${String(i).padStart(2, '0')}.png`);
    for (const name of empties) writeFileSync(join(folder, name), Buffer.alloc(0));
    const brokens = ['broken-a.png', 'broken-b.png', 'broken-c.png'];
    for (const name of brokens) writeFileSync(join(folder, name), BROKEN_PNG);
    const cacheDir = join(dir, 'cache');
    for (const run of ['first run', 'from the cache']) {
      const result = await build(folder, cacheDir);
      if (run === 'from the cache') assert.equal(result.computed, 0, 'all from the cache');
      assert.equal(result.imageCount, Object.keys(EDGE_IMAGES).length, run);
      assert.deepEqual(
        names(result.skipped.map((s) => s.file)),
        [...brokens, ...empties].sort(),
        run,
      );
      for (const s of result.skipped) {
        const name = s.file.split('/').pop()!;
        assert.ok(s.reason.includes(s.file), `${run}: ${name}'s reason names it: ${s.reason}`);
        assert.match(
          s.reason,
          name.startsWith('empty') ? /the file is empty/ : /not a PNG or JPEG image/,
        );
      }
    }
  });

  it('follows symbolic links inside the folder tree and lists the others with the reason', async () => {
    const repo = join(dir, 'repo');
    const folder = join(repo, 'data');
    const store = join(folder, '.annex'); // a hidden store inside the folder, as git-annex's .git
    writeEdgeImages(store);
    const [first] = Object.keys(EDGE_IMAGES).sort();
    mkdirSync(join(folder, 'train'), { recursive: true });
    // A link to a file inside the tree (git-annex style, relative), one to a folder inside it.
    symlinkSync(join('..', '.annex', first), join(folder, 'train', 'linked.png'));
    symlinkSync('.annex', join(folder, 'linked-folder'));
    // A link out of the tree, a broken one, a loop back to the folder itself.
    const outside = join(repo, 'outside.png');
    writeFileSync(outside, Buffer.alloc(0));
    symlinkSync(outside, join(folder, 'train', 'escapes.png'));
    symlinkSync(join(folder, 'gone.png'), join(folder, 'train', 'dangling.png'));
    symlinkSync('..', join(folder, 'train', 'loop'));
    symlinkSync(repo, join(folder, 'up'));

    const listing = await listFolderImages(folder);
    assert.deepEqual(listing.files, [
      ...Object.keys(EDGE_IMAGES)
        .sort()
        .map((n) => join(folder, 'linked-folder', n)),
      join(folder, 'train', 'linked.png'),
    ]);
    const reasons = Object.fromEntries(listing.skipped.map((s) => [s.file, s.reason]));
    assert.deepEqual(Object.keys(reasons).sort(), [
      join(folder, 'train', 'dangling.png'),
      join(folder, 'train', 'escapes.png'),
      join(folder, 'train', 'loop'),
      join(folder, 'up'),
    ]);
    assert.match(
      reasons[join(folder, 'train', 'escapes.png')],
      /escapes\.png: a symbolic link to .*repo\/outside\.png, outside the folder .*repo\/data: not followed/,
    );
    assert.match(
      reasons[join(folder, 'train', 'dangling.png')],
      /dangling\.png: a broken symbolic link \(to .*gone\.png/,
    );
    assert.match(
      reasons[join(folder, 'train', 'loop')],
      /loop: a symbolic link to the folder .*repo\/data, already included: not followed/,
    );
    assert.match(
      reasons[join(folder, 'up')],
      /up: a symbolic link to the folder .*repo, outside the folder .*repo\/data: not followed/,
    );

    // The gallery runs the linked images and lists the links it did not follow.
    const result = await build(folder);
    assert.equal(result.imageCount, Object.keys(EDGE_IMAGES).length); // linked.png repeats `first`
    assert.deepEqual(names(result.skipped.map((s) => s.file)), [
      'dangling.png',
      'escapes.png',
      'loop',
      'up',
    ]);
    assert.ok(
      result.units.some((u) => u.patches.some((p) => p.file.includes('linked-folder'))),
      'patches come from the linked folder',
    );
  });

  it('lists a link it did not follow once in the merge of sharded parts, by its relative path', async () => {
    const folder = join(dir, 'sharded');
    writeEdgeImages(folder);
    const outside = join(dir, 'elsewhere.png');
    writeFileSync(outside, Buffer.alloc(0));
    symlinkSync(outside, join(folder, 'away.png'));
    const parts = [0, 1].map((i) => join(dir, `part-${i}.json`));
    for (const [i, part] of parts.entries()) {
      const run = await runCli([
        'gallery',
        model.file,
        '--folder',
        folder,
        '--shard',
        `${i}/2`,
        '--out',
        part,
        ...SAME_MACHINE,
      ]);
      assert.equal(run.code, 0, run.stderr);
    }
    const merged = join(dir, 'merged.json');
    const run = await runCli(['merge', ...parts, '--out', merged]);
    assert.equal(run.code, 0, run.stderr);
    const gallery = JSON.parse(readFileSync(merged, 'utf8'));
    assert.equal(gallery.imageCount, Object.keys(EDGE_IMAGES).length);
    assert.equal(gallery.skipped.length, 1, JSON.stringify(gallery.skipped));
    assert.equal(gallery.skipped[0].file, 'away.png');
    assert.match(
      gallery.skipped[0].reason,
      /^away\.png: a symbolic link to .*elsewhere\.png, outside the folder/,
    );
  });
});
