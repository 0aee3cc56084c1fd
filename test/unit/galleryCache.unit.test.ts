// The gallery cache file: every field checked (galleryCacheSchema), a bad file discarded with a log
// line and the gallery rebuilt, and progress saved while a run goes on, so a run that is killed
// keeps its work. The cache entries here are written by hand; the runs go through the worker pool.
import * as assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateGalleryCache } from '../../src/analysis/gallery/galleryCacheSchema';
import {
  GALLERY_CACHE_VERSION,
  galleryCacheFile,
  loadGalleryCache,
  type GalleryCacheEntry,
} from '../../src/analysis/gallery/galleryCache';
import { WorkerClient } from '../../src/host/workerClient';
import { buildFolderGallery, type FolderGalleryResult } from '../../src/host/folderGallery';
import type { ModelRef, WorkerConfig } from '../../src/protocol/worker/workerProtocol';
import { ensureBuilt, repoRoot } from './helpers/build';
import { EDGE_IMAGES, writeEdgeImages, type Line } from './helpers/edgeImages';

// Damaged files are edited as loose JSON, whatever their shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type LooseJson = Record<string, any>;

const hashA = 'a'.repeat(64);
const hashB = 'b'.repeat(64);
const key = {
  modelFile: '/m/edges.ts',
  exportName: 'default',
  layer: 'pool',
  topK: 2,
  nmsIoU: 0.3,
  weightsHash: 'w',
  bundleHash: 'c',
  engine: 'tfjs 4.22.0 wasm',
};

/** A valid entry: 2 units, top-2, two processed files and one skipped. */
function validEntry(): GalleryCacheEntry {
  const patch = (fileHash: string, value: number) => ({
    file: `/images/${fileHash[0]}.png`,
    fileHash,
    y: 1,
    x: 2,
    value,
    box: [2, 4, 8, 10] as [number, number, number, number],
    clipped: null,
  });
  return {
    version: GALLERY_CACHE_VERSION,
    key,
    processed: { [hashA]: '/images/a.png', [hashB]: '/images/b.png' },
    skipped: { ['c'.repeat(64)]: { file: '/images/c.png', reason: 'damaged' } },
    units: [
      { unit: 0, patches: [patch(hashA, 3), patch(hashB, 1)] },
      { unit: 1, patches: [patch(hashB, 2)] },
    ],
  };
}

/** The entry as JSON text with one change made by `edit` (on the parsed object). */
function corrupted(edit: (entry: LooseJson) => void): unknown {
  const entry = JSON.parse(JSON.stringify(validEntry()));
  edit(entry);
  return JSON.parse(JSON.stringify(entry)); // as read back from disk: NaN and Infinity become null
}

function invalidBecause(data: unknown, pattern: RegExp, unitCount = 2): void {
  const checked = validateGalleryCache(data, unitCount);
  assert.equal(checked.valid, false, 'accepted');
  if (!checked.valid) assert.match(checked.reason, pattern);
}

describe('gallery cache validation', () => {
  it('accepts a valid entry and gives it back unchanged', () => {
    const checked = validateGalleryCache(validEntry(), 2);
    assert.ok(checked.valid);
    if (checked.valid) assert.deepEqual(checked.entry, validEntry());
  });

  it('refuses wrong field types, naming the field', () => {
    invalidBecause(
      corrupted((e) => (e.skipped = null)),
      /^skipped: Invalid input: expected record, received null/,
    );
    invalidBecause(
      corrupted((e) => (e.processed = [])),
      /^processed: Invalid input: expected record/,
    );
    invalidBecause(
      corrupted((e) => (e.units = {})),
      /^units: Invalid input: expected array/,
    );
    invalidBecause(
      corrupted((e) => (e.version = GALLERY_CACHE_VERSION + 1)),
      /^version: /,
    );
    invalidBecause(
      corrupted((e) => (e.key.topK = '9')),
      /^key\.topK: Invalid input: expected number, received string/,
    );
    invalidBecause(null, /^the file: Invalid input: expected object, received null/);
    invalidBecause([], /^the file: Invalid input: expected object, received array/);
  });

  it('refuses missing, NaN and infinite patch fields, and bad hashes', () => {
    invalidBecause(
      corrupted((e) => (e.units[0].patches[1].value = NaN)),
      /^units\[0\]\.patches\[1\]\.value: Invalid input: expected number, received null/,
    );
    invalidBecause(
      corrupted((e) => (e.units[1].patches[0].value = Infinity)),
      /^units\[1\]\.patches\[0\]\.value: .*expected number, received null/,
    );
    invalidBecause(
      corrupted((e) => delete e.units[0].patches[0].box),
      /^units\[0\]\.patches\[0\]\.box: Invalid input: expected tuple/,
    );
    invalidBecause(
      corrupted((e) => (e.units[0].patches[0].box = [1, 2, 3])),
      /^units\[0\]\.patches\[0\]\.box/,
    );
    invalidBecause(
      corrupted((e) => (e.units[0].patches[0].y = -1)),
      /^units\[0\]\.patches\[0\]\.y: /,
    );
    invalidBecause(
      corrupted((e) => (e.units[0].patches[0].fileHash = 'nothex')),
      /^units\[0\]\.patches\[0\]\.fileHash: expected a sha256 hex digest/,
    );
    invalidBecause(
      corrupted((e) => (e.processed = { short: '/images/a.png' })),
      /^processed\.short: Invalid key in record/,
    );
  });

  it('refuses bogus unit indices: out of the layer, negative, fractional, repeated', () => {
    invalidBecause(
      corrupted((e) => (e.units[1].unit = 7)),
      /^units\[1\]\.unit: 7 is not a unit of a layer with 2/,
    );
    invalidBecause(
      corrupted((e) => (e.units[1].unit = -1)),
      /^units\[1\]\.unit: /,
    );
    invalidBecause(
      corrupted((e) => (e.units[1].unit = 0.5)),
      /^units\[1\]\.unit: .*expected int/,
    );
    invalidBecause(
      corrupted((e) => (e.units[1].unit = 0)),
      /^units\[1\]\.unit: unit 0 appears twice/,
    );
    // Without the layer's size, 7 is a possible unit.
    assert.equal(validateGalleryCache(corrupted((e) => (e.units[1].unit = 7))).valid, true);
  });

  it('refuses patches that contradict the rest of the file', () => {
    invalidBecause(
      corrupted((e) => e.units[1].patches.push(e.units[0].patches[0], e.units[0].patches[1])),
      /^units\[1\]\.patches: 3 patches, more than top-k 2/,
    );
    invalidBecause(
      corrupted((e) => e.units[0].patches.reverse()),
      /^units\[0\]\.patches\[1\]\.value: stronger than the patch before it/,
    );
    invalidBecause(
      corrupted((e) => delete e.processed[hashB]),
      /^units\[0\]\.patches\[1\]\.fileHash: not among the processed files/,
    );
  });
});

