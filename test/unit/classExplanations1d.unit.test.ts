// Class explanations of a 1-D model (Conv1D), against answers derived by hand. signalClassifier's
// class 0 scores s(x) = sum_t relu(x_t - x_(t+1)) (before softmax). On x = [0, 0, 0, 4, 4, 4, 0, 1]
// only the fall at t = 5 (4 -> 0) is active: s = 4, the edge map is A = [0, 0, 0, 0, 0, 4, 0].
// - Grad-CAM at 'edge': d s / d A = 1 everywhere, so alpha = 1 and the map is A itself.
// - Occlusion: each window's drop is s(x) - s(x occluded), s evaluated by the plain loop below.
// - Integrated gradients from zeros: s(a x) = a s(x), so the gradient along the path is the one at
//   x: +1 at t = 5, -1 at t = 6; the attributions are x times it: 4 at t = 5, -0 at t = 6.
// The input a unit wants and the blurred baseline need images: they say so. The CLI writes the
// numbers (no PNG files, as --unit does for signals).
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InspectionSession } from '../../src/analysis/inspectionSession';
import {
  explainFeatureVisualization,
  explainGradCam,
  explainIntegratedGradients,
  explainOcclusion,
} from '../../src/analysis/explain/classExplainSession';
import { testRuntime } from './helpers/runtime';
import { ensureBuilt, repoRoot } from './helpers/build';

const signal = [0, 0, 0, 4, 4, 4, 0, 1];
const score = (x: number[]) => x.slice(0, -1).reduce((s, v, t) => s + Math.max(v - x[t + 1], 0), 0);

describe('class explanations of a 1-D model', function () {
  this.timeout(120_000);
  let session: InspectionSession;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cnn-class-1d-'));
    const csv = join(dir, 'signal.csv');
    writeFileSync(csv, signal.join('\n'));
    session = await InspectionSession.open(
      await testRuntime(),
      join(__dirname, '..', 'fixtures', 'models', 'signalClassifier.ts'),
      undefined,
    );
    await session.runInput(csv);
  });
  after(() => {
    session.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('Grad-CAM at the Conv1D layer is its map A, at the layer resolution and upsampled to the signal', () => {
    const cam = explainGradCam(session, 'falls');
    assert.equal(cam.class.score, 4);
    assert.deepEqual(cam.shape, [7]);
    assert.deepEqual(Array.from(cam.values), [0, 0, 0, 0, 0, 4, 0]);
    assert.equal(cam.upsampled.length, 8);
    // bilinear with half-pixel centres, 7 -> 8: step t samples the map at (t + 0.5) * 7 / 8 - 0.5
    const at = (t: number) => {
      const u = Math.min(Math.max((t + 0.5) * (7 / 8) - 0.5, 0), 6);
      const lo = Math.floor(u);
      const hi = Math.min(lo + 1, 6);
      return cam.values[lo] * (1 - (u - lo)) + cam.values[hi] * (u - lo);
    };
    cam.upsampled.forEach((v, t) => assert.ok(Math.abs(v - at(t)) < 1e-6, `step ${t}: ${v}`));
    assert.deepEqual(cam.guided?.shape, [8, 1]);
  });

  it('occlusion slides along the steps; each drop is s(x) - s(x occluded)', async () => {
    const result = await explainOcclusion(session, 'falls', {
      window: [2, 2],
      stride: [2, 2],
      fill: 1,
    });
    assert.deepEqual(
      [result.rows, result.cols, result.window, result.stride],
      [1, 4, [1, 2], [1, 2]],
    );
    const expected = [0, 2, 4, 6].map(
      (t0) => score(signal) - score(signal.map((v, t) => (t >= t0 && t < t0 + 2 ? 1 : v))),
    );
    assert.ok(
      expected.some((v) => v !== 0),
      'the hand-derived drops are not all zero',
    );
    assert.deepEqual(Array.from(result.values), expected);
    assert.equal(result.perPixel.length, 8);
  });

  it('integrated gradients are x times the gradient at x, complete', async () => {
    const ig = await explainIntegratedGradients(session, 'falls', 16);
    assert.deepEqual(ig.values.shape, [8, 1]);
    Array.from(ig.values.data).forEach((v, t) =>
      assert.ok(Math.abs(v - (t === 5 ? 4 : 0)) < 1e-6, `step ${t}: ${v}`),
    );
    assert.ok(Math.abs(ig.sum - ig.scoreDifference) < 1e-6);
    assert.equal(ig.scoreDifference, 4);
  });

  it('says that the input a unit wants and the blurred baseline need images', async () => {
    await assert.rejects(
      explainFeatureVisualization(session, 'edge', 0, { steps: 2 }),
      /Feature visualization needs an image input/,
    );
    await assert.rejects(
      explainIntegratedGradients(session, 'falls', 8, 'blur'),
      /The blurred baseline needs an image input/,
    );
  });

  it('the CLI writes them as numbers, without PNG files', () => {
    ensureBuilt();
    const json = join(dir, 'r.json');
    const run = spawnSync(
      process.execPath,
      [
        join(repoRoot, 'dist', 'cli.js'),
        'report',
        join(__dirname, '..', 'fixtures', 'models', 'signalClassifier.ts'),
        '--image',
        join(dir, 'signal.csv'),
        '--json',
        json,
        '--explain-class',
        'falls',
        '--occlusion',
        '2:2@1',
        '--ig-steps',
        '16',
        '--backend',
        'cpu',
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
    assert.equal(run.status, 0, run.stderr);
    const c = JSON.parse(readFileSync(json, 'utf8')).classExplanation;
    assert.deepEqual([c.class, c.label, c.score], [0, 'falls', 4]);
    assert.deepEqual(c.gradcam.values, [0, 0, 0, 0, 0, 4, 0]);
    assert.deepEqual([c.occlusion.window, c.occlusion.stride, c.occlusion.fill], [[2], [2], 1]);
    assert.deepEqual(
      c.occlusion.values,
      [0, 2, 4, 6].map(
        (t0) => score(signal) - score(signal.map((v, t) => (t >= t0 && t < t0 + 2 ? 1 : v))),
      ),
    );
    assert.deepEqual(
      (c.integratedGradients.values as number[][]).map((v) => Math.round(v[0] * 1e6) / 1e6 + 0),
      [0, 0, 0, 0, 0, 4, 0, 0],
    );
    for (const part of [c.gradcam, c.occlusion, c.integratedGradients])
      assert.equal(part.png, undefined);
    assert.equal(c.gradcam.guidedPng, undefined);
  });
});
