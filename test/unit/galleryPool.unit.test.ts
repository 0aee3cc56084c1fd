// The folder gallery through the worker pool (the built dist/worker.js): equal to a brute-force
// computation over every activation, cached by weights/code/content, cancellable without leftovers,
// and tolerant of broken files.
import * as assert from 'node:assert/strict';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { WorkerClient } from '../../src/host/workerClient';
import { buildFolderGallery, type FolderGalleryResult } from '../../src/host/folderGallery';
import { GalleryPool } from '../../src/host/galleryPool';
import type { ModelRef, WorkerConfig } from '../../src/protocol/worker/workerProtocol';
import type { GalleryInfo } from '../../src/protocol/worker/galleryProtocol';
import { InspectionSession } from '../../src/analysis/inspectionSession';
import { fileSystemSaveHandler } from '../../src/analysis/model/fileSystemIO';
import { InspectorError } from '../../src/analysis/errors';
import { ensureBuilt, repoRoot } from './helpers/build';
import { testRuntime } from './helpers/runtime';
import { writeEdgeImages } from './helpers/edgeImages';
import edges from '../fixtures/gallery/edges';

const fashion = join(repoRoot, 'examples', 'images', 'fashion-mnist');
const lenet: ModelRef = { file: join(repoRoot, 'examples', 'lenet.ts') };
const config: WorkerConfig = { backend: 'wasm', searchDirs: [], maxImageMegapixels: 100 };
const workerOptions = { workerScript: join(repoRoot, 'dist', 'worker.js'), memoryLimitMb: 1024 };
const LONG = 120_000;

async function build(
  model: ModelRef,
  folder: string,
  extra: { cacheDir?: string; topK?: number; workers?: number; signal?: AbortSignal } = {},
  onProgress?: () => void,
): Promise<FolderGalleryResult> {
  const client = new WorkerClient(workerOptions); // fresh: sees weights written since the last run
  try {
    const info = await client.request({ type: 'galleryInfo', config, model }, { timeoutMs: LONG });
    return await buildFolderGallery({
      folder,
      cacheDir: extra.cacheDir,
      info,
      model,
      exportName: model.exportName ?? 'default',
      config,
      options: { topK: extra.topK ?? 9, nmsIoU: 0.3 },
      timeoutMs: LONG,
      pool: { ...workerOptions, workers: extra.workers ?? 2 },
      signal: extra.signal,
      onProgress,
    });
  } finally {
    client.dispose();
  }
}

/** Threads of this process (Linux): worker threads show up here while they live. */
function threadCount(): number {
  return readdirSync('/proc/self/task').length;
}

interface Brute {
  file: string;
  y: number;
  x: number;
  value: number;
  box: number[];
}

/**
 * Every positive local maximum of every channel of LeNet's pool2 (5x5x16), with its field worked out
 * by hand: conv1 5x5 'same' (pad 2), pool1 2/2, conv2 5x5 'valid', pool2 2/2 give size 16, jump 4,
 * padding 2, so cell (y, x) sees rows 4y-2 .. 4y+13. Per image and unit, greedy suppression by IoU
 * counted pixel by pixel; then one global sort.
 */
function bruteForce(maps: Map<string, Float32Array>, topK: number, nms: number): Brute[][] {
  const size = 5;
  const units = 16;
  const clip = (v: number) => Math.min(28, Math.max(0, v));
  const pixels = (b: number[]) => {
    const set = new Set<number>();
    for (let y = clip(b[0]); y < clip(b[2]); y++)
      for (let x = clip(b[1]); x < clip(b[3]); x++) set.add(y * 28 + x);
    return set;
  };
  const overlap = (a: Set<number>, b: Set<number>) => {
    let inter = 0;
    for (const p of a) if (b.has(p)) inter++;
    return inter / (a.size + b.size - inter);
  };
  const all: Brute[][] = Array.from({ length: units }, () => []);
  for (const [file, data] of maps) {
    const at = (y: number, x: number, u: number) => data[(y * size + x) * units + u];
    for (let u = 0; u < units; u++) {
      const isPeak = (y: number, x: number) => {
        const v = at(y, x, u);
        if (v <= 0) return false;
        for (let ny = y - 1; ny <= y + 1; ny++)
          for (let nx = x - 1; nx <= x + 1; nx++)
            if (ny >= 0 && nx >= 0 && ny < size && nx < size && at(ny, nx, u) > v) return false;
        return true;
      };
      // A plateau counts once: union-find over 8-neighbours of equal value, then each component's
      // first peak in row-major order.
      const parent = Array.from({ length: size * size }, (_, i) => i);
      const root = (i: number): number => (parent[i] === i ? i : (parent[i] = root(parent[i])));
      for (let y = 0; y < size; y++)
        for (let x = 0; x < size; x++)
          for (const [dy, dx] of [
            [0, 1],
            [1, -1],
            [1, 0],
            [1, 1],
          ]) {
            const ny = y + dy;
            const nx = x + dx;
            if (ny < size && nx >= 0 && nx < size && at(ny, nx, u) === at(y, x, u))
              parent[root(ny * size + nx)] = root(y * size + x);
          }
      const counted = new Set<number>();
      const peaks: Brute[] = [];
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          if (!isPeak(y, x) || counted.has(root(y * size + x))) continue;
          counted.add(root(y * size + x));
          peaks.push({
            file,
            y,
            x,
            value: at(y, x, u),
            box: [4 * y - 2, 4 * x - 2, 4 * y + 14, 4 * x + 14],
          });
        }
      }
      peaks.sort((a, b) => b.value - a.value || a.y - b.y || a.x - b.x);
      const kept: Brute[] = [];
      for (const p of peaks) {
        if (kept.every((k) => overlap(pixels(k.box), pixels(p.box)) <= nms)) kept.push(p);
      }
      all[u].push(...kept.slice(0, topK));
    }
  }
  return all.map((list) =>
    list
      .sort(
        (a, b) =>
          b.value - a.value ||
          (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
          a.y - b.y ||
          a.x - b.x,
      )
      .slice(0, topK),
  );
}

