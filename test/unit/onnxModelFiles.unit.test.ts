import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, repoRoot } from './helpers/build';
import { greyPng } from './helpers/imageBytes';
import { loadFixture } from './helpers/onnxFixtures';

function cli(...args: string[]) {
  const result = spawnSync(process.execPath, [join(repoRoot, 'dist', 'cli.js'), ...args], {
    encoding: 'utf8',
    timeout: 300_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

interface ReportLayer {
  name: string;
  className: string;
  params: { trainable: number; nonTrainable: number };
}

describe('ONNX files as models (CLI)', function () {
  this.timeout(300_000);
  let dir: string;
  let image: string;
  let onnx: string;
  before(() => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'cnn-onnx-'));
    image = join(dir, 'ramp.png');
    writeFileSync(
      image,
      greyPng(
        16,
        16,
        Array.from({ length: 256 }, (_, k) => k),
      ),
    );
    onnx = join(dir, 'convs.onnx');
    copyFileSync(loadFixture('convs').modelFile, onnx);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reports a bare .onnx file with the nodes as layers', () => {
    const json = join(dir, 'bare.json');
    const run = cli('report', onnx, '--image', image, '--json', json, '--backend', 'cpu');
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(readFileSync(json, 'utf8'));
    assert.deepEqual(report.inputShape, [16, 16, 3]);
    const layers = report.layers as ReportLayer[];
    const conv = layers.find((l) => l.name === 'conv_asym')!;
    assert.equal(conv.className, 'Conv2D');
    assert.equal(conv.params.trainable, 6 * 3 * 3 * 3 + 6);
    assert.ok(layers.some((l) => l.name === 'pad' && l.className === 'ZeroPadding2D'));
    assert.equal(report.top5[0].label, `class ${report.top5[0].index}`);
    const total = report.top5.reduce(
      (s: number, c: { probability: number }) => s + c.probability,
      0,
    );
    assert.ok(total > 0.2 && total <= 1.0001);
  });

  it("a model file adds labels and preprocessing with loadOnnxModel from 'cnn-inspector'", () => {
    const modelFile = join(dir, 'labelled.ts');
    writeFileSync(
      modelFile,
      [
        "import * as tf from '@tensorflow/tfjs';",
        "import { loadOnnxModel } from 'cnn-inspector';",
        "export const labels = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];",
        'export function preprocess(image: tf.Tensor3D) {',
        '  return image.div(255).sub(0.5);',
        '}',
        "export default () => loadOnnxModel('./convs.onnx');",
        '',
      ].join('\n'),
    );
    const json = join(dir, 'labelled.json');
    const run = cli('report', modelFile, '--image', image, '--json', json, '--backend', 'cpu');
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(readFileSync(json, 'utf8'));
    const labels = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
    for (const c of report.top5) assert.equal(c.label, labels[c.index]);
    const bare = JSON.parse(readFileSync(join(dir, 'bare.json'), 'utf8'));
    assert.notDeepEqual(
      report.top5.map((c: { probability: number }) => c.probability),
      bare.top5.map((c: { probability: number }) => c.probability),
      'preprocess was not applied',
    );
  });

  it('errors are one line naming the file', () => {
    const broken = join(dir, 'notes.onnx');
    writeFileSync(broken, 'not a model');
    const run = cli('report', broken, '--image', image, '--backend', 'cpu');
    assert.equal(run.code, 1);
    assert.match(run.stderr.trim(), new RegExp(`^cnn-inspector: ${broken}: not .*ONNX`));
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);

    const missing = join(dir, 'missing.ts');
    writeFileSync(
      missing,
      "import { loadOnnxModel } from 'cnn-inspector';\nexport default () => loadOnnxModel('./nowhere.onnx');\n",
    );
    const run2 = cli('report', missing, '--image', image, '--backend', 'cpu');
    assert.equal(run2.code, 1);
    assert.match(run2.stderr, /nowhere\.onnx: cannot read the file/);
  });
});
