import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
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

  // Every view of the report on an imported ONNX net with grouped convolutions, a dilated
  // depthwise one, edge padding and average-pooling divisors (the numbers are checked against
  // PyTorch in onnxExplain.unit.test.ts; here: each view is made, none stops at a layer).
  it('a unit (projections, arithmetic), a folder gallery, a class explanation, JSON and HTML', () => {
    const net = join(dir, 'groups.onnx');
    copyFileSync(loadFixture('groups').modelFile, net);
    const folder = join(dir, 'folder');
    mkdirSync(folder, { recursive: true });
    for (const [i, step] of [1, 5, 17].entries()) {
      writeFileSync(
        join(folder, `g${i}.png`),
        greyPng(
          15,
          15,
          Array.from({ length: 225 }, (_, k) => (k * step) % 256),
        ),
      );
    }
    const json = join(dir, 'groups.json');
    const html = join(dir, 'groups.html');
    const run = cli(
      'report',
      net,
      '--image',
      image,
      '--json',
      json,
      '--out',
      html,
      '--unit',
      'grouped_s2:3',
      '--gallery-layer',
      'grouped',
      '--gallery-folder',
      folder,
      '--top-k',
      '2',
      '--explain-class',
      'top',
      '--backend',
      'cpu',
    );
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(readFileSync(json, 'utf8'));
    const unit = report.unit;
    assert.equal(unit.notInvertible, undefined, JSON.stringify(unit.notInvertible));
    assert.deepEqual(
      unit.projections.map((p: { method: string }) => p.method),
      ['deconvnet', 'guided', 'saliency'],
    );
    for (const p of unit.projections) assert.ok(existsSync(join(dir, p.png)), p.png);
    // Filter 3 of 6 in 3 groups reads the second group's input channels, 4..7.
    assert.deepEqual(
      unit.arithmetic.terms.map((t: { inputChannel: number }) => t.inputChannel),
      [4, 5, 6, 7],
    );
    assert.ok(Math.abs(unit.arithmetic.value - unit.arithmetic.featureMapValue) < 1e-4);
    assert.equal(report.gallery.layer, 'grouped');
    assert.equal(report.gallery.folder.length, 12);
    assert.equal(report.gallery.folder[0].patches.length, 2);
    assert.equal(report.classExplanation.class, report.top5[0].index);
    assert.ok(existsSync(join(dir, report.classExplanation.gradcam.png)));
    assert.ok(report.classExplanation.integratedGradients);
    const page = readFileSync(html, 'utf8');
    assert.match(page, /grouped_s2/);
    assert.match(page, /dw_dilated/);
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