describe('folder gallery through the worker pool', function () {
  this.timeout(300_000);
  let dir: string;
  before(() => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'gallery-pool-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('equals a brute-force top-k over every activation of LeNet pool2 on the 300 sample images', async () => {
    const pooled = await build(lenet, fashion, { workers: 2 });
    assert.equal(pooled.imageCount, 300);
    assert.equal(pooled.layer, 'pool2', 'the default layer is the last pooling layer');
    const runtime = await testRuntime();
    await runtime.tf.setBackend('wasm'); // the workers' backend (other tests may switch to cpu)
    const session = await InspectionSession.open(runtime, lenet.file, undefined);
    const maps = new Map<string, Float32Array>();
    try {
      for (const name of readdirSync(fashion)
        .filter((f) => f.endsWith('.png'))
        .sort()) {
        await session.runInput(join(fashion, name));
        maps.set(join(fashion, name), session.layer('pool2').data.slice());
      }
    } finally {
      session.dispose();
    }
    const expected = bruteForce(maps, 9, 0.3);
    for (let u = 0; u < 16; u++) {
      assert.deepEqual(
        pooled.units[u].patches.map((p) => ({
          file: p.file,
          y: p.y,
          x: p.x,
          value: p.value,
          box: p.box,
        })),
        expected[u],
        `unit ${u}`,
      );
    }
    assert.ok(
      expected.every((list) => list.length === 9),
      'every unit has 9 patches',
    );
  });

  /** A folder of the first 40 sample pictures. */
  function subset(): string {
    const folder = join(dir, 'subset');
    const names = readdirSync(fashion)
      .filter((f) => f.endsWith('.png'))
      .slice(0, 40);
    rmSync(folder, { recursive: true, force: true });
    mkdirSync(folder);
    for (const n of names) copyFileSync(join(fashion, n), join(folder, n));
    return folder;
  }

  it('gives the same galleries with 1 worker as with 2', async () => {
    const folder = subset();
    const one = await build(lenet, folder, { workers: 1 });
    const two = await build(lenet, folder, { workers: 2 });
    assert.deepEqual(one.units, two.units);
  });

  it('runs on the worker that answered galleryInfo on ONNX Runtime (the model loaded once), and leaves it running', async () => {
    const folder = subset();
    const native: WorkerConfig = { ...config, engine: 'onnxruntime' };
    const warm = new WorkerClient(workerOptions);
    const steps: string[] = [];
    const onProgress = (step: string) => steps.push(step);
    const gallery = (info: GalleryInfo, workers: number, lend: boolean, onPartial?: () => void) =>
      buildFolderGallery({
        folder,
        info,
        model: lenet,
        exportName: 'default',
        config: native,
        options: { topK: 9, nmsIoU: 0.3 },
        timeoutMs: LONG,
        pool: { ...workerOptions, workers },
        ...(lend ? { warmWorker: warm } : {}),
        onPartial,
      });
    try {
      const info = await warm.request(
        { type: 'galleryInfo', config: native, model: lenet },
        { timeoutMs: LONG, onProgress },
      );
      assert.equal(info.backend, 'onnxruntime');
      assert.equal(steps.filter((s) => s.startsWith('Building the model')).length, 1);
      const reference = await gallery(info, 1, false);
      const baseline = threadCount();
      for (const workers of [1, 2]) {
        const threads: number[] = []; // this process's threads at each shard
        const result = await gallery(info, workers, true, () => threads.push(threadCount()));
        assert.deepEqual(result.units, reference.units, `${workers} workers`);
        assert.ok(warm.running, "the lent worker is the caller's: not stopped");
        const added = Math.max(...threads) - baseline;
        if (workers === 1) assert.equal(added, 0, 'one worker: the lent one, no thread started');
        else assert.ok(added >= 1, `two workers: one started (${added} threads more)`);
      }
    } finally {
      warm.dispose();
    }
  });

  it('reuses the cache, processes only added files, and recomputes for new weights or code', async () => {
    const modelDir = join(dir, 'model');
    const images = join(dir, 'edges-images');
    const cacheDir = join(dir, 'cache');
    mkdirSync(modelDir, { recursive: true });
    copyFileSync(
      join(repoRoot, 'test', 'fixtures', 'gallery', 'edges.ts'),
      join(modelDir, 'edges.ts'),
    );
    const model: ModelRef = { file: join(modelDir, 'edges.ts'), exportName: 'fromFile' };
    const saveWeights = async (scale: number) => {
      const previous = tf.getBackend();
      await tf.setBackend('cpu');
      const m = edges();
      tf.tidy(() => m.setWeights(m.getWeights().map((w) => w.mul(scale))));
      await m.save(fileSystemSaveHandler(join(modelDir, 'edges-weights')));
      m.dispose();
      await tf.setBackend(previous);
    };
    await saveWeights(1);
    writeEdgeImages(images);

    const first = await build(model, images, { cacheDir, topK: 3 });
    assert.deepEqual([first.fromCache, first.computed, first.cache], [0, 3, 'no cache']);
    assert.equal(first.units[0].patches[0].value, 3, 'a.png, unit 0: 3 by hand');

    const again = await build(model, images, { cacheDir, topK: 3 });
    assert.deepEqual([again.fromCache, again.computed, again.cache], [3, 0, 'up to date']);
    assert.deepEqual(again.units, first.units);

    writeEdgeImages(images, { 'e.png': [{ dir: 'v', at: 7, from: 8, to: 10, value: 255 }] });
    const added = await build(model, images, { cacheDir, topK: 3 });
    assert.deepEqual([added.fromCache, added.computed, added.cache], [3, 1, 'new files']);
    const fresh = await build(model, images, { topK: 3 });
    assert.deepEqual(added.units, fresh.units, 'cache + new file = a run from scratch');

    await saveWeights(2);
    const reweighted = await build(model, images, { cacheDir, topK: 3 });
    assert.deepEqual([reweighted.fromCache, reweighted.computed], [0, 4], 'new weights: all again');
    assert.equal(reweighted.units[0].patches[0].value, 6, 'doubled weights double the activation');

    writeFileSync(model.file, `${readFileSync(model.file, 'utf8')}\nexport const version = 2;\n`);
    const recoded = await build(model, images, { cacheDir, topK: 3 });
    assert.deepEqual([recoded.fromCache, recoded.computed], [0, 4], 'new code: all again');
  });

  it('skips and lists a broken image and an empty file, never failing the run', async () => {
    const folder = join(dir, 'with-broken');
    writeEdgeImages(folder);
    writeFileSync(join(folder, 'broken.png'), Buffer.from('\x89PNG\r\n\x1a\nnot really'));
    writeFileSync(join(folder, 'empty.jpg'), Buffer.alloc(0));
    const result = await build(
      { file: join(repoRoot, 'test', 'fixtures', 'gallery', 'edges.ts') },
      folder,
      { topK: 3 },
    );
    assert.equal(result.imageCount, 3);
    assert.deepEqual(result.skipped.map((s) => s.file.split('/').pop()).sort(), [
      'broken.png',
      'empty.jpg',
    ]);
    assert.ok(result.skipped.every((s) => s.reason.length > 0));
  });

  it('cancels: every worker thread exits and the run rejects as cancelled', async () => {
    // Threads of earlier tests' workers may still be leaving: wait for a count that holds still.
    const settle = async () => {
      let last = threadCount();
      for (let same = 0, i = 0; same < 5 && i < 100; i++) {
        await new Promise((r) => setTimeout(r, 100));
        const now = threadCount();
        same = now === last ? same + 1 : 0;
        last = now;
      }
      return last;
    };
    const controller = new AbortController();
    const client = new WorkerClient(workerOptions);
    const info = await client.request(
      { type: 'galleryInfo', config, model: lenet },
      { timeoutMs: LONG },
    );
    client.dispose();
    await client.whenStopped();
    const baseline = await settle();
    const pool = new GalleryPool({ ...workerOptions, workers: 2 });
    const files = readdirSync(fashion).map((f) => ({ path: join(fashion, f), hash: f }));
    let progressed = 0;
    let threadsWhileRunning = 0;
    const run = pool.run({
      config,
      model: lenet,
      layer: info.layer,
      files: [...files, ...files, ...files],
      options: { topK: 9, nmsIoU: 0.3 },
      timeoutMs: LONG,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.done > 0 && ++progressed === 1) {
          threadsWhileRunning = threadCount();
          controller.abort();
        }
      },
    });
    await assert.rejects(
      run,
      (e: unknown) => e instanceof InspectorError && e.kind === 'cancelled',
    );
    assert.equal(pool.liveWorkers, 0);
    assert.ok(
      threadsWhileRunning >= baseline + 2,
      `2 worker threads ran (${threadsWhileRunning} vs ${baseline})`,
    );
    assert.equal(await settle(), baseline, 'no worker thread left behind');
  });
});
