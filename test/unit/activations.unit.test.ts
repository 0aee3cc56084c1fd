import * as assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { InspectionSession } from '../../src/analysis/inspectionSession';
import { buildActivationModel, computeActivations } from '../../src/analysis/activations';
import { InspectorError } from '../../src/analysis/errors';
import { greyPng } from './helpers/imageBytes';
import { testRuntime } from './helpers/runtime';

const models = join(__dirname, '..', 'fixtures', 'models');
const dir = mkdtempSync(join(tmpdir(), 'cnn-act-'));

/** A 4x4 grey ramp: pixel k (row-major) has value 17k, so k/15 after the default /255. */
function rampImage(): string {
  const file = join(dir, 'ramp.png');
  writeFileSync(
    file,
    greyPng(
      4,
      4,
      Array.from({ length: 16 }, (_, k) => 17 * k),
    ),
  );
  return file;
}

describe('activations', () => {
  it('computes every layer of the hand-set model exactly as worked out on paper', async () => {
    const runtime = await testRuntime();
    const session = await InspectionSession.open(runtime, join(models, 'tiny.ts'), undefined);
    try {
      const result = await session.runInput(rampImage());
      // 2x2 all-ones kernel at (i, j) sums k = 4i+j, 4i+j+1, 4i+j+4, 4i+j+5 -> (16i + 4j + 10)/15, plus bias 0.5.
      const expectedConv: number[] = [];
      for (let i = 0; i < 3; i++)
        for (let j = 0; j < 3; j++) expectedConv.push((16 * i + 4 * j + 10) / 15 + 0.5);
      const conv = session.layer('sum2x2');
      assert.deepEqual(conv.shape, [3, 3, 1]);
      expectedConv.forEach((v, n) =>
        assert.ok(Math.abs(conv.data[n] - v) < 1e-5, `conv[${n}] ${conv.data[n]} != ${v}`),
      );
      assert.ok(Math.abs(conv.min - (10 / 15 + 0.5)) < 1e-5);
      assert.ok(Math.abs(conv.max - (50 / 15 + 0.5)) < 1e-5);
      const pooled = 50 / 15 + 0.5; // the 3x3 max pool keeps the largest
      assert.ok(Math.abs(session.layer('pool').data[0] - pooled) < 1e-5);
      // Dense [-1, 1] gives logits [-m, m]; softmax: bright = 1 / (1 + e^(-2m)).
      const bright = 1 / (1 + Math.exp(-2 * pooled));
      assert.equal(result.top5[0].label, 'bright');
      assert.ok(Math.abs(result.top5[0].probability - bright) < 1e-5);
      assert.ok(Math.abs(result.top5[1].probability - (1 - bright)) < 1e-5);
      // The input as the model sees it: the ramp itself, grey, opaque.
      assert.deepEqual(Array.from(result.input.rgba.subarray(4 * 5, 4 * 5 + 4)), [85, 85, 85, 255]);
    } finally {
      session.dispose();
    }
  });

  it('equals applying each layer of a LeNet-style model one after the other', async () => {
    const runtime = await testRuntime();
    const baseline = runtime.tf.memory().numTensors;
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({
          inputShape: [12, 12, 1],
          filters: 3,
          kernelSize: 5,
          padding: 'same',
          activation: 'relu',
        }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'tanh' }),
        tf.layers.averagePooling2d({ poolSize: 2 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 5, activation: 'softmax' }),
      ],
    });
    const input = tf.randomUniform([1, 12, 12, 1], 0, 1, 'float32', 7);
    const { probe, layerNames } = buildActivationModel(tf, model);
    const activations = await computeActivations(tf, probe, layerNames, input);
    let x: tf.Tensor = input;
    for (const layer of model.layers) {
      const next = layer.apply(x) as tf.Tensor;
      if (x !== input) x.dispose();
      x = next;
      const expected = await x.data();
      const got = activations.get(layer.name)!;
      assert.deepEqual(got.shape, x.shape.slice(1));
      expected.forEach((v, i) =>
        assert.ok(Math.abs(got.data[i] - v) < 1e-5, `${layer.name}[${i}]`),
      );
    }
    x.dispose();
    input.dispose();
    probe.dispose();
    assert.equal(runtime.tf.memory().numTensors, baseline, 'no tensor leaks');
  });

  it('runs a custom preprocess (RGB -> BGR, minus means) before the model', async () => {
    const runtime = await testRuntime();
    const session = await InspectionSession.open(
      runtime,
      join(models, 'bgrPreprocess.ts'),
      undefined,
    );
    try {
      const file = join(dir, 'grey40.png');
      writeFileSync(file, greyPng(2, 2, [40, 40, 40, 40]));
      await session.runInput(file);
      // Grey 40 copied to R, G, B; reversed to B, G, R (all 40); minus [100, 110, 120].
      assert.deepEqual(Array.from(session.layer('same').data.subarray(0, 3)), [-60, -70, -80]);
    } finally {
      session.dispose();
    }
  });

  describe('bad inputs', () => {
    async function runFails(model: string, image: string, pattern: RegExp, kind: string) {
      const runtime = await testRuntime();
      const baseline = runtime.tf.memory().numTensors;
      const session = await InspectionSession.open(runtime, join(models, model), undefined);
      const during = runtime.tf.memory().numTensors;
      try {
        await assert.rejects(session.runInput(image), (error: unknown) => {
          assert.ok(error instanceof InspectorError);
          assert.equal(error.kind, kind);
          assert.match(error.message, pattern);
          return true;
        });
        assert.equal(runtime.tf.memory().numTensors, during, 'a failed run leaks no tensors');
      } finally {
        session.dispose();
      }
      assert.equal(runtime.tf.memory().numTensors, baseline);
    }

    it('explains that a 1-D signal model takes no image', () =>
      runFails(
        'signal1d.ts',
        rampImage(),
        /signal1d\.ts: model 'default' takes input of shape \[16, 1\], not an image/,
        'not-an-image-model',
      ));

    it('reports a preprocess that fails, at its line', () =>
      runFails(
        'badPreprocess.ts',
        rampImage(),
        /badPreprocess\.ts:4:\d+: .*\(thrown in preprocess\)/,
        'runtime',
      ));

    it('reports a damaged image and leaves the session usable', async () => {
      const runtime = await testRuntime();
      const session = await InspectionSession.open(runtime, join(models, 'tiny.ts'), undefined);
      try {
        const broken = join(__dirname, '..', 'fixtures', 'images', 'truncated.jpg');
        await assert.rejects(
          session.runInput(broken),
          /truncated\.jpg: damaged or unsupported JPEG/,
        );
        const ok = await session.runInput(rampImage());
        assert.equal(ok.top5[0].label, 'bright');
      } finally {
        session.dispose();
      }
    });

    it('names the layers when asked for one that does not exist', async () => {
      const runtime = await testRuntime();
      const session = await InspectionSession.open(runtime, join(models, 'tiny.ts'), undefined);
      try {
        assert.throws(() => session.layer('sum2x2'), /no activations yet: choose an image first/);
        await session.runInput(rampImage());
        assert.throws(() => session.layer('conv9'), /has no layer 'conv9'/);
      } finally {
        session.dispose();
      }
    });
  });
});
