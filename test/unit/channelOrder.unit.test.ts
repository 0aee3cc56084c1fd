// Colour order of the model input: a model file may declare `channelOrder = 'bgr'`, and the
// pictures drawn in the input's space (projections, first-layer filters, Guided Grad-CAM, the
// input a unit wants) are then in RGB.
// Expected colours are worked out by hand: a signed value v of max |v| = 1 becomes
// round(127.5 + 127.5 v): 1 -> 255, 0 -> 128, -1 -> 0.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { projectionPicture } from '../../src/analysis/explain/projectionImage';
import { describeFilters } from '../../src/analysis/explain/filters';
import type { LayerSpec } from '../../src/analysis/explain/types';
import { signedPicture } from '../../src/analysis/image/rgbaPicture';
import { InspectionSession } from '../../src/analysis/inspectionSession';
import { explainFilters, explainProjections } from '../../src/analysis/explain/explainSession';
import {
  explainFeatureVisualization,
  explainGradCam,
} from '../../src/analysis/explain/classExplainSession';
import { featurePicture } from '../../src/analysis/explain/featureImage';
import { InspectorError } from '../../src/analysis/errors';
import { ensureBuilt, repoRoot } from './helpers/build';
import { pngFile } from './helpers/imageBytes';
import { testRuntime } from './helpers/runtime';

const models = join(__dirname, '..', 'fixtures', 'models');

/** One pixel whose channel 0 is +1 and channel 2 is -1: blue-ish in BGR, red-ish in RGB. */
const pixel = { data: Float32Array.from([1, 0, -1]), shape: [1, 1, 3] };

/** A 4x4 RGB PNG: (0,0) pure blue, the rest black. */
function blueCornerPng(): Buffer {
  const row = (first: number[]) => Uint8Array.from([...first, ...new Array(9).fill(0)]);
  return pngFile(4, 4, 8, 2, [row([0, 0, 255]), row([0, 0, 0]), row([0, 0, 0]), row([0, 0, 0])]);
}

/** A 2x2 RGB PNG: (0,0) pure blue, the rest black. */
function bluePixelPng(): Buffer {
  return pngFile(2, 2, 8, 2, [
    Uint8Array.from([0, 0, 255, 0, 0, 0]),
    Uint8Array.from([0, 0, 0, 0, 0, 0]),
  ]);
}

