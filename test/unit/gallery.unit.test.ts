// Pure parts of the gallery: candidates and NMS on hand-made activation maps, the bounded top-k
// against a full sort, crops, the choice of the default layer, and the cache's update plan.
import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import {
  BoundedTopK,
  LayerGalleries,
  comparePatches,
  cropPatch,
  defaultGalleryLayer,
  galleryLayerNames,
  iou,
  localMaxima,
  GALLERY_CACHE_VERSION,
  planGalleryUpdate,
  rankUnits,
  unitCandidates,
  type GalleryCacheEntry,
  type GalleryPatch,
  type Rect,
} from '../../src/analysis/gallery';
import type { LayerReceptiveField } from '../../src/analysis/structure';
import { extractLayerGraph } from '../../src/analysis/structure';
import { describeStructure } from '../../src/analysis/structure/modelStructure';

/** A field of 6 pixels, jump 2, as a 4x4/2 pooling after a 3x3 valid convolution. */
function field(size: number, jump: number, padding: number, out: number): LayerReceptiveField {
  const axis = { size, jump, padding };
  return {
    name: 'l',
    className: 'MaxPooling2D',
    axes: [axis, axis],
    collapsed: false,
    outputSize: [out, out],
    sourceInput: 'input',
    warnings: [],
  };
}

/** An [h, w, 1] map from rows of numbers. */
function map1(rows: number[][]) {
  return { shape: [rows.length, rows[0].length, 1], data: Float32Array.from(rows.flat()) };
}

function patch(value: number, file = 'f', y = 0, x = 0): GalleryPatch {
  return { file, fileHash: file, y, x, value, box: [0, 0, 1, 1], clipped: [0, 0, 1, 1] };
}

describe('gallery: candidates and non-maximum suppression', () => {
  const peaks = map1([
    [0, 0, 0, 0, 0, 0],
    [0, 5, 0, 4, 0, 0],
    [0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 3, 0],
    [0, 0, 0, 0, 0, -1],
  ]);

  it('finds the positive local maxima', () => {
    assert.deepEqual(localMaxima(peaks, 0), [
      { y: 1, x: 1, value: 5 },
      { y: 1, x: 3, value: 4 },
      { y: 4, x: 4, value: 3 },
    ]);
  });

  it('keeps one position of a plateau, and none of a plateau next to a higher value', () => {
    const plateau = map1([
      [2, 2, 0, 0],
      [2, 2, 0, 7],
      [0, 0, 0, 7],
      [0, 0, 6, 0],
    ]);
    // (0,0) is kept for the 2-plateau; (1,3)/(2,3) form a 7-plateau: (1,3) kept; 6 at (3,2) touches 7.
    assert.deepEqual(
      localMaxima(plateau, 0).map((m) => [m.y, m.x]),
      [
        [0, 0],
        [1, 3],
      ],
    );
  });

  it('counts an 8-connected V of equal maxima once, through a 1x1 field', () => {
    // 200 at (0,0), (1,1), (2,2), (1,3), (0,4) of an 8x8 map: one plateau (each touches the next
    // diagonally). Every one of them is >= its neighbours; only the first in row-major order counts.
    const rows = Array.from({ length: 8 }, () => new Array<number>(8).fill(0));
    for (const [y, x] of [
      [0, 0],
      [1, 1],
      [2, 2],
      [1, 3],
      [0, 4],
    ])
      rows[y][x] = 200;
    rows[5][6] = 7; // a separate peak
    const v = map1(rows);
    assert.deepEqual(localMaxima(v, 0), [
      { y: 0, x: 0, value: 200 },
      { y: 5, x: 6, value: 7 },
    ]);
    const pixel = field(1, 1, 0, 8);
    const patches = unitCandidates(v, 0, pixel, 8, 8, { topK: 9, nmsIoU: 0.3 });
    assert.deepEqual(
      patches.map((c) => [c.value, c.box]),
      [
        [200, [0, 0, 1, 1]],
        [7, [5, 6, 6, 7]],
      ],
    );
  });

  it('counts a plateau at its first peak when its first position touches a higher value', () => {
    const plateau = map1([
      [5, 9, 0, 0],
      [5, 0, 0, 0],
      [5, 5, 5, 0],
      [0, 0, 0, 0],
    ]);
    // 9 is a peak; (0,0) and (1,0) touch 9; (2,0) is the plateau's first peak.
    assert.deepEqual(
      localMaxima(plateau, 0).map((m) => [m.y, m.x]),
      [
        [0, 1],
        [2, 0],
      ],
    );
  });

  it('drops a weaker patch overlapping a stronger one beyond the IoU threshold, in strength order', () => {
    const rf = field(6, 2, 0, 6);
    // (1,1) -> [2,2,8,8]; (1,3) -> [2,6,8,12]: overlap 6x2 = 12 of 60 -> IoU 0.2; (4,4) -> [8,8,14,14].
    const loose = unitCandidates(peaks, 0, rf, 16, 16, { topK: 9, nmsIoU: 0.3 });
    assert.deepEqual(
      loose.map((c) => [c.value, c.box]),
      [
        [5, [2, 2, 8, 8]],
        [4, [2, 6, 8, 12]],
        [3, [8, 8, 14, 14]],
      ],
    );
    const strict = unitCandidates(peaks, 0, rf, 16, 16, { topK: 9, nmsIoU: 0.1 });
    assert.deepEqual(
      strict.map((c) => c.value),
      [5, 3],
    );
    assert.deepEqual(
      unitCandidates(peaks, 0, rf, 16, 16, { topK: 1, nmsIoU: 0.3 }).map((c) => c.value),
      [5],
    );
  });

  it('computes IoU of half-open rectangles', () => {
    assert.equal(iou([0, 0, 4, 4], [2, 2, 6, 6]), 4 / 28);
    assert.equal(iou([0, 0, 4, 4], [4, 0, 8, 4]), 0, 'touching edges do not overlap');
    assert.equal(iou([0, 0, 4, 4], null), 0);
  });

  it('ranks units with boxes reaching into the padding, clipped to the image', () => {
    // Two units on a 2x2 map; field 5 wide, jump 4, padding 2 (as a 5x5 'same' conv then a 4-stride).
    const m = { shape: [2, 2, 2], data: Float32Array.from([1, 0, 0, 0, 0, 9, 0, 0]) };
    const rf = field(5, 4, 2, 2);
    assert.deepEqual(rankUnits(m, rf, 8, 8), [
      { unit: 1, max: 9, y: 1, x: 0, box: [2, -2, 7, 3], clipped: [2, 0, 7, 3] },
      { unit: 0, max: 1, y: 0, x: 0, box: [-2, -2, 3, 3], clipped: [0, 0, 3, 3] },
    ]);
  });

  it('rejects maps that are not [h, w, c] or do not match their shape', () => {
    assert.throws(
      () => localMaxima({ shape: [4, 1], data: new Float32Array(4) }, 0),
      /\[h, w, c\]/,
    );
    assert.throws(
      () => localMaxima({ shape: [2, 2, 1], data: new Float32Array(3) }, 0),
      /3 values/,
    );
  });
});

