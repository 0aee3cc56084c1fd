import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, repoRoot } from './helpers/build';
import { greyPng } from './helpers/imageBytes';

const models = join(__dirname, '..', 'fixtures', 'models');
const dir = mkdtempSync(join(tmpdir(), 'cnn-cli-'));

function cli(...args: string[]) {
  const result = spawnSync(process.execPath, [join(repoRoot, 'dist', 'cli.js'), ...args], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('command-line report', function () {
  this.timeout(120_000);
  const ramp = join(dir, 'ramp.png');
  before(() => {
    ensureBuilt();
    writeFileSync(
      ramp,
      greyPng(
        4,
        4,
        Array.from({ length: 16 }, (_, k) => 17 * k),
      ),
    );
  });

  it('writes the JSON report with shapes, parameters and top classes', () => {
    const json = join(dir, 'report.json');
    const html = join(dir, 'report.html');
    const run = cli(
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
    );
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(readFileSync(json, 'utf8'));
    assert.equal(report.schemaVersion, 1);
    assert.equal(report.backend, 'cpu');
    assert.deepEqual(report.inputShape, [4, 4, 1]);
    assert.deepEqual(
      report.layers.map(
        (l: { name: string; outputShape: number[]; params: { trainable: number } }) => [
          l.name,
          l.outputShape,
          l.params.trainable,
        ],
      ),
      [
        ['sum2x2', [3, 3, 1], 5],
        ['pool', [1, 1, 1], 0],
        ['flat', [1], 0],
        ['out', [2], 4],
      ],
    );
    const m = 50 / 15 + 0.5; // see activations.unit.test.ts
    assert.equal(report.top5[0].label, 'bright');
    assert.ok(Math.abs(report.top5[0].probability - 1 / (1 + Math.exp(-2 * m))) < 1e-5);
    const page = readFileSync(html, 'utf8');
    assert.match(page, /<div id="app" data-host="report">/);
    assert.match(page, /<script type="application\/json" id="report-data">\{"summary"/);
    assert.doesNotMatch(page, /src="http|href="http/, 'the report loads nothing from the network');
    // Only the report's own inline script and styles may run: their hashes, no 'unsafe-inline'.
    const csp = page.match(/http-equiv="Content-Security-Policy" content="([^"]*)"/)![1];
    assert.doesNotMatch(csp, /unsafe/);
    const sha256 = (text: string) =>
      `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
    const scripts = [...page.matchAll(/<script>(.*?)<\/script>/gs)].map((m) => sha256(m[1]));
    const styles = [...page.matchAll(/<style>(.*?)<\/style>/gs)].map((m) => sha256(m[1]));
    assert.equal(scripts.length, 1);
    assert.equal(styles.length, 2);
    assert.deepEqual(csp.split('; '), [
      "default-src 'none'",
      'img-src data: blob:',
      `style-src ${styles.join(' ')}`,
      `script-src ${scripts[0]}`,
    ]);
    // The Why tab's first answers are embedded: the strongest unit of the conv layer it opens at
    // (2x2 all-ones kernel + 0.5 over the ramp: (16*2 + 4*2 + 10)/15 + 0.5 at y 2, x 2), its filters

    const data = JSON.parse(page.match(/id="report-data">(.*?)<\/script>/s)![1]);
    const kinds = (data.explain as { kind: string }[]).map((a) => a.kind);
    // ... and the class section's answers for the top class (a 4x4 input is small enough for all three)
    assert.deepEqual(kinds, [
      'projections',
      'gradcam',
      'occlusion',
      'integratedGradients',
      'filters',
    ]);
    assert.equal(data.explain[1].result.class.label, 'bright');
    const projections = data.explain[0].result;
    assert.deepEqual([projections.unit.layer, projections.unit.position], ['sum2x2', [2, 2]]);
    assert.ok(Math.abs(projections.value - (50 / 15 + 0.5)) < 1e-5);
  });

  it('fails with one line naming the file and line for a syntax error', () => {
    const run = cli('report', join(models, 'syntaxError.ts'), '--image', ramp);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^cnn-inspector: .*syntaxError\.ts:4:\d+: .+\n$/);
  });

  it('fails clearly for a broken image, a missing file and bad arguments', () => {
    const broken = cli(
      'report',
      join(models, 'tiny.ts'),
      '--image',
      join(__dirname, '..', 'fixtures', 'images', 'truncated.jpg'),
    );
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /truncated\.jpg: damaged or unsupported JPEG/);
    const missing = cli('report', join(models, 'nope.ts'), '--image', ramp);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /nope\.ts: no such file/);
    const noImage = cli('report', join(models, 'tiny.ts'));
    assert.equal(noImage.code, 2);
    assert.match(noImage.stderr, /needs --image/);
    const badLayer = cli(
      'report',
      join(models, 'tiny.ts'),
      '--image',
      ramp,
      '--out',
      join(dir, 'x.html'),
      '--layer',
      'conv9',
    );
    assert.equal(badLayer.code, 1);
    assert.match(badLayer.stderr, /no layer 'conv9'/);
  });

  it('stops a model file that loops forever at the timeout', () => {
    const run = cli('report', join(models, 'hangs.ts'), '--image', ramp, '--timeout', '3');
    assert.equal(run.code, 1);
    assert.match(run.stderr, /took longer than 3 s and was stopped \(--timeout <seconds>\)/);
  });
});