describe('channel order of the model input', function () {
  this.timeout(120_000);

  it('draws projections of a BGR input in RGB (analysis and webview pictures)', () => {
    assert.deepEqual(Array.from(projectionPicture(pixel, 'bgr').rgba), [0, 128, 255, 255]);
    assert.deepEqual(Array.from(projectionPicture(pixel).rgba), [255, 128, 0, 255]);
    assert.deepEqual(
      Array.from(signedPicture(pixel.data, pixel.shape, undefined, 'bgr').rgba),
      [0, 128, 255, 255],
    );
    assert.deepEqual(Array.from(signedPicture(pixel.data, pixel.shape).rgba), [255, 128, 0, 255]);
  });

  it('draws first-layer filters of a BGR input in RGB', () => {
    const spec: LayerSpec = {
      name: 'c',
      className: 'Conv2D',
      op: 'conv',
      spatialRank: 2,
      activation: 'linear',
      kernelSize: [1, 1],
      strides: [1, 1],
      padding: 'valid',
      kernel: { data: Float32Array.from([1, 0, -1]), shape: [1, 1, 3, 1] },
    };
    const bgr = describeFilters(spec, 0, 1, 'bgr').pictures!;
    assert.deepEqual(Array.from(bgr.together[0]), [0, 128, 255, 255]);
    assert.deepEqual(Array.from(bgr.alone[0]), [0, 128, 255, 255]);
    assert.deepEqual(Array.from(describeFilters(spec).pictures!.together[0]), [255, 128, 0, 255]);
  });

  it("reads channelOrder from the model file, and the session's pictures follow it", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cnn-bgr-'));
    const image = join(dir, 'blue.png');
    writeFileSync(image, bluePixelPng());
    const session = await InspectionSession.open(
      await testRuntime(),
      join(models, 'bgrBlue.ts'),
      undefined,
    );
    try {
      assert.equal(session.channelOrder, 'bgr');
      assert.equal(session.summary.exportName, 'default', 'channelOrder is not a model');
      await session.runInput(image);
      const result = explainProjections(session, { layer: 'blue', channel: 0, position: [0, 0] });
      assert.equal(result.channelOrder, 'bgr');
      assert.equal(result.value, 1, 'blue 255 / 255 through the filter on channel 0');
      for (const p of result.projections) {
        // The signal goes back to input channel 0 at (0, 0): blue.
        assert.deepEqual(Array.from(p.values.data.subarray(0, 3)), [1, 0, 0], p.method);
        assert.ok(
          p.notes.some((n) => /BGR/.test(n)),
          p.notes.join('; '),
        );
      }
      const filters = explainFilters(session, 'blue');
      assert.deepEqual(Array.from(filters.pictures!.together[0]), [128, 128, 255, 255]);
    } finally {
      session.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // bgrClassifier: class 0's score is the sum of the blue map A = relu(blue / 255), so the gradient
  // at A is 1 everywhere, alpha = 1 and Grad-CAM = A: 1 at (0, 0), 0 elsewhere. Guided
  // backpropagation reaches input channel 0 (blue) where A > 0: only at (0, 0). Guided Grad-CAM is
  // therefore +1 on blue at (0, 0) and 0 elsewhere: [128, 128, 255] there, mid grey elsewhere.
  it('class pictures of a BGR classifier: Guided Grad-CAM and the wanted input are drawn blue', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cnn-bgr-'));
    const image = join(dir, 'corner.png');
    writeFileSync(image, blueCornerPng());
    const session = await InspectionSession.open(
      await testRuntime(),
      join(models, 'bgrClassifier.ts'),
      undefined,
    );
    try {
      await session.runInput(image);
      const cam = explainGradCam(session, 'blue');
      assert.equal(cam.channelOrder, 'bgr');
      assert.deepEqual(Array.from(cam.values), [1, ...new Array(15).fill(0)]);
      assert.deepEqual(Array.from(cam.guided!.data.subarray(0, 3)), [1, 0, 0]);
      const guided = signedPicture(
        cam.guided!.data,
        cam.guided!.shape,
        undefined,
        cam.channelOrder,
      );
      assert.deepEqual(
        Array.from(guided.rgba.subarray(0, 8)),
        [128, 128, 255, 255, 128, 128, 128, 255],
      );
      // the unit reads only input channel 0: the ascent raises it to the top of the range and
      // leaves the others at their starting noise around the middle, so every pixel is blue
      const feature = await explainFeatureVisualization(session, 'blue', 0, { steps: 16 });
      assert.equal(feature.channelOrder, 'bgr');
      const picture = featurePicture(feature.image, feature.range, feature.channelOrder);
      for (let p = 0; p < 16; p++) {
        const [r, g, b] = picture.rgba.subarray(p * 4, p * 4 + 3);
        assert.equal(b, 255, `pixel ${p} blue`);
        assert.ok(r < 200 && g < 200, `pixel ${p}: red ${r}, green ${g} stay near the middle`);
      }
    } finally {
      session.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the CLI class pictures of a BGR classifier show blue', () => {
    ensureBuilt();
    const dir = mkdtempSync(join(tmpdir(), 'cnn-bgr-cli-'));
    try {
      const image = join(dir, 'corner.png');
      writeFileSync(image, blueCornerPng());
      const json = join(dir, 'r.json');
      const run = spawnSync(
        process.execPath,
        [
          join(repoRoot, 'dist', 'cli.js'),
          'report',
          join(models, 'bgrClassifier.ts'),
          '--image',
          image,
          '--json',
          json,
          '--explain-class',
          'blue',
          '--visualize-unit',
          'blue:0',
          '--backend',
          'cpu',
        ],
        { encoding: 'utf8', timeout: 120_000 },
      );
      assert.equal(run.status, 0, run.stderr);
      const report = JSON.parse(readFileSync(json, 'utf8'));
      const guided = PNG.sync.read(
        readFileSync(join(dir, report.classExplanation.gradcam.guidedPng)),
      );
      assert.deepEqual(
        Array.from(guided.data.subarray(0, 8)),
        [128, 128, 255, 255, 128, 128, 128, 255],
      );
      const feature = PNG.sync.read(readFileSync(join(dir, report.featureVisualization.png)));
      for (let p = 0; p < 16; p++) {
        assert.equal(feature.data[p * 4 + 2], 255, `pixel ${p} blue`);
        assert.ok(feature.data[p * 4] < 200, `pixel ${p} red ${feature.data[p * 4]}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a channelOrder that is not rgb or bgr, naming the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cnn-bgr-'));
    const file = join(dir, 'badOrder.ts');
    writeFileSync(
      file,
      `import * as tf from '@tensorflow/tfjs';
export const channelOrder = 'BGR';
export default () => tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 1 })] });
`,
    );
    try {
      await assert.rejects(InspectionSession.open(await testRuntime(), file, undefined), (e) => {
        assert.ok(e instanceof InspectorError);
        assert.match(
          e.message,
          /badOrder\.ts: export 'channelOrder' must be 'rgb' or 'bgr', not "BGR"/,
        );
        return true;
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the CLI --unit pictures of a BGR model show a blue pixel blue', () => {
    ensureBuilt();
    const dir = mkdtempSync(join(tmpdir(), 'cnn-bgr-cli-'));
    try {
      const image = join(dir, 'blue.png');
      writeFileSync(image, bluePixelPng());
      const json = join(dir, 'r.json');
      const run = spawnSync(
        process.execPath,
        [
          join(repoRoot, 'dist', 'cli.js'),
          'report',
          join(models, 'bgrBlue.ts'),
          '--image',
          image,
          '--json',
          json,
          '--unit',
          'blue:0:0:0',
          '--backend',
          'cpu',
        ],
        { encoding: 'utf8', timeout: 120_000 },
      );
      assert.equal(run.status, 0, run.stderr);
      const report = JSON.parse(readFileSync(json, 'utf8'));
      for (const p of report.unit.projections) {
        const png = PNG.sync.read(readFileSync(join(dir, p.png)));
        // (0, 0) carries +1 on blue, the other pixels 0: mid grey.
        assert.deepEqual(Array.from(png.data.subarray(0, 4)), [128, 128, 255, 255], p.method);
        assert.deepEqual(Array.from(png.data.subarray(4, 8)), [128, 128, 128, 255], p.method);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
