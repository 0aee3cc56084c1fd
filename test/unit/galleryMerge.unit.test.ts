// The pure pieces of sharded dataset passes: exact sums (checked against Python's math.fsum,
// which is correctly rounded), the shard slices, and merge's refusals of parts that do not belong
// together.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { ExactSum } from '../../src/analysis/gallery/exactSum';
import {
  GALLERY_FILE_SCHEMA,
  PART_KIND,
  mergeBodies,
  parseShard,
  shardRange,
  type GalleryPart,
  type GalleryRunKey,
} from '../../src/analysis/gallery/galleryFile';
import { mergeParts, parsePart } from '../../src/analysis/gallery/mergeParts';
import { InspectorError } from '../../src/analysis/errors';

function sumOf(values: readonly number[]): ExactSum {
  const sum = new ExactSum();
  for (const v of values) sum.add(v);
  return sum;
}

/** Seeded doubles of every magnitude from 1e-300 to 1e300, both signs, some subnormal. */
function wildDoubles(count: number): number[] {
  let seed = 987654321;
  const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  return Array.from({ length: count }, (_, i) => {
    if (i % 17 === 0) return (random() < 0.5 ? -1 : 1) * 2 ** -1074 * Math.floor(random() * 1000);
    return (random() - 0.5) * 10 ** Math.round((random() - 0.5) * 600);
  });
}

describe('exact sums', () => {
  it('do not lose what float addition loses', () => {
    assert.equal(1e16 + 1 - 1e16, 0); // the naive sum
    assert.equal(sumOf([1e16, 1, -1e16]).toNumber(), 1);
    assert.equal(sumOf([0.1, 0.2, 0.3]).toNumber(), 0.6); // math.fsum: 0.6; naive: 0.6000000000000001
    assert.equal(sumOf([]).toNumber(), 0);
    assert.equal(sumOf([2 ** -1074, -(2 ** -1074)]).toString(), '0');
  });

  it('are the same whatever the order and grouping, and round like math.fsum', () => {
    const values = wildDoubles(400);
    const whole = sumOf(values);
    const reversed = sumOf([...values].reverse());
    const grouped = new ExactSum();
    for (let i = 0; i < values.length; i += 37) grouped.addSum(sumOf(values.slice(i, i + 37)));
    assert.equal(reversed.toString(), whole.toString());
    assert.equal(grouped.toString(), whole.toString());
    assert.equal(ExactSum.parse(whole.toString()).toString(), whole.toString());
    const python = spawnSync(
      '/usr/bin/python3',
      ['-c', 'import json, math, sys; print(repr(math.fsum(json.load(sys.stdin))))'],
      { input: JSON.stringify(values), encoding: 'utf8' },
    );
    assert.equal(python.status, 0, python.stderr);
    assert.equal(whole.toNumber(), Number(python.stdout.trim()));
    const naive = values.reduce((a, b) => a + b, 0);
    const naiveReversed = [...values].reverse().reduce((a, b) => a + b, 0);
    assert.notEqual(naive, naiveReversed, 'the data should defeat plain float addition');
  });

  it('refuse NaN, infinities and malformed text', () => {
    assert.throws(() => new ExactSum().add(NaN), /NaN/);
    assert.throws(() => new ExactSum().add(Infinity), /Infinity/);
    assert.throws(() => ExactSum.parse('1.5'), /not an exact sum/);
    assert.throws(() => ExactSum.parse('1p99999'), /out of range/);
  });
});

describe('shard slices', () => {
  it('cover the sorted files exactly once, in order, sizes differing by at most one', () => {
    for (const files of [0, 1, 5, 300, 301]) {
      for (const count of [1, 2, 3, 7, 8]) {
        const ranges = Array.from({ length: count }, (_, i) => shardRange(files, i, count));
        assert.equal(ranges[0][0], 0);
        assert.equal(ranges[count - 1][1], files);
        for (let i = 1; i < count; i++) assert.equal(ranges[i][0], ranges[i - 1][1]);
        const sizes = ranges.map(([a, b]) => b - a);
        assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `${files}/${count}: ${sizes}`);
      }
    }
    assert.deepEqual(shardRange(300, 2, 7), [85, 128]);
  });

  it('parse i/n and refuse anything else', () => {
    assert.deepEqual(parseShard('3/8'), { index: 3, count: 8 });
    for (const bad of ['8/8', '1/0', '-1/4', '1', 'a/b', '1/2/3', '1.5/4'])
      assert.throws(() => parseShard(bad), /--shard must be i\/n/, bad);
  });
});

