/**
 * Warm native engines: reopening an unchanged model (a save without change, a panel opened again)
 * reuses its ONNX Runtime session; a changed file, other weights or another thread count builds a
 * new one; a new image never does. Counted with engineBuildCount(), and in a model worker by its
 * progress steps (the TensorFlow.js model is built once while only the image changes).
 */
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InspectionSession } from '../../src/analysis/inspectionSession';
import { clearIdleEngines, engineBuildCount } from '../../src/analysis/engines/engineCache';
import { fileSystemSaveHandler } from '../../src/analysis/model/fileSystemIO';
import { WorkerClient } from '../../src/host/workerClient';
import type { WorkerConfig } from '../../src/protocol/worker/workerProtocol';
import { testRuntime } from './helpers/runtime';
import { greyPng } from './helpers/imageBytes';
import { ensureBuilt, repoRoot } from './helpers/build';

const fashion = join(repoRoot, 'examples', 'images', 'fashion-mnist');
const boot = join(fashion, '000-ankle-boot.png');
const pullover = join(fashion, '001-pullover.png');

/** A small conv net; `seed` undefined: fresh random weights on every load. */
function modelSource(filters: number, seed?: number): string {
  const init =
    seed === undefined
      ? ''
      : `kernelInitializer: tf.initializers.glorotUniform({ seed: ${seed} }),`;
  return `import * as tf from '@tensorflow/tfjs';
export default function net(): tf.LayersModel {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ name: 'conv', inputShape: [28, 28, 1], filters: ${filters}, kernelSize: 3, activation: 'relu', ${init} }));
  model.add(tf.layers.maxPooling2d({ name: 'pool', poolSize: 2 }));
  return model;
}
`;
}

/** Saves a conv net whose kernel is all `value` to `dir` (model.json, weights.bin), dated `at`. */
async function saveWeights(dir: string, value: number, at: number): Promise<void> {
  const { tf } = await testRuntime();
  const model = tf.sequential();
  model.add(
    tf.layers.conv2d({
      name: 'conv',
      inputShape: [28, 28, 1],
      filters: 2,
      kernelSize: 3,
      kernelInitializer: tf.initializers.constant({ value }),
    }),
  );
  await model.save(fileSystemSaveHandler(dir));
  model.dispose();
  for (const name of ['model.json', 'weights.bin']) utimesSync(join(dir, name), at, at);
}

/** A model file that loads its weights from `dir`'s model.json (as examples/lenet.ts does). */
function loadingModelSource(dir: string): string {
  return `import * as tf from '@tensorflow/tfjs';
export default function net(): Promise<tf.LayersModel> {
  return tf.loadLayersModel(${JSON.stringify(`file://${join(dir, 'model.json')}`)});
}
`;
}

/** A model file whose 16 5x5 kernels (400 values) are read from `kernel.json` with `fs`. */
function fsWeightsModelSource(kernelFile: string): string {
  return `import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