describe('gallery cache files', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'gallery-cache-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function write(text: string): string {
    const file = galleryCacheFile(dir, key);
    mkdirSync(join(dir, 'galleries'), { recursive: true });
    writeFileSync(file, text);
    return file;
  }

  it('loads a valid file, and ignores (without complaint) one built by other weights', async () => {
    const log: string[] = [];
    const file = write(JSON.stringify(validEntry()));
    assert.deepEqual(
      await loadGalleryCache(dir, key, { unitCount: 2, log: (l) => log.push(l) }),
      validEntry(),
    );
    const stale = await loadGalleryCache(
      dir,
      { ...key, weightsHash: 'other' },
      { log: (l) => log.push(l) },
    );
    assert.equal(stale, undefined);
    assert.deepEqual(log, []);
    assert.ok(existsSync(file));
  });

  it('discards an invalid file with a log line naming the file and the field', async () => {
    const log: string[] = [];
    const file = write(JSON.stringify(corrupted((e) => (e.skipped = null))));
    assert.equal(
      await loadGalleryCache(dir, key, { unitCount: 2, log: (l) => log.push(l) }),
      undefined,
    );
    assert.equal(log.length, 1);
    assert.ok(log[0].startsWith(`Gallery cache ${file} is invalid (skipped: `), log[0]);
    assert.match(log[0], /: discarded, the gallery is rebuilt\.$/);
    assert.equal(existsSync(file), false, 'the bad file is deleted');
  });

  it('ignores, without complaint, a file of the older format (no engine in its key)', async () => {
    const log: string[] = [];
    const older: LooseJson = JSON.parse(JSON.stringify(validEntry()));
    older.version = 1;
    delete older.key.engine;
    const file = write(JSON.stringify(older));
    assert.equal(await loadGalleryCache(dir, key, { log: (l) => log.push(l) }), undefined);
    assert.deepEqual(log, []);
    assert.ok(existsSync(file), 'left for this run to replace');
  });

  it('discards a file that is not JSON (a run killed in the middle of a write by another tool)', async () => {
    const log: string[] = [];
    write('{"version": 1, "key": {');
    assert.equal(await loadGalleryCache(dir, key, { log: (l) => log.push(l) }), undefined);
    assert.match(log[0], /is invalid \(not JSON: .*\): discarded/);
  });
});