describe('gallery: bounded top-k', () => {
  it('keeps the same k items as sorting everything, whatever the order of arrival', () => {
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const items = Array.from({ length: 500 }, (_, i) =>
      patch(Math.round(random() * 50) / 10, `f${i % 13}`, i % 7, i % 5),
    );
    const expected = [...items].sort(comparePatches).slice(0, 9);
    const heap = new BoundedTopK(9);
    items.forEach((p) => heap.offer(p));
    assert.deepEqual(heap.sorted(), expected);
    assert.equal(heap.size, 9);
    // Two halves merged in the other order give the same galleries.
    const a = new LayerGalleries(1, 9);
    const b = new LayerGalleries(1, 9);
    items.slice(0, 250).forEach((p) => a.offer(0, p));
    items.slice(250).forEach((p) => b.offer(0, p));
    const merged = new LayerGalleries(1, 9);
    merged.merge(b.toGalleries());
    merged.merge(a.toGalleries());
    assert.deepEqual(merged.toGalleries()[0].patches, expected);
  });

  it('breaks ties by file, then row, then column', () => {
    const ordered = [patch(2, 'b'), patch(1, 'a', 3, 0), patch(1, 'b', 0, 0), patch(1, 'b', 0, 1)];
    assert.deepEqual([...ordered].reverse().sort(comparePatches), ordered);
  });

  it('refuses a k that is not a positive integer, and a unit outside the layer', () => {
    assert.throws(() => new BoundedTopK(0), /positive integer/);
    assert.throws(() => new BoundedTopK(2.5), /positive integer/);
    assert.throws(() => new LayerGalleries(2, 3).offer(2, patch(1)), /outside the layer/);
  });
});

describe('gallery: crops', () => {
  // A 4x4 RGBA image whose red channel is 10 * (row * 4 + column).
  const rgba = new Uint8ClampedArray(64);
  for (let p = 0; p < 16; p++) rgba.set([10 * p, 0, 0, 255], p * 4);
  const image = { width: 4, height: 4, rgba };

  it('copies the clipped part exactly when it fits', () => {
    const crop = cropPatch(image, [-1, 1, 2, 4], [0, 1, 2, 4], 8);
    assert.equal(crop.scale, 1);
    assert.deepEqual([crop.width, crop.height], [3, 2]);
    assert.deepEqual(Array.from(crop.rgba.filter((_, i) => i % 4 === 0)), [10, 20, 30, 50, 60, 70]);
  });

  it('averages pixels when the box is larger than maxSide', () => {
    const crop = cropPatch(image, [0, 0, 4, 4], [0, 0, 4, 4], 2);
    assert.equal(crop.scale, 0.5);
    // Top-left 2x2 block: pixels 0, 1, 4, 5 -> mean red 10 * 2.5 = 25.
    assert.deepEqual(Array.from(crop.rgba.filter((_, i) => i % 4 === 0)), [25, 45, 105, 125]);
  });

  it('gives an empty crop for a field in the padding only, and refuses one outside the image', () => {
    assert.equal(cropPatch(image, [-5, -5, -1, -1], null, 8).rgba.length, 0);
    assert.throws(() => cropPatch(image, [0, 0, 5, 5], [0, 0, 5, 5], 8), /outside the 4x4 image/);
  });
});

