// Damaged inputs and broken numbers are said, not passed on: a truncated PNG is called truncated
// (not pngjs's internal stream message), and NaN or infinite weights or outputs give a warning
// naming the first layer that holds them (the session, the CLI and its JSON), not silent null
// probabilities.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InspectionSession } from '../../src/analysis/inspectionSession';
import { decodeImageFile } from '../../src/analysis/image/decodeImage';
import { InspectorError } from '../../src/analysis/errors';
import { greyPng } from './helpers/imageBytes';
import { testRuntime } from './helpers/runtime';
import { ensureBuilt, repoRoot } from './helpers/build';

const models = join(__dirname, '..', 'fixtures', 'models');
const images = join(__dirname, '..', 'fixtures', 'images');

describe('damaged images and broken numbers', function () {
  this.timeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), 'cnn-numeric-'));
  const ramp = join(dir, 'ramp.png');
  before(() =>
    writeFileSync(
      ramp,
      greyPng(
        4,
        4,
        Array.from({ length: 16 }, (_, k) => 17 * k),
      ),
    ),
  );
  after(() => rmSync(dir, { recursive: true, force: true }));

  const png = readFileSync(join(images, 'camera.png'));
  const idat = png.indexOf('IDAT');
  const iend = png.indexOf('IEND');
  for (const [what, length] of [
    ['in the middle of the image data', Math.round((idat + iend) / 2)],
    ['just after the signature and header', 40],
    ['before the IEND chunk', iend - 4],
  ] as const) {
    it(`calls a PNG cut ${what} truncated`, async () => {
      const file = join(dir, `cut-${length}.png`);
      writeFileSync(file, png.subarray(0, length));
      await assert.rejects(decodeImageFile(file), (error: unknown) => {
        assert.ok(error instanceof InspectorError, String(error));
        assert.equal(error.kind, 'image');
        assert.match(
          error.message,
          new RegExp(
            `cut-${length}\\.png: the PNG file is truncated \\(it ends after ${length} bytes,.*\\): the file is incomplete or damaged`,
          ),
        );
        assert.doesNotMatch(error.message, /read requests|finished stream/);
        return true;
      });
    });
  }

  it('still decodes the whole file (the check costs nothing on good files)', async () => {
    const decoded = await decodeImageFile(join(images, 'camera.png'));
    assert.ok(decoded.width > 0 && decoded.height > 0);
  });

  it('warns when the weights are NaN, naming the layer and the count', async () => {
    const runtime = await testRuntime();
    const session = await InspectionSession.open(runtime, join(models, 'nanWeights.ts'), undefined);
    try {
      const result = await session.runInput(ramp);
      // conv: 3x3x2 outputs, all NaN (the kernel's 2x2x1x2 = 8 weights are all NaN).
      assert.deepEqual(result.warnings, [
        "Layer 'conv' outputs NaN (18 of 18 values) for this image: its weights hold 8 NaN values of 10; every later layer and the class probabilities are meaningless.",
      ]);
      assert.ok(result.top5.every((c) => Number.isNaN(c.probability)));
    } finally {
      session.dispose();
    }
  });

  it('warns when finite weights overflow to Infinity and NaN, naming the first layer', async () => {
    const runtime = await testRuntime();
    const session = await InspectionSession.open(
      runtime,
      join(models, 'nanWeights.ts'),
      'overflows',
    );
    try {
      const result = await session.runInput(ramp);
      // huge: 3x3 values of 1e30 * (sum of a 2x2 window / 255) are finite (< 3.4e38); huger:
      // 1e30 * (4 such values) overflows float32 in each of its 2x2 outputs.
      assert.equal(result.warnings?.length, 1, String(result.warnings));
      assert.match(
        result.warnings![0],
        /^Layer 'huger' outputs infinite values \(4 of 4 values\) for this image \(its weights are finite: the values overflow float32\)/,
      );
    } finally {
      session.dispose();
    }
  });

  it('gives no warning for a healthy model', async () => {
    const runtime = await testRuntime();
    const session = await InspectionSession.open(runtime, join(models, 'tiny.ts'), undefined);
    try {
      const result = await session.runInput(ramp);
      assert.equal(result.warnings, undefined);
    } finally {
      session.dispose();
    }
  });

  it('prints the warning in the CLI and writes it to the JSON warnings', () => {
    ensureBuilt();
    const json = join(dir, 'nan.json');
    const run = spawnSync(
      process.execPath,
      [
        join(repoRoot, 'dist', 'cli.js'),
        'report',
        join(models, 'nanWeights.ts'),
        '--image',
        ramp,
        '--json',
        json,
        '--backend',
        'cpu',
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
    assert.equal(run.status, 0, run.stderr);
    assert.match(
      run.stderr,
      /cnn-inspector: warning: Layer 'conv' outputs NaN \(18 of 18 values\)/,
    );
    const report = JSON.parse(readFileSync(json, 'utf8'));
    assert.equal(report.warnings.length, 1);
    assert.match(report.warnings[0], /^Layer 'conv' outputs NaN/);
  });
});
