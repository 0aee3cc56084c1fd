// The structure fields of the CLI's JSON report and HTML report, through the real worker, for
// the 4x4 "tiny" fixture whose numbers are worked out by hand below.
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './helpers/build';
import { greyPng } from './helpers/imageBytes';

const models = join(__dirname, '..', 'fixtures', 'models');
const dir = mkdtempSync(join(tmpdir(), 'cnn-cli-structure-'));

describe('command-line report: structure', function () {
  this.timeout(120_000);
  const ramp = join(dir, 'ramp.png');
  const json = join(dir, 'report.json');
  const html = join(dir, 'report.html');
  let report: {
    schemaVersion: number;
    layers: Record<string, unknown>[];
    totals: Record<string, unknown>;
  };

  before(() => {
    // Always rebuild: these tests are about code that changes, and a stale dist would hide it.
    execFileSync(process.execPath, [join(repoRoot, 'scripts', 'build.mjs')], { stdio: 'ignore' });
    writeFileSync(
      ramp,
      greyPng(
        4,
        4,
        Array.from({ length: 16 }, (_, k) => 17 * k),
      ),
    );
    const run = spawnSync(
      process.execPath,
      [
        join(repoRoot, 'dist', 'cli.js'),
        'report',
        join(models, 'tiny.ts'),
        '--image',
        ramp,
        '--json',
        json,
        '--out',
        html,
        '--backend',
        'cpu',
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
    assert.equal(run.status, 0, run.stderr);
    report = JSON.parse(readFileSync(json, 'utf8'));
  });

  it('keeps schema version 1 and its existing fields', () => {
    assert.equal(report.schemaVersion, 1);
    assert.deepEqual(
      report.layers.map((l) => [l.name, l.className, l.params]),
      [
        ['sum2x2', 'Conv2D', { trainable: 5, nonTrainable: 0 }],
        ['pool', 'MaxPooling2D', { trainable: 0, nonTrainable: 0 }],
        ['flat', 'Flatten', { trainable: 0, nonTrainable: 0 }],
        ['out', 'Dense', { trainable: 4, nonTrainable: 0 }],
      ],
    );
  });

  it('adds MACs, activation bytes, receptive fields and the dense equivalent per layer', () => {
    const [conv, pool, flat, out] = report.layers;
    // 2x2 valid conv on 4x4x1 -> 3x3x1: 9 positions x 4 weights = 36 MACs; 9 floats = 36 bytes;
    // field 2x2, jump 1, no padding; a dense layer 16 -> 9 would need 144 weights.
    assert.deepEqual(
      {
        macs: conv.macs,
        bytes: conv.activationBytes,
        rf: conv.rf,
        dense: conv.denseEquivalentParams,
      },
      { macs: 36, bytes: 36, rf: { size: [2, 2], jump: [1, 1], padding: [0, 0] }, dense: 144 },
    );
    // 3x3 max pool, stride 3 -> 1x1: no MACs; field 2 + (3 - 1) * 1 = 4, jump 1 * 3 = 3.
    assert.deepEqual(
      { macs: pool.macs, bytes: pool.activationBytes, rf: pool.rf },
      { macs: 0, bytes: 4, rf: { size: [4, 4], jump: [3, 3], padding: [0, 0] } },
    );
    assert.equal(
      'denseEquivalentParams' in pool,
      false,
      'only convolutions have a dense equivalent',
    );
    // Flatten of one position: the same field, now covering everything the layer gathered.
    assert.deepEqual(
      { macs: flat.macs, bytes: flat.activationBytes, rf: flat.rf, whole: flat.rfWholeInput },
      { macs: 0, bytes: 4, rf: { size: [4, 4], jump: [3, 3], padding: [0, 0] }, whole: true },
    );
    // Dense 1 -> 2: 2 MACs, 2 floats.
    assert.deepEqual({ macs: out.macs, bytes: out.activationBytes }, { macs: 2, bytes: 8 });
    for (const layer of report.layers) assert.equal('rfUnsupported' in layer, false);
  });

  it('adds model totals', () => {
    assert.deepEqual(report.totals, {
      params: 9,
      trainableParams: 9,
      nonTrainableParams: 0,
      macs: 38,
      flops: 76,
      activationBytes: 36 + 4 + 4 + 8,
      layersWithUnknownMacs: [],
    });
  });

  it('embeds the same structure in the HTML report', () => {
    const page = readFileSync(html, 'utf8');
    const data = JSON.parse(
      /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(page)![1],
    );
    assert.equal(data.structure.totals.params, 9);
    assert.equal(data.structure.totals.macs, 38);
    assert.deepEqual(
      data.structure.layers.map((l: { name: string }) => l.name),
      ['sum2x2', 'pool', 'flat', 'out'],
    );
  });
});
