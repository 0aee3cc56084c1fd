/**
 * Warm native engines: reopening an unchanged model (a save without change, a panel opened again)
 * reuses its ONNX Runtime session; a changed file, other weights or another thread count builds a
 * new one; a new image never does. Counted with engineBuildCount().
 */
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InspectionSession } from '../../src/analysis/inspectionSession';
import { clearIdleEngines, engineBuildCount } from '../../src/analysis/engines/engineCache';
import { testRuntime } from './helpers/runtime';
import { repoRoot } from './helpers/build';

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
