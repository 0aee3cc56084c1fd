/**
 * The native engine (ONNX Runtime) against TensorFlow.js: every layer's activation of the example
 * models and of small models with every translated layer type agrees to 1e-4 of the layer's
 * largest magnitude; a layer without a translation makes the model run on TensorFlow.js with the
 * reason; the TensorFlow.js side leaks no tensors.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InspectionSession } from '../../src/analysis/inspectionSession';
import { computeActivations } from '../../src/analysis/activations';
import { loadOnnxRuntime } from '../../src/analysis/engines/onnxRuntime';
import { testRuntime } from './helpers/runtime';
import { ensureFixtures, loadFixture, loadOpFixture } from './helpers/onnxFixtures';
import { ensureBuilt, repoRoot } from './helpers/build';

const root = repoRoot;
const models = join(root, 'test', 'fixtures', 'models');
const examples = join(root, 'examples');
const photo = join(examples, 'images', 'chelsea.png');
const TOLERANCE = 1e-4;

/** Largest |native - tfjs| over the layer, relative to the layer's largest |value|. */
async function compareEngines(session: InspectionSession): Promise<string[]> {
  const { tf } = session;
  const input = session.modelInput!;
  const tensor = tf.tensor(input.data, [1, ...input.shape]);
  const names = session.summary.layers.map((l) => l.name);
  const reference = await computeActivations(tf, session.layersModel, names, tensor);
  tensor.dispose();
  const failures: string[] = [];
  for (const name of names) {
    const native = session.layer(name);
    const expected = reference.get(name)!;
    assert.deepEqual(native.shape, expected.shape, `${name}: shape`);
    let scale = 0;
    let worst = 0;
    for (let i = 0; i < expected.data.length; i++) {
      scale = Math.max(scale, Math.abs(expected.data[i]));
      worst = Math.max(worst, Math.abs(expected.data[i] - native.data[i]));
    }
    if (worst > TOLERANCE * Math.max(scale, 1e-6)) {
      failures.push(`${name}: differs by ${worst} (largest |value| ${scale})`);
    }
  }
  return failures;
}

function cli(...args: string[]) {
  return spawnSync(process.execPath, [join(repoRoot, 'dist', 'cli.js'), ...args], {
    encoding: 'utf8',
    timeout: 120_000,
  });
}

async function openNative(file: string, exportName?: string): Promise<InspectionSession> {
  const session = await InspectionSession.open(await testRuntime(), file, exportName, () => {}, {
    engine: 'onnxruntime',
    threads: 1,
  });
  assert.equal(session.engineFallbackReason, undefined);
  assert.equal(session.backend, 'onnxruntime');
  return session;
}