describe('gallery: default layer', () => {
  let previous: string;
  before(async () => {
    previous = tf.getBackend();
    await tf.setBackend('cpu');
  });
  after(async () => {
    await tf.setBackend(previous);
  });

  function structureOf(layers: tf.layers.Layer[]) {
    const model = tf.sequential({ layers });
    return describeStructure(extractLayerGraph(model));
  }
  const conv = (name: string, inputShape?: number[]) =>
    tf.layers.conv2d({
      name,
      filters: 2,
      kernelSize: 3,
      kernelInitializer: 'zeros',
      ...(inputShape ? { inputShape } : {}),
    });
  const pool = (name: string) => tf.layers.maxPooling2d({ name, poolSize: 2 });

  it('prefers a layer named pool5', () => {
    const s = structureOf([
      conv('c1', [32, 32, 1]),
      pool('pool5'),
      conv('c2'),
      pool('p6'),
      tf.layers.flatten(),
    ]);
    assert.equal(defaultGalleryLayer(s), 'pool5');
  });

  it('else takes the deepest pooling layer with a spatial output', () => {
    const s = structureOf([
      conv('c1', [32, 32, 1]),
      pool('p1'),
      conv('c2'),
      pool('p2'),
      conv('c3'),
      tf.layers.globalAveragePooling2d({ name: 'gap' }),
      tf.layers.dense({ name: 'd', units: 2 }),
    ]);
    assert.equal(defaultGalleryLayer(s), 'p2');
    assert.deepEqual(galleryLayerNames(s), ['c1', 'p1', 'c2', 'p2', 'c3']);
  });

  it('else the last convolution, and nothing for a model without spatial layers', () => {
    assert.equal(
      defaultGalleryLayer(structureOf([conv('c1', [8, 8, 1]), conv('c2'), tf.layers.flatten()])),
      'c2',
    );
    const dense = structureOf([tf.layers.dense({ name: 'd', units: 2, inputShape: [4] })]);
    assert.equal(defaultGalleryLayer(dense), undefined);
  });
});

describe('gallery: cache update plan', () => {
  const gallery = (hashes: string[]) => [
    { unit: 0, patches: hashes.map((h, i) => ({ ...patch(10 - i, `/old/${h}`), fileHash: h })) },
  ];
  const entry = (
    processed: string[],
    top: string[],
    skipped: string[] = [],
  ): GalleryCacheEntry => ({
    version: GALLERY_CACHE_VERSION,
    key: {
      modelFile: 'm',
      exportName: 'default',
      layer: 'l',
      topK: 2,
      nmsIoU: 0.3,
      weightsHash: 'w',
      bundleHash: 'b',
      engine: 'tfjs 4.22.0 wasm',
    },
    processed: Object.fromEntries(processed.map((h) => [h, `/old/${h}`])),
    skipped: Object.fromEntries(skipped.map((h) => [h, { file: `/old/${h}`, reason: 'broken' }])),
    units: gallery(top),
  });
  const files = (hashes: string[]) => hashes.map((h) => ({ path: `/new/${h}`, hash: h }));

  it('processes everything without a cache, each content once', () => {
    const plan = planGalleryUpdate(undefined, [
      ...files(['a', 'b']),
      { path: '/copy/a', hash: 'a' },
    ]);
    assert.equal(plan.why, 'no cache');
    assert.deepEqual(plan.toProcess, files(['a', 'b']));
  });

  it('processes only new contents and renames known files by content', () => {
    const plan = planGalleryUpdate(
      entry(['a', 'b', 'c'], ['a', 'b'], ['x']),
      files(['a', 'b', 'c', 'x', 'd']),
    );
    assert.equal(plan.why, 'new files');
    assert.deepEqual(plan.toProcess, files(['d']));
    assert.deepEqual(
      plan.base[0].patches.map((p) => p.file),
      ['/new/a', '/new/b'],
    );
    assert.deepEqual(
      plan.knownSkipped.map((s) => s.file),
      ['/new/x'],
    );
    assert.equal(planGalleryUpdate(entry(['a'], ['a']), files(['a'])).why, 'up to date');
  });

  it('keeps the cache when removed files held no top place, recomputes when one did', () => {
    const kept = planGalleryUpdate(entry(['a', 'b', 'c'], ['a', 'b']), files(['a', 'b']));
    assert.equal(kept.why, 'up to date');
    assert.deepEqual(kept.toProcess, []);
    const redo = planGalleryUpdate(entry(['a', 'b', 'c'], ['a', 'b']), files(['a', 'c']));
    assert.equal(redo.why, 'removed files held top places');
    assert.deepEqual(redo.toProcess, files(['a', 'c']));
    assert.deepEqual(redo.base, []);
  });
});

// Used by the type checker only: a Rect is four numbers.
export const exampleRect: Rect = [0, 0, 1, 1];
