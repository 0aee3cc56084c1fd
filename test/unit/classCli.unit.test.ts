// The command line's class explanations: --explain-class adds classExplanation (Grad-CAM values at
// the layer's resolution, as PyTorch computes them on LeNet's weights; occlusion over window
// positions; integrated gradients with their completeness) and PNGs next to the JSON;
// --visualize-unit adds featureVisualization (compared with a folder gallery's top patches when the
// report builds one of that layer); bad arguments exit with status 2 and a message.
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, repoRoot } from './helpers/build';
import { runPythonOracle } from './helpers/pythonOracle';

const dir = mkdtempSync(join(tmpdir(), 'cnn-class-cli-'));
const lenet = join(repoRoot, 'examples', 'lenet.ts');
const ankleBoot = join(repoRoot, 'examples', 'images', 'fashion-mnist', '000-ankle-boot.png');

function cli(...args: string[]) {
  const result = spawnSync(
    process.execPath,
    [join(repoRoot, 'dist', 'cli.js'), 'report', lenet, '--image', ankleBoot, ...args],
    {
      encoding: 'utf8',
      timeout: 180_000,
    },
  );
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('command-line class explanations', function () {
  this.timeout(240_000);
  before(() => ensureBuilt());

  it('adds classExplanation and featureVisualization, with PNGs next to the JSON', () => {
    const json = join(dir, 'r.json');
    const run = cli(
      '--json',
      json,
      '--explain-class',
      'top',
      '--occlusion',
      '7:2',
      '--ig-steps',
      '32',
      '--visualize-unit',
      'conv1:2',
      '--backend',
      'wasm',
    );
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(readFileSync(json, 'utf8'));
    const c = report.classExplanation;
    assert.equal(c.class, 9);
    assert.equal(c.label, 'Ankle boot');
    const oracle = JSON.parse(
      execFileSync(
        '/usr/bin/python3',
        [join(repoRoot, 'test', 'oracles', 'lenet_class_explanations.py'), ankleBoot, '9'],
        { encoding: 'utf8' },
      ),
    );
    assert.ok(Math.abs(c.score - oracle.score) < 1e-4);
    assert.equal(c.gradcam.layer, 'conv2');
    assert.equal(c.gradcam.values.length, 10);
    assert.equal(c.gradcam.values[0].length, 10);
    const expected = (oracle.gradcam.conv2 as number[][]).flat();
    (c.gradcam.values as number[][])
      .flat()
      .forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-4, `${i}`));
    assert.deepEqual(
      [c.occlusion.window, c.occlusion.stride, c.occlusion.fill],
      [[7, 7], [2, 2], 0],
    );
    assert.equal(c.occlusion.values.length, 11);
    (c.occlusion.values as number[][])
      .flat()
      .forEach((v, i) => assert.ok(Math.abs(v - oracle.occlusion.flat()[i]) < 1e-4));
    const ig = c.integratedGradients;
    assert.deepEqual([ig.steps, ig.baseline], [32, 'zeros']);
    assert.deepEqual([ig.values.length, ig.values[0].length, ig.values[0][0].length], [28, 28, 1]);
    assert.ok(Math.abs(ig.sum - ig.scoreDifference) < 0.02 * Math.abs(ig.scoreDifference));
    for (const png of [
      c.gradcam.png,
      c.gradcam.guidedPng,
      c.occlusion.png,
      ig.png,
      report.featureVisualization.png,
    ]) {
      assert.ok(existsSync(join(dir, png)), png);
      assert.equal(readFileSync(join(dir, png)).subarray(1, 4).toString(), 'PNG');
    }
    assert.equal(c.gradcam.png, 'r.class-9.gradcam.png');
    const fv = report.featureVisualization;
    assert.deepEqual([fv.layer, fv.channel, fv.steps], ['conv1', 2, 128]);
    assert.ok(fv.activation > fv.currentImageActivation);
  });

  it('--occlusion WINDOW:STRIDE@FILL and --ig-baseline blur match PyTorch with that fill and baseline', () => {
    const json = join(dir, 'fill.json');
    const run = cli(
      '--json',
      json,
      '--explain-class',
      '9',
      '--occlusion',
      '7:2@0.5',
      '--ig-steps',
      '32',
      '--ig-baseline',
      'blur',
      '--backend',
      'wasm',
    );
    assert.equal(run.code, 0, run.stderr);
    const c = JSON.parse(readFileSync(json, 'utf8')).classExplanation;
    const oracle = JSON.parse(
      execFileSync(
        '/usr/bin/python3',
        [
          join(repoRoot, 'test', 'oracles', 'lenet_class_explanations.py'),
          ankleBoot,
          '9',
          'fill=0.5',
          'baseline=blur',
          'steps=32',
        ],
        { encoding: 'utf8' },
      ),
    );
    assert.deepEqual(
      [c.occlusion.window, c.occlusion.stride, c.occlusion.fill],
      [[7, 7], [2, 2], 0.5],
    );
    const occlusion = (oracle.occlusion as number[][]).flat();
    const scale = Math.max(...occlusion.map(Math.abs));
    (c.occlusion.values as number[][])
      .flat()
      .forEach((v, i) => assert.ok(Math.abs(v - occlusion[i]) < 1e-4 * scale, `occlusion ${i}`));
    const ig = c.integratedGradients;
    assert.deepEqual([ig.steps, ig.baseline], [32, 'blur']);
    const expected = (oracle.integratedGradients as number[][]).flat();
    const igScale = Math.max(...expected.map(Math.abs));
    (ig.values as number[][][])
      .flat(2)
      .forEach((v, i) =>
        assert.ok(Math.abs(v - expected[i]) < 1e-3 * igScale, `IG ${i}: ${v} vs ${expected[i]}`),
      );
    assert.ok(
      Math.abs(ig.scoreDifference - (oracle.score - oracle.baselineScore)) < 1e-3,
      `score difference ${ig.scoreDifference} vs PyTorch ${oracle.score - oracle.baselineScore}`,
    );
  });

  it('--visualize-unit with a folder gallery of the same layer compares with its top patches (PyTorch maxima)', () => {
    const folder = mkdtempSync(join(tmpdir(), 'cnn-class-gallery-'));
    const names = ['000-ankle-boot.png', '001-pullover.png', '002-trouser.png'];
    for (const name of names)
      copyFileSync(join(repoRoot, 'examples', 'images', 'fashion-mnist', name), join(folder, name));
    const json = join(dir, 'gallery.json');
    const run = cli(
      '--json',
      json,
      '--visualize-unit',
      'conv2:3',
      '--gallery-layer',
      'conv2',
      '--gallery-folder',
      folder,
      '--backend',
      'wasm',
    );
    assert.equal(run.code, 0, run.stderr);
    const fv = JSON.parse(readFileSync(json, 'utf8')).featureVisualization;
    // the channel's maximum on each image, from PyTorch's LeNet (test/oracles)
    const maxima = runPythonOracle<Record<string, number>>(
      `
import importlib.util, json, sys
import numpy as np, torch
from PIL import Image
request = json.load(sys.stdin)
spec = importlib.util.spec_from_file_location('lenet', request['oracle'])
lenet = importlib.util.module_from_spec(spec)
spec.loader.exec_module(lenet)
out = {}
for path in request['images']:
    x = torch.tensor(np.asarray(Image.open(path).convert('L'), dtype=np.float32) / 255.0)[None, None]
    keep = {}
    lenet.forward(x, keep)
    out[path.split('/')[-1]] = float(keep['conv2'][0, 3].max())
print(json.dumps(out))
`,
      {
        oracle: join(repoRoot, 'test', 'oracles', 'lenet_class_explanations.py'),
        images: names.map((n) => join(folder, n)),
      },
    );
    const strongest = Object.entries(maxima).sort((a, b) => b[1] - a[1])[0];
    const g = fv.gallery;
    assert.equal(g.layer, 'conv2');
    assert.equal(g.folder, folder);
    assert.equal(g.topPatches[0].file, strongest[0]);
    assert.ok(Math.abs(g.topPatches[0].value - strongest[1]) < 1e-4, `${g.topPatches[0].value}`);
    for (let i = 1; i < g.topPatches.length; i++)
      assert.ok(g.topPatches[i].value <= g.topPatches[i - 1].value, 'strongest first');
    assert.ok(Math.abs(g.ratioToStrongest - fv.activation / strongest[1]) < 1e-3);
    rmSync(folder, { recursive: true, force: true });
  });

  it('refuses bad arguments with a message', () => {
    const json = join(dir, 'bad.json');
    const cases: [string[], RegExp, number][] = [
      [['--explain-class', '9'], /--explain-class needs --json/, 2],
      [['--json', json, '--cam-layer', 'conv1'], /--cam-layer needs --explain-class/, 2],
      [
        ['--json', json, '--explain-class', '9', '--occlusion', '0'],
        /--occlusion '0': expected WINDOW\[:STRIDE\]\[@FILL\]/,
        2,
      ],
      [
        ['--json', json, '--explain-class', '9', '--occlusion', '7:2@grey'],
        /--occlusion '7:2@grey': the fill after @ must be a number/,
        2,
      ],
      [
        ['--json', json, '--explain-class', '9', '--ig-baseline', 'noise'],
        /--ig-baseline 'noise': expected zeros or blur/,
        2,
      ],
      [['--json', json, '--ig-baseline', 'blur'], /--ig-baseline needs --explain-class/, 2],
      [
        ['--json', json, '--explain-class', '9', '--ig-steps', 'many'],
        /--ig-steps 'many': expected a whole number/,
        2,
      ],
      [
        ['--json', json, '--visualize-unit', 'conv1'],
        /--visualize-unit 'conv1': expected layer:channel/,
        2,
      ],
      [['--json', json, '--explain-class', '12'], /Class 12 is outside the model's 10 classes/, 1],
      [
        ['--json', json, '--explain-class', '9', '--cam-layer', 'fc1'],
        /Grad-CAM cannot use layer 'fc1'/,
        1,
      ],
      [
        ['--json', json, '--explain-class', '9', '--occlusion', '40'],
        /window 40x40 is larger than the input \(28x28\)/,
        1,
      ],
    ];
    for (const [args, message, code] of cases) {
      const run = cli(...args, '--backend', 'wasm');
      assert.equal(run.code, code, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message);
    }
  });
});
