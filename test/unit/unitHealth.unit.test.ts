// Unit health in the gallery pass, on test/fixtures/gallery/unitHealth.ts: a 1x1 convolution
// whose units are dead (unit 1), constant and always on (unit 2), always on (unit 3) or on where
// the pixel is not black (unit 0), by construction. Expected figures are worked out below from
// the three 4x4 images, with Math.fround standing for the model's float32 arithmetic.
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  UnitStatsAccumulator,
  histogramBinLabels,
  isAlwaysOnUnit,
  isDeadUnit,
  type UnitStats,
} from '../../src/analysis/gallery/unitStats';
import { ensureBuilt } from './helpers/build';
import { greyPng } from './helpers/imageBytes';
import { SAME_MACHINE, runAll, runCli } from './helpers/galleryCli';

const model = join(__dirname, '..', 'fixtures', 'gallery', 'unitHealth.ts');
const bin = (label: string) => histogramBinLabels().indexOf(label);

/** A histogram with `counts` at the labelled bins, zero elsewhere. */
function histogram(counts: Record<string, number>): number[] {
  const h = new Array(histogramBinLabels().length).fill(0);
  for (const [label, n] of Object.entries(counts)) {
    assert.ok(bin(label) >= 0, label);
    h[bin(label)] = n;
  }
  return h;
}

describe('unit statistics', () => {
  it('bin by powers of two, with negatives and zeros apart, exact at the edges', () => {
    const stats = new UnitStatsAccumulator(1);
    const values = [-3, 0, 2 ** -9, 2 ** -8, 0.24999999, 0.25, 1, 255.9, 256, 1e30];
    stats.addImage({ shape: [1, values.length, 1], data: Float32Array.from(values) });
    const [s] = stats.toStats();
    assert.deepEqual(
      s.histogram,
      histogram({
        '<0': 1,
        '0': 1,
        '(0,2^-8)': 1,
        '[2^-8,2^-7)': 1,
        '[2^-3,2^-2)': 1, // 0.24999999 is just below 2^-2 in float32 too
        '[2^-2,2^-1)': 1,
        '[2^0,2^1)': 1,
        '[2^7,2^8)': 1,
        '[2^8,inf)': 2,
      }),
    );
    assert.equal(s.min, -3);
    assert.equal(s.max, Math.fround(1e30));
    assert.equal(s.positionsPositive, 8);
  });

  it('refuse a NaN activation instead of reporting nonsense', () => {
    const stats = new UnitStatsAccumulator(2);
    assert.throws(
      () => stats.addImage({ shape: [1, 1, 2], data: Float32Array.from([1, NaN]) }),
      /unit 1 has a NaN or infinite activation/,
    );
  });
});

describe('unit statistics of a dataset pass (hand-set model)', function () {
  this.timeout(300_000);
  let dir: string;
  let images: string;
  before(() => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'unit-health-'));
    images = join(dir, 'images');
    mkdirSync(images);
    const dot = new Array(16).fill(0);
    dot[1 * 4 + 2] = 255; // one white pixel at (1, 2)
    const half = [...new Array(8).fill(51), ...new Array(8).fill(0)]; // top two rows 51 = 0.2 * 255
    writeFileSync(join(images, 'black.png'), greyPng(4, 4, new Array(16).fill(0)));
    writeFileSync(join(images, 'dot.png'), greyPng(4, 4, dot));
    writeFileSync(join(images, 'half.png'), greyPng(4, 4, half));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('finds the dead unit, the always-on units and their exact statistics', async () => {
    const out = join(dir, 'gallery.json');
    const run = await runCli([
      'gallery',
      model,
      '--folder',
      images,
      '--layer',
      'units',
      '--out',
      out,
      ...SAME_MACHINE,
    ]);
    assert.equal(run.code, 0, run.stderr);
    const stats: UnitStats[] = JSON.parse(readFileSync(out, 'utf8')).unitStats;
    const p = Math.fround(0.2); // 51 / 255 in float32
    const onePlusP = Math.fround(1 + p); // unit 3 on a 51 pixel, rounded to float32 by the model
    const common = { images: 3, positions: 48 };
    // Unit 0: relu(p). Black: 16 zeros; dot: 15 zeros and one 1; half: 8 zeros and 8 p.
    assert.deepEqual(stats[0], {
      unit: 0,
      ...common,
      imagesPositive: 2,
      positionsPositive: 9,
      mean: (1 + 8 * p) / 48,
      sum: stats[0].sum,
      min: 0,
      max: 1,
      histogram: histogram({ '0': 39, '[2^-3,2^-2)': 8, '[2^0,2^1)': 1 }),
    });
    // Unit 1: relu(-p - 0.5) = 0 everywhere: dead.
    assert.deepEqual(stats[1], {
      unit: 1,
      ...common,
      imagesPositive: 0,
      positionsPositive: 0,
      mean: 0,
      sum: '0',
      min: 0,
      max: 0,
      histogram: histogram({ '0': 48 }),
    });
    // Unit 2: 0.25 everywhere.
    assert.deepEqual(stats[2], {
      unit: 2,
      ...common,
      imagesPositive: 3,
      positionsPositive: 48,
      mean: 0.25,
      sum: '3p2', // 48 * 0.25 = 12 = 3 * 2^2
      min: 0.25,
      max: 0.25,
      histogram: histogram({ '[2^-2,2^-1)': 48 }),
    });
    // Unit 3: 1 + p: 1 on black pixels, 2 on the white one, 1 + p on the eight 51 pixels.
    assert.deepEqual(stats[3], {
      unit: 3,
      ...common,
      imagesPositive: 3,
      positionsPositive: 48,
      mean: (39 * 1 + 2 + 8 * onePlusP) / 48,
      sum: stats[3].sum,
      min: 1,
      max: 2,
      histogram: histogram({ '[2^0,2^1)': 47, '[2^1,2^2)': 1 }),
    });
    assert.deepEqual(
      stats.map((s) => [isDeadUnit(s), isAlwaysOnUnit(s)]),
      [
        [false, false],
        [true, false],
        [false, true],
        [false, true],
      ],
    );
  });

  it('merges the statistics of shards into the same numbers', async () => {
    const parts = [0, 1, 2].map((i) => join(dir, `part-${i}.json`));
    const runs = await runAll(
      parts.map(
        (out, i) => () =>
          runCli([
            'gallery',
            model,
            '--folder',
            images,
            '--layer',
            'units',
            '--shard',
            `${i}/3`,
            '--out',
            out,
            ...SAME_MACHINE,
          ]),
      ),
    );
    runs.forEach((r) => assert.equal(r.code, 0, r.stderr));
    // One image per shard: shard 1 is dot.png, whose unit 0 is positive at one position only.
    const dotPart = JSON.parse(readFileSync(parts[1], 'utf8'));
    assert.deepEqual(
      dotPart.files.map((f: { path: string }) => f.path),
      ['dot.png'],
    );
    assert.equal(dotPart.unitStats[0].positionsPositive, 1);
    const merged = join(dir, 'merged.json');
    const merge = await runCli(['merge', ...parts, '--out', merged]);
    assert.equal(merge.code, 0, merge.stderr);
    assert.deepEqual(
      JSON.parse(readFileSync(merged, 'utf8')).unitStats,
      JSON.parse(readFileSync(join(dir, 'gallery.json'), 'utf8')).unitStats,
    );
  });
});
