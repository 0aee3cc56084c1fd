/**
 * Folder galleries on the native engine (ONNX Runtime): the same top-k patches per unit as on
 * TensorFlow.js (same files, same positions, values to 1e-4 of the layer's largest value), for a
 * layers model and through the CLI's `gallery --engine`, whose JSON says which engine ran.
 */
import * as assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InspectionSession } from '../../src/analysis/inspectionSession';
import { processImages } from '../../src/analysis/gallery/processImages';
import type { EnginePreference } from '../../src/analysis/engines/chooseEngine';
import type { FolderImage, UnitGallery } from '../../src/analysis/gallery/types';
import { testRuntime } from './helpers/runtime';
import { ensureBuilt, repoRoot } from './helpers/build';
import { runCli } from './helpers/galleryCli';

const examples = join(repoRoot, 'examples');
const fashion = join(examples, 'images', 'fashion-mnist');
const photos = join(examples, 'images');
const TOLERANCE = 1e-4;

/**
 * Differences between two galleries of the same layer. A rank may hold another patch only where
 * the reference's neighbouring ranks tie within the tolerance (then either order is right).
 */
function galleryDifferences(expected: UnitGallery[], actual: UnitGallery[]): string[] {
  const scale = Math.max(...expected.flatMap((u) => u.patches.map((p) => Math.abs(p.value))), 1e-6);
  const near = (a: number, b: number) => Math.abs(a - b) <= TOLERANCE * scale;
  const differences: string[] = [];
  assert.equal(actual.length, expected.length, 'unit count');
  expected.forEach((unit, u) => {
    const got = actual[u].patches;
    if (got.length !== unit.patches.length) {
      differences.push(`unit ${u}: ${got.length} patches, expected ${unit.patches.length}`);
      return;
    }
    unit.patches.forEach((want, rank) => {
      const have = got[rank];
      if (!near(want.value, have.value)) {
        differences.push(`unit ${u} rank ${rank}: value ${have.value}, expected ${want.value}`);
      }
      const same = want.file === have.file && want.y === have.y && want.x === have.x;
      const tied = [rank - 1, rank + 1].some(
        (r) => unit.patches[r] && near(unit.patches[r].value, want.value),
      );
      if (!same && !tied) {
        differences.push(
          `unit ${u} rank ${rank}: ${have.file}@${have.y},${have.x}, expected ${want.file}@${want.y},${want.x}`,
        );
      }
    });
  });
  return differences;
}

async function galleryOn(
  engine: EnginePreference,
  model: string,
  layer: string,
  files: FolderImage[],
  batch = 1,
): Promise<UnitGallery[]> {
  const session = await InspectionSession.open(await testRuntime(), model, undefined, () => {}, {
    engine,
    threads: 1,
  });
  try {
    assert.equal(session.backend, engine === 'onnxruntime' ? 'onnxruntime' : 'wasm');
    const shard = await processImages(session, layer, files, { topK: 4, nmsIoU: 0.3, batch });
    assert.deepEqual(shard.skipped, []);
    return shard.units;
  } finally {
    session.dispose();
  }
}

const folderImages = (dir: string, names: string[]): FolderImage[] =>
  names.map((name) => ({ path: join(dir, name), hash: name }));

describe('folder galleries on the native engine', function () {
  this.timeout(240_000);

  it('LeNet pool2 over 24 images: the same top-k per unit as TensorFlow.js', async () => {
    const files = folderImages(fashion, readdirSync(fashion).sort().slice(0, 24));
    const model = join(examples, 'lenet.ts');
    const reference = await galleryOn('tfjs', model, 'pool2', files);
    const native = await galleryOn('onnxruntime', model, 'pool2', files);
    assert.deepEqual(galleryDifferences(reference, native), []);
  });

  it('LeNet pool2 in batches of 4 and 16 (one ONNX Runtime call each): the same top-k as TensorFlow.js', async () => {
    // 23 images: the last batch is short (3, then 7).
    const files = folderImages(fashion, readdirSync(fashion).sort().slice(0, 23));
    const model = join(examples, 'lenet.ts');
    const reference = await galleryOn('tfjs', model, 'pool2', files);
    for (const batch of [4, 16]) {
      const native = await galleryOn('onnxruntime', model, 'pool2', files, batch);
      assert.deepEqual(galleryDifferences(reference, native), [], `batch ${batch}`);
    }
  });

  it('cifar10net at 32x32 over the example photos: the same top-k per unit', async () => {
    const names = readdirSync(photos).filter((n) => n.endsWith('.png'));
    assert.ok(names.length >= 5);
    const files = folderImages(photos, names.sort());
    const model = join(examples, 'cifar10net.ts');
    const layer = 'pool2';
    const reference = await galleryOn('tfjs', model, layer, files);
    const native = await galleryOn('onnxruntime', model, layer, files);
    assert.deepEqual(galleryDifferences(reference, native), []);
  });

  it('the CLI gallery runs on the engine asked for, says so in the JSON, and agrees', async () => {
    ensureBuilt();
    const dir = mkdtempSync(join(tmpdir(), 'native-gallery-'));
    try {
      const folder = join(dir, 'images');
      mkdirSync(folder);
      for (const name of readdirSync(fashion).sort().slice(0, 12)) {
        copyFileSync(join(fashion, name), join(folder, name));
      }
      const model = join(examples, 'lenet.ts');
      const run = async (engine: string) => {
        const out = join(dir, `${engine}.json`);
        const result = await runCli([
          'gallery',
          model,
          '--folder',
          folder,
          '--out',
          out,
          '--engine',
          engine,
          '--workers',
          '1',
          '--top-k',
          '3',
        ]);
        assert.equal(result.code, 0, result.stderr);
        return { gallery: JSON.parse(readFileSync(out, 'utf8')), stderr: result.stderr };
      };
      const native = await run('onnxruntime');
      const tfjs = await run('tfjs');
      assert.equal(native.gallery.backend, 'onnxruntime');
      assert.match(native.stderr, /layer pool2 on onnxruntime/);
      assert.equal(tfjs.gallery.backend, 'wasm');
      assert.deepEqual(galleryDifferences(tfjs.gallery.galleries, native.gallery.galleries), []);
      const bad = await runCli([
        'gallery',
        model,
        '--folder',
        folder,
        '--out',
        join(dir, 'x.json'),
        '--engine',
        'gpu',
      ]);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /unknown engine 'gpu'/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