export default function net(): tf.LayersModel {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ name: 'conv', inputShape: [28, 28, 1], filters: 16, kernelSize: 5, useBias: false }));
  const kernel: number[] = JSON.parse(readFileSync(${JSON.stringify(kernelFile)}, 'utf8'));
  model.layers[0].setWeights([tf.tensor4d(kernel, [5, 5, 1, 16])]);
  return model;
}
`;
}

async function open(file: string, threads = 1): Promise<InspectionSession> {
  const session = await InspectionSession.open(await testRuntime(), file, undefined, () => {}, {
    engine: 'onnxruntime',
    threads,
  });
  assert.equal(session.backend, 'onnxruntime', session.engineNotes.join(' '));
  return session;
}

/** Opens, runs `image`, returns conv's activations and disposes the session. */
async function convOf(file: string, image = boot, threads = 1): Promise<Float32Array> {
  const session = await open(file, threads);
  try {
    await session.runInput(image);
    return session.layer('conv').data.slice();
  } finally {
    session.dispose();
  }
}

describe('warm native engines', function () {
  this.timeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), 'cnn-engine-cache-'));
  const file = join(dir, 'net.ts');
  beforeEach(() => clearIdleEngines());
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reopening the unchanged model reuses its engine; a new image builds nothing', async () => {
    writeFileSync(file, modelSource(4, 1));
    const before = engineBuildCount();
    const first = await convOf(file);
    assert.equal(engineBuildCount(), before + 1);
    const again = await convOf(file); // the panel closed and opened, or a save without change
    assert.equal(engineBuildCount(), before + 1);
    assert.deepEqual(again, first);
    const session = await open(file);
    try {
      await session.runInput(boot);
      await session.runInput(pullover);
      assert.notDeepEqual(session.layer('conv').data, first);
    } finally {
      session.dispose();
    }
    assert.equal(engineBuildCount(), before + 1);
  });

  it('a changed file builds a new engine, with the new model', async () => {
    writeFileSync(file, modelSource(4, 1));
    await convOf(file);
    const before = engineBuildCount();
    writeFileSync(file, modelSource(6, 1));
    const changed = await convOf(file);
    assert.equal(engineBuildCount(), before + 1);
    assert.equal(changed.length, 26 * 26 * 6);
  });

  it('weights drawn at random on each load: a new engine each time, never stale numbers', async () => {
    writeFileSync(file, modelSource(4));
    const before = engineBuildCount();
    const a = await convOf(file);
    const b = await convOf(file);
    assert.equal(engineBuildCount(), before + 2);
    assert.notDeepEqual(a, b);
  });

  it('another thread count is another engine', async () => {
    writeFileSync(file, modelSource(4, 1));
    await convOf(file, boot, 1);
    const before = engineBuildCount();
    await convOf(file, boot, 2);
    assert.equal(engineBuildCount(), before + 1);
  });

  it('new thread options (the setting changed) rebuild only the engine, and the next pass uses it', async () => {
    writeFileSync(file, modelSource(4, 1));
    const session = await open(file, 1);
    try {
      await session.runInput(boot);
      const before = session.layer('conv').data.slice();
      const built = session.layersModel;
      const builds = engineBuildCount();
      assert.equal(await session.changeEngine({ engine: 'onnxruntime', threads: 1 }), false);
      assert.equal(engineBuildCount(), builds, 'the same options keep the engine');
      assert.equal(await session.changeEngine({ engine: 'onnxruntime', threads: 2 }), true);
      assert.equal(engineBuildCount(), builds + 1);
      assert.match(session.engineNotes.join(' '), /\(2 threads\)/);
      assert.equal(session.layersModel, built, 'the TensorFlow.js model is kept');
      assert.equal(session.currentImage, undefined, 'the last pass is forgotten');
      assert.throws(() => session.layer('conv'), /no activations yet/);
      await session.runInput(boot);
      const after = session.layer('conv').data;
      assert.equal(after.length, before.length);
      after.forEach((v, i) => assert.ok(Math.abs(v - before[i]) <= 1e-5, `value ${i}`));
    } finally {
      session.dispose();
    }
  });

  it('a weights file written again (same size, new values) builds a new engine with them', async () => {
    const saved = join(dir, 'saved');
    await saveWeights(saved, 0.5, 1_000);
    writeFileSync(file, loadingModelSource(saved));
    const half = await convOf(file);
    const before = engineBuildCount();
    assert.deepEqual(await convOf(file), half, 'unchanged: the warm engine');
    assert.equal(engineBuildCount(), before);
    const size = statSync(join(saved, 'weights.bin')).size;
    await saveWeights(saved, 1.5, 2_000);
    assert.equal(statSync(join(saved, 'weights.bin')).size, size);
    const threeHalves = await convOf(file);
    assert.equal(engineBuildCount(), before + 1);
    // A constant kernel: the output scales with it (3x), wherever the patch is not black.
    const lit = half.findIndex((v) => v > 0.1);
    assert.ok(lit >= 0);
    assert.ok(
      Math.abs(threeHalves[lit] / half[lit] - 3) < 1e-4,
      `${threeHalves[lit]} / ${half[lit]}`,
    );
  });

  it('one kernel value changed in a file read with fs: a new engine with it', async () => {
    // 400 values: a sample of 8 runs of 8 would miss index 100 (runs start at 56 and 112).
    const kernelFile = join(dir, 'kernel.json');
    const kernel = Array.from({ length: 400 }, () => 0);
    writeFileSync(kernelFile, JSON.stringify(kernel));
    writeFileSync(file, fsWeightsModelSource(kernelFile));
    // A 28x28 grey image whose pixel (y, x) is (7y + 3x) mod 256: known without a decoder.
    const pixel = (y: number, x: number): number => (7 * y + 3 * x) % 256;
    const image = join(dir, 'ramp.png');
    const values = Array.from({ length: 28 * 28 }, (_, i) => pixel(Math.floor(i / 28), i % 28));
    writeFileSync(image, greyPng(28, 28, values));
    const zero = await convOf(file, image);
    assert.ok(zero.every((v) => v === 0));
    // Kernel index 100 in HWIO [5,5,1,16]: row 1, column 1, filter 4 (100 = (1*5+1)*16+4).
    kernel[100] = 1;
    writeFileSync(kernelFile, JSON.stringify(kernel));
    const before = engineBuildCount();
    const one = await convOf(file, image);
    assert.equal(engineBuildCount(), before + 1, 'the changed weight builds a new engine');
    // Output (y, x, filter 4) = input pixel (y+1, x+1) / 255, as the image is scaled to [0, 1].
    for (const [y, x] of [
      [10, 10],
      [12, 7],
      [20, 15],
    ]) {
      const expected = pixel(y + 1, x + 1) / 255;
      assert.ok(Math.abs(one[(y * 24 + x) * 16 + 4] - expected) < 1e-6, `(${y}, ${x})`);
    }
  });

  it('builds the session from bytes in memory when no temporary file can be written', async () => {
    writeFileSync(file, modelSource(4, 1));
    const throughFile = await convOf(file);
    await clearIdleEngines();
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = join(dir, 'missing', 'folder'); // mkdtemp fails: no weights file
    const before = engineBuildCount();
    let inMemory: Float32Array;
    try {
      inMemory = await convOf(file);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
    assert.equal(engineBuildCount(), before + 1);
    assert.deepEqual(inMemory, throughFile);
  });
});

describe('warm model in the worker', function () {
  this.timeout(180_000);
  const dir = mkdtempSync(join(tmpdir(), 'cnn-warm-worker-'));
  const file = join(dir, 'net.ts');
  const saved = join(dir, 'saved');
  const config: WorkerConfig = {
    backend: 'wasm',
    engine: 'onnxruntime',
    engineThreads: 1,
    searchDirs: [],
    maxImageMegapixels: 100,
  };
  const model = { file };
  let client: WorkerClient;
  const steps: string[] = [];
  const request = { timeoutMs: 120_000, onProgress: (step: string) => steps.push(step) };
  const builds = () => steps.filter((s) => s.startsWith('Building the model')).length;
  before(async () => {
    ensureBuilt();
    await saveWeights(saved, 0.5, 1_000);
    writeFileSync(file, loadingModelSource(saved));
    client = new WorkerClient({
      workerScript: join(repoRoot, 'dist', 'worker.js'),
      memoryLimitMb: 1024,
    });
  });
  after(async () => {
    client.dispose();
    await client.whenStopped();
    rmSync(dir, { recursive: true, force: true });
  });

  it('builds the model once while only the image changes or the panel opens again', async () => {
    const loaded = await client.request(
      { type: 'loadModel', config, model, reload: false },
      request,
    );
    assert.equal(loaded.backend, 'onnxruntime', loaded.backendNotes.join(' '));
    await client.request({ type: 'runInput', config, model, inputSource: boot }, request);
    await client.request({ type: 'runInput', config, model, inputSource: pullover }, request);
    // The panel closed and opened again: the same model, its last image.
    await client.request({ type: 'loadModel', config, model, reload: false }, request);
    const layer = await client.request(
      { type: 'getLayer', config, model, inputSource: pullover, layerName: 'conv' },
      request,
    );
    assert.equal(layer.shape.join('x'), '26x26x2');
    assert.equal(builds(), 1, steps.join('\n'));
  });

  it('builds it again when its weights file changes', async () => {
    const first = await client.request(
      { type: 'getLayer', config, model, inputSource: boot, layerName: 'conv' },
      request,
    );
    const built = builds();
    await saveWeights(saved, 1.5, 2_000);
    const after = await client.request(
      { type: 'getLayer', config, model, inputSource: boot, layerName: 'conv' },
      request,
    );
    assert.equal(builds(), built + 1, steps.join('\n'));
    assert.ok(Math.abs(after.max / first.max - 3) < 1e-4, `${after.max} / ${first.max}`);
  });
});