describe('gallery cache through the worker pool', function () {
  this.timeout(300_000);
  const wasmConfig: WorkerConfig = { backend: 'wasm', searchDirs: [], maxImageMegapixels: 100 };
  const workerOptions = { workerScript: join(repoRoot, 'dist', 'worker.js'), memoryLimitMb: 1024 };
  const model: ModelRef = { file: join(repoRoot, 'test', 'fixtures', 'gallery', 'edges.ts') };
  const LONG = 120_000;
  let dir: string;
  let images: string;
  before(() => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'gallery-cache-pool-'));
    images = join(dir, 'images');
    // 12 images: the 3 of edgeImages and 9 more lines, so a 1-worker run takes 4 shards of 3.
    const more = Object.fromEntries(
      Array.from({ length: 9 }, (_, k): [string, Line[]] => [
        `m${k}.png`,
        [{ dir: k % 2 ? 'v' : 'h', at: 3 + k, from: 2, to: 4 + (k % 5), value: 60 + 20 * k }],
      ]),
    );
    writeEdgeImages(images, { ...EDGE_IMAGES, ...more });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function build(
    cacheDir: string | undefined,
    extra: {
      log?: string[];
      saveIntervalMs?: number;
      onPartial?: () => void;
      config?: WorkerConfig;
    } = {},
  ): Promise<FolderGalleryResult> {
    const config = extra.config ?? wasmConfig;
    const client = new WorkerClient(workerOptions);
    try {
      const info = await client.request(
        { type: 'galleryInfo', config, model },
        { timeoutMs: LONG },
      );
      return await buildFolderGallery({
        folder: images,
        cacheDir,
        info,
        model,
        exportName: 'default',
        config,
        options: { topK: 3, nmsIoU: 0.3 },
        timeoutMs: LONG,
        pool: { ...workerOptions, workers: 1, log: (l) => extra.log?.push(l) },
        saveIntervalMs: extra.saveIntervalMs,
        onPartial: extra.onPartial,
      });
    } finally {
      client.dispose();
    }
  }

  function cacheFileOf(cacheDir: string): string {
    const [name] = readdirSync(join(cacheDir, 'galleries')).filter((n) => n.endsWith('.json'));
    return join(cacheDir, 'galleries', name);
  }

  it('rebuilds, with a log line, when the cache has wrong types, a bogus unit or NaN values', async () => {
    const cacheDir = join(dir, 'cache-bad');
    const first = await build(cacheDir);
    assert.deepEqual([first.computed, first.cache], [12, 'no cache']);
    const file = cacheFileOf(cacheDir);
    const good = readFileSync(file, 'utf8');
    const damages: [string, (e: LooseJson) => void][] = [
      ['skipped: null', (e) => (e.skipped = null)],
      ['a unit index out of the layer', (e) => (e.units[1].unit = 99)],
      ['a NaN patch value', (e) => (e.units[0].patches[0].value = NaN)],
      ['a missing patch box', (e) => delete e.units[0].patches[0].box],
    ];
    for (const [what, damage] of damages) {
      const entry = JSON.parse(good);
      damage(entry);
      writeFileSync(file, JSON.stringify(entry));
      const log: string[] = [];
      const again = await build(cacheDir, { log });
      assert.deepEqual([again.computed, again.fromCache, again.cache], [12, 0, 'no cache'], what);
      assert.deepEqual(again.units, first.units, what);
      assert.ok(
        log.some((l) => l.startsWith(`Gallery cache ${file} is invalid (`)),
        `${what}: ${log.join('\n')}`,
      );
      assert.equal(readFileSync(file, 'utf8'), good, `${what}: the rebuilt cache is saved`);
    }
  });

  it('never mixes engines: a gallery cached from TensorFlow.js is recomputed on ONNX Runtime', async () => {
    const cacheDir = join(dir, 'cache-engines');
    const onWasm = await build(cacheDir);
    assert.deepEqual([onWasm.computed, onWasm.cache], [12, 'no cache']);
    const engineOf = () => JSON.parse(readFileSync(cacheFileOf(cacheDir), 'utf8')).key.engine;
    assert.match(engineOf(), /^tfjs \d+\.\d+\.\d+ wasm$/);
    const native = { ...wasmConfig, engine: 'onnxruntime' as const };
    const onOrt = await build(cacheDir, { config: native });
    assert.deepEqual([onOrt.computed, onOrt.fromCache, onOrt.cache], [12, 0, 'no cache']);
    assert.match(engineOf(), /^onnxruntime \d+\.\d+\.\d+$/);
    const again = await build(cacheDir, { config: native });
    assert.deepEqual([again.computed, again.fromCache, again.cache], [0, 12, 'up to date']);
  });

  it('saves progress during a run, and a run killed after a save resumes from it', async () => {
    const cacheDir = join(dir, 'cache-progress');
    const seen: string[] = [];
    // At each partial result, what is on disk: what a run killed at that moment would leave.
    const full = await build(cacheDir, {
      saveIntervalMs: 0,
      onPartial: () => {
        const galleries = join(cacheDir, 'galleries');
        if (existsSync(galleries)) seen.push(readFileSync(cacheFileOf(cacheDir), 'utf8'));
      },
    });
    assert.equal(full.computed, 12);
    const processedCounts = seen.map((text) => Object.keys(JSON.parse(text).processed).length);
    assert.deepEqual(processedCounts, [3, 6, 9], 'saved after every shard (shards of 3)');

    // The run is "killed" after its second save: only that file is left.
    writeFileSync(cacheFileOf(cacheDir), seen[1]);
    const resumed = await build(cacheDir);
    assert.deepEqual([resumed.fromCache, resumed.computed, resumed.cache], [6, 6, 'new files']);
    assert.deepEqual(resumed.units, full.units, 'the resumed gallery equals the full run');
  });
});