const KEY: GalleryRunKey = {
  tool: 'cnn-inspector 0.1.0',
  model: { file: 'm.ts', exportName: 'default', weightsHash: 'w1', codeHash: 'c1' },
  backend: 'wasm',
  layer: 'pool',
  units: 1,
  inputSize: [16, 16],
  topK: 2,
  nmsIoU: 0.3,
  folder: { fileCount: 3, listHash: 'h' },
};

function part(index: number, count: number, overrides: Partial<GalleryRunKey> = {}): GalleryPart {
  const [start, end] = shardRange(3, index, count);
  const files = ['a.png', 'b.png', 'c.png'].slice(start, end);
  const body = mergeBodies(KEY, []);
  body.galleries = [
    {
      unit: 0,
      patches: files.map((file, i) => ({
        file,
        fileHash: file,
        y: 0,
        x: i,
        value: 1,
        box: [0, 0, 2, 2],
        clipped: [0, 0, 2, 2],
      })),
    },
  ];
  body.imageCount = files.length;
  return {
    kind: PART_KIND,
    schemaVersion: GALLERY_FILE_SCHEMA,
    shard: { index, count },
    ...KEY,
    ...overrides,
    files: files.map((path) => ({ path, hash: path })),
    ...body,
  };
}

function refusal(parts: { name: string; part: GalleryPart }[]): string {
  try {
    mergeParts(parts);
  } catch (error) {
    assert.ok(error instanceof InspectorError);
    return error.message;
  }
  assert.fail('merge accepted the parts');
}

describe('merging parts', () => {
  it('keeps the top-k with ties broken by file, whatever the order of the parts', () => {
    const parts = [part(1, 2), part(0, 2)].map((p, i) => ({ name: `p${i}`, part: p }));
    const merged = mergeParts(parts);
    // Equal values: a.png then b.png (file order), c.png is third and drops out of the top 2.
    assert.deepEqual(
      merged.galleries[0].patches.map((p) => p.file),
      ['a.png', 'b.png'],
    );
    assert.equal(merged.imageCount, 3);
    assert.deepEqual(mergeParts([...parts].reverse()), merged);
  });

  it('refuses parts of another model, weights, layer or top-k, naming the field', () => {
    const good = { name: 'part-0.json', part: part(0, 2) };
    const cases: [Partial<GalleryRunKey>, RegExp][] = [
      [{ model: { ...KEY.model, weightsHash: 'w2' } }, /model\.weightsHash is 'w2' there, 'w1'/],
      [{ model: { ...KEY.model, codeHash: 'c2' } }, /model\.codeHash/],
      [{ layer: 'conv' }, /layer is 'conv' there, 'pool' in part-0\.json/],
      [{ topK: 9 }, /topK is 9 there, 2/],
      [{ backend: 'cpu' }, /backend is 'cpu'/],
      [{ folder: { fileCount: 3, listHash: 'other' } }, /folder\.listHash/],
    ];
    for (const [overrides, message] of cases) {
      const text = refusal([good, { name: 'part-1.json', part: part(1, 2, overrides) }]);
      assert.match(text, /^part-1\.json does not belong with part-0\.json: /);
      assert.match(text, message);
    }
  });

  it('refuses missing, repeated and differently split shards', () => {
    assert.match(refusal([{ name: 'a', part: part(0, 3) }]), /missing shards 1\/3, 2\/3/);
    assert.match(
      refusal([
        { name: 'a', part: part(0, 2) },
        { name: 'b', part: part(0, 2) },
      ]),
      /b and a are both shard 0\/2/,
    );
    assert.match(
      refusal([
        { name: 'a', part: part(0, 2) },
        { name: 'b', part: part(1, 3) },
      ]),
      /b does not belong with a: it is shard 1\/3, a is one of 2 shards/,
    );
  });

  it('refuses files that are not parts, naming the file', () => {
    assert.throws(() => parsePart('x.json', '{'), /^InspectorError: x\.json: not JSON/);
    assert.throws(
      () => parsePart('x.json', '{"kind":"cnn-inspector-gallery"}'),
      /not a gallery part/,
    );
    const broken = { ...part(0, 1), unitStats: [] };
    assert.throws(
      () => parsePart('x.json', JSON.stringify(broken)),
      /x\.json: "unitStats" must list the layer's 1 units/,
    );
  });
});