describe('native engine (ONNX Runtime)', function () {
  this.timeout(180_000);

  it('loads onnxruntime-node on this machine', () => {
    const { ort, error } = loadOnnxRuntime();
    assert.ok(ort, error);
  });

  for (const [file, image] of [
    ['lenet.ts', join(examples, 'images', 'fashion-mnist', '000-ankle-boot.png')],
    ['cifar10net.ts', photo],
    ['edges1d.ts', join(examples, 'signals', 'lecture.csv')],
  ]) {
    it(`agrees with TensorFlow.js on every layer of examples/${file}`, async () => {
      const session = await openNative(join(examples, file));
      try {
        await session.runInput(image);
        assert.deepEqual(await compareEngines(session), []);
      } finally {
        session.dispose();
      }
    });
  }

  for (const exportName of ['convolutions', 'pooling', 'merges']) {
    it(`agrees with TensorFlow.js on every layer of the '${exportName}' layer-type model`, async () => {
      const session = await openNative(join(models, 'engineLayers.ts'), exportName);
      try {
        await session.runInput(photo);
        assert.deepEqual(await compareEngines(session), []);
      } finally {
        session.dispose();
      }
    });
  }

  it('agrees with TensorFlow.js on the 1-D layers (dilated, strided, same pooling)', async () => {
    const session = await openNative(join(models, 'engineLayers1d.ts'));
    try {
      await session.runInput('synthetic:sine?period=5');
      assert.deepEqual(await compareEngines(session), []);
    } finally {
      session.dispose();
    }
  });

  it('keeps one warm session: a new image reuses it and leaks no TensorFlow.js tensor', async () => {
    const runtime = await testRuntime();
    const session = await openNative(join(examples, 'lenet.ts'));
    try {
      await session.runInput(join(examples, 'images', 'fashion-mnist', '000-ankle-boot.png'));
      const before = runtime.tf.memory().numTensors;
      const first = session.layer('conv1').data.slice();
      await session.runInput(join(examples, 'images', 'fashion-mnist', '001-pullover.png'));
      await session.runInput(join(examples, 'images', 'fashion-mnist', '000-ankle-boot.png'));
      assert.equal(runtime.tf.memory().numTensors, before);
      assert.deepEqual(session.layer('conv1').data, first);
    } finally {
      session.dispose();
    }
  });

  it('falls back to TensorFlow.js for a layer it cannot express, naming it', async () => {
    const session = await InspectionSession.open(
      await testRuntime(),
      join(models, 'engineLayers.ts'),
      'untranslatable',
      () => {},
      { engine: 'auto' },
    );
    try {
      assert.equal(session.backend, 'wasm');
      assert.match(
        session.engineFallbackReason ?? '',
        /^ONNX Runtime cannot run this model: layer 'deconv' \(Conv2DTranspose\) has no translation/,
      );
      await session.runInput(photo); // and still runs
      assert.deepEqual(session.layer('deconv').shape, [6, 6, 1]);
    } finally {
      session.dispose();
    }
  });

  it('says which engine ran in the CLI JSON, and why it fell back', () => {
    ensureBuilt();
    const dir = mkdtempSync(join(tmpdir(), 'cnn-engine-'));
    const native = join(dir, 'native.json');
    const fallback = join(dir, 'fallback.json');
    const file = join(models, 'engineLayers.ts');
    let run = cli('report', file, '--export', 'pooling', '--image', photo, '--json', native);
    assert.equal(run.status, 0, run.stderr);
    const nativeReport = JSON.parse(readFileSync(native, 'utf8'));
    assert.equal(nativeReport.backend, 'onnxruntime');
    assert.equal(nativeReport.engineFallback, undefined);
    run = cli('report', file, '--export', 'untranslatable', '--image', photo, '--json', fallback);
    assert.equal(run.status, 0, run.stderr);
    const report = JSON.parse(readFileSync(fallback, 'utf8'));
    assert.equal(report.backend, 'wasm');
    assert.match(report.engineFallback, /layer 'deconv' \(Conv2DTranspose\)/);
    run = cli('report', file, '--image', photo, '--engine', 'tfjs', '--json', fallback);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(JSON.parse(readFileSync(fallback, 'utf8')).backend, 'wasm');
    run = cli('report', file, '--image', photo, '--engine', 'fast');
    assert.equal(run.status, 2);
    assert.match(run.stderr, /unknown engine 'fast'/);
  });

  describe('ONNX files, run as they are', () => {
    const nets = [
      'convs',
      'pools',
      'arithmetic',
      'batchnorm',
      'groups',
      'resnet18',
      'mobilenet_v2',
      'squeezenet1_1',
      'googlenet',
      // Channels-last values (ConvNeXt's blocks), fused LayerNorm, GELU and Linear; a channel
      // picked by Inception v3's transform_input.
      'convnext',
      'convnext_opset17',
      'inception_input',
    ];
    before(() => ensureFixtures(nets));

    for (const name of nets) {
      it(`${name}: every layer, read through the import's values, agrees with TensorFlow.js`, async () => {
        const session = await openNative(loadFixture(name).modelFile);
        try {
          assert.match(session.engineNotes.join(' '), /the file's own graph/);
          if (name === 'convs') {
            // A transposed convolution before its crop (ONNX's pads): the same node without
            // pads is added to the file's graph for the layer's own, uncropped output.
            const classes = session.summary.layers.map((l) => l.className);
            assert.ok(classes.includes('Conv2DTranspose') && classes.includes('Cropping2D'));
          }
          if (name === 'groups') {
            // Grouped and dilated depthwise convolutions, and averages PyTorch divides by the
            // window's overlap (the import's rescale after an AveragePooling2D).
            const classes = session.summary.layers.map((l) => l.className);
            assert.equal(classes.filter((c) => c === 'OnnxGroupedConv2D').length, 3);
            assert.ok(classes.includes('AveragePooling2D'));
          }
          await session.runInput(photo);
          assert.deepEqual(await compareEngines(session), []);
        } finally {
          session.dispose();
        }
      });
    }

    // The op nets of scripts/onnx/export_op_fixtures.py: a Split's outputs (one layer each),
    // dilated max pooling (the import's OnnxMaxPool2D and its -Infinity padding layer), grouped
    // and dilated transposed convolutions with output_padding before their crops, bicubic
    // resizing (ONNX Runtime's cubic against the import's two matrix products).
    for (const name of ['split13', 'split11', 'maxpool_dilated', 'deconvs', 'cubic']) {
      it(`op net ${name}: every layer agrees with TensorFlow.js`, async () => {
        const session = await openNative(loadOpFixture(name).modelFile);
        try {
          await session.runInput(photo);
          assert.deepEqual(await compareEngines(session), []);
        } finally {
          session.dispose();
        }
      });
    }
  });
});
