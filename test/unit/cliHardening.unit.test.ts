import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { safeFileNamePart } from '../../src/cli/unitReport';
import { ensureBuilt, repoRoot } from './helpers/build';
import { greyPng } from './helpers/imageBytes';

const models = join(__dirname, '..', 'fixtures', 'models');

function cli(...args: string[]) {
  const result = spawnSync(process.execPath, [join(repoRoot, 'dist', 'cli.js'), ...args], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('--unit file names', function () {
  this.timeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), 'cnn-cli-unit-'));
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
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('turns a layer name into one safe file name part', () => {
    assert.equal(safeFileNamePart('block1/conv1'), 'block1_conv1');
    assert.equal(safeFileNamePart('a/../../x'), `a${'_'.repeat(7)}x`);
    assert.equal(safeFileNamePart('..'), '__');
    assert.equal(safeFileNamePart('C:\\w\\conv'), 'C__w_conv');
    assert.equal(safeFileNamePart('conv:1 *?'), 'conv_1___');
    assert.equal(safeFileNamePart('Faltung_1.a-b'), 'Faltung_1.a-b'); // already safe: unchanged
    assert.equal(safeFileNamePart('слой'), 'слой');
    assert.equal(safeFileNamePart(''), '_');
    assert.equal(safeFileNamePart('x'.repeat(300)).length, 100);
  });

  for (const layer of ['block1/conv1', 'a/../../x']) {
    it(`writes the PNG files of layer '${layer}' inside the report's folder`, () => {
      const out = join(dir, `out-${safeFileNamePart(layer)}`);
      mkdirSync(out);
      const json = join(out, 'r.json');
      const run = cli(
        'report',
        join(models, 'slashNames.ts'),
        '--image',
        ramp,
        '--json',
        json,
        '--unit',
        `${layer}:0`,
        '--backend',
        'cpu',
      );
      assert.equal(run.code, 0, run.stderr);
      const report = JSON.parse(readFileSync(json, 'utf8'));
      assert.equal(report.unit.layer, layer);
      const pngs = (report.unit.projections as { png: string; cropPng: string }[]).flatMap((p) => [
        p.png,
        p.cropPng,
      ]);
      assert.equal(pngs.length, 6);
      const stem = `r.${safeFileNamePart(layer)}-0-`;
      for (const png of pngs) assert.ok(png.startsWith(stem), png);
      assert.deepEqual(readdirSync(out).sort(), ['r.json', ...pngs].sort());
      // Nothing escaped into the parent folder.
      assert.deepEqual(
        readdirSync(dir).filter((n) => !n.startsWith('out-') && n !== 'ramp.png'),
        [],
      );
    });
  }
});
