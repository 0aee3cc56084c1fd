import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  filePathFromUrl,
  fileSystemLoadHandler,
  fileSystemSaveHandler,
  registerFileSystemRouter,
} from '../../src/analysis/model/fileSystemIO';
import { runtimeForModelFile } from '../../src/analysis/model/runtimeForModelFile';

// A dense layer 2 -> 3 with hand-picked weights: output = x . [[1,2,3],[4,5,6]] + [7,8,9].
const KERNEL = [
  [1, 2, 3],
  [4, 5, 6],
];
const BIAS = [7, 8, 9];
const WEIGHT_BYTES = (6 + 3) * 4; // nine float32 values

function smallModel(): tf.LayersModel {
  const model = tf.sequential();
  model.add(tf.layers.dense({ name: 'dense', inputShape: [2], units: 3 }));
  const weights = [tf.tensor2d(KERNEL), tf.tensor1d(BIAS)];
  model.setWeights(weights);
  tf.dispose(weights);
  return model;
}

async function saveSmallModel(dir: string): Promise<void> {
  const model = smallModel();
  await model.save(fileSystemSaveHandler(dir));
  model.dispose();
}

function predictOnes(model: tf.LayersModel): number[] {
  return tf.tidy(() => Array.from((model.predict(tf.ones([1, 2])) as tf.Tensor).dataSync()));
}

async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  return assert.fail('expected the promise to reject');
}

function loadError(path: string): Promise<Error> {
  return rejectionOf(fileSystemLoadHandler(path).load!());
}

describe('fileSystemIO', () => {
  let dir: string;
  let baseline: number;

  before(async () => {
    await tf.ready();
    registerFileSystemRouter(tf);
  });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fs-io-'));
    baseline = tf.memory().numTensors;
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    assert.equal(tf.memory().numTensors, baseline, 'tensor leak');
  });

  it('saves model.json and a weights.bin of the right size', async () => {
    await saveSmallModel(dir);
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    assert.deepEqual(json.weightsManifest[0].paths, ['weights.bin']);
    assert.deepEqual(
      json.weightsManifest[0].weights.map((w: { shape: number[] }) => w.shape),
      [[2, 3], [3]],
    );
    assert.equal(json.modelTopology.class_name, 'Sequential');
    const bin = readFileSync(join(dir, 'weights.bin'));
    assert.equal(bin.byteLength, WEIGHT_BYTES);
    assert.deepEqual(Array.from(new Float32Array(bin.buffer, bin.byteOffset, 9)), [
      ...KERNEL.flat(),
      ...BIAS,
    ]);
  });

  it('loads back the same weights through the handler', async () => {
    await saveSmallModel(dir);
    const model = await tf.loadLayersModel(fileSystemLoadHandler(join(dir, 'model.json')));
    const [kernel, bias] = model.getWeights();
    assert.deepEqual(kernel.arraySync(), KERNEL);
    assert.deepEqual(bias.arraySync(), BIAS);
    // [1, 1] . kernel + bias = [1+4+7, 2+5+8, 3+6+9]
    assert.deepEqual(predictOnes(model), [12, 15, 18]);
    model.dispose();
  });

  it('loads absolute and relative file:// URLs through the registered router', async () => {
    await saveSmallModel(join(dir, 'sub folder'));
    const absolute = await tf.loadLayersModel(
      `file://${encodeURI(join(dir, 'sub folder', 'model.json'))}`,
    );
    assert.deepEqual(predictOnes(absolute), [12, 15, 18]);
    absolute.dispose();
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const relative = await tf.loadLayersModel('file://./sub folder/model.json');
      assert.deepEqual(predictOnes(relative), [12, 15, 18]);
      relative.dispose();
    } finally {
      process.chdir(cwd);
    }
  });

  it('registers its router only once per tf namespace', () => {
    assert.equal(registerFileSystemRouter(tf), false);
    assert.equal(tf.io.getLoadHandlers('file:///x/model.json').length, 1);
  });

  it('reads weights split over several shard files in manifest order', async () => {
    await saveSmallModel(dir);
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    const bin = readFileSync(join(dir, 'weights.bin'));
    writeFileSync(join(dir, 'shard1.bin'), bin.subarray(0, 20));
    writeFileSync(join(dir, 'shard2.bin'), bin.subarray(20));
    json.weightsManifest[0].paths = ['shard1.bin', 'shard2.bin'];
    writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
    const model = await tf.loadLayersModel(fileSystemLoadHandler(join(dir, 'model.json')));
    assert.deepEqual(predictOnes(model), [12, 15, 18]);
    model.dispose();
  });

  it('joins weight data given as several buffers when saving', async () => {
    const handler = fileSystemSaveHandler(join(dir, 'out'));
    const result = await handler.save!({
      modelTopology: { class_name: 'Sequential' },
      weightSpecs: [{ name: 'w', shape: [2], dtype: 'float32' }],
      weightData: [new Float32Array([1]).buffer, new Float32Array([2]).buffer],
    });
    assert.equal(result.modelArtifactsInfo.weightDataBytes, 8);
    const bin = readFileSync(join(dir, 'out', 'weights.bin'));
    assert.deepEqual(Array.from(new Float32Array(bin.buffer, bin.byteOffset, 2)), [1, 2]);
  });

  it('names a missing model.json', async () => {
    const path = join(dir, 'nothing', 'model.json');
    const err = await loadError(path);
    assert.match(err.message, /Cannot read model file/);
    assert.ok(err.message.includes(path), err.message);
  });

  it('names a model.json that is not JSON', async () => {
    const path = join(dir, 'model.json');
    writeFileSync(path, '{"modelTopology": {');
    const err = await loadError(path);
    assert.match(err.message, /not valid JSON/);
    assert.ok(err.message.includes(path), err.message);
  });

  it('names a model.json without topology or manifest, or of the wrong JSON type', async () => {
    const path = join(dir, 'model.json');
    writeFileSync(path, '[1, 2]');
    assert.match((await loadError(path)).message, /does not hold a JSON object/);
    writeFileSync(path, '{"weightsManifest": []}');
    assert.match((await loadError(path)).message, /model\.json has no modelTopology/);
    writeFileSync(path, '{"modelTopology": {}}');
    assert.match((await loadError(path)).message, /model\.json has no weightsManifest/);
    writeFileSync(path, '{"modelTopology": {}, "weightsManifest": [{"paths": ["a.bin"]}]}');
    assert.match(
      (await loadError(path)).message,
      /weightsManifest\[0\] needs "paths" and "weights"/,
    );
  });

  it('names a missing weights shard', async () => {
    await saveSmallModel(dir);
    rmSync(join(dir, 'weights.bin'));
    const err = await loadError(join(dir, 'model.json'));
    assert.ok(err.message.includes(join(dir, 'weights.bin')), err.message);
    assert.match(err.message, /missing/);
  });

  it('names a weights file whose length does not match the manifest', async () => {
    await saveSmallModel(dir);
    const bin = readFileSync(join(dir, 'weights.bin'));
    writeFileSync(join(dir, 'weights.bin'), bin.subarray(0, WEIGHT_BYTES - 4));
    const err = await loadError(join(dir, 'model.json'));
    assert.ok(err.message.includes(join(dir, 'weights.bin')), err.message);
    assert.match(err.message, /holds 32 bytes but its manifest needs 36 bytes/);
    writeFileSync(join(dir, 'weights.bin'), Buffer.concat([bin, Buffer.alloc(4)]));
    assert.match((await loadError(join(dir, 'model.json'))).message, /holds 40 bytes/);
  });

  it('refuses weight paths that leave the model folder, naming the entry and the folder', async () => {
    // The outside file has exactly the manifest's size: before the check it loaded as weights.
    const modelDir = join(dir, 'model');
    await saveSmallModel(modelDir);
    const secret = join(dir, 'secret.bin');
    writeFileSync(secret, Buffer.alloc(WEIGHT_BYTES, 7));
    const path = join(modelDir, 'model.json');
    const json = JSON.parse(readFileSync(path, 'utf8'));
    for (const bad of ['../secret.bin', secret, 'sub/../../secret.bin', '.', '']) {
      json.weightsManifest[0].paths = ['weights.bin', bad];
      json.weightsManifest[0].weights.push(...json.weightsManifest[0].weights);
      writeFileSync(path, JSON.stringify(json));
      json.weightsManifest[0].weights.splice(2);
      const err = await loadError(path);
      assert.ok(err.message.startsWith(`Model file ${path}: `), err.message);
      assert.ok(
        err.message.includes(
          `weightsManifest[0].paths[1] ${JSON.stringify(bad)} is not a file inside the model's folder ${modelDir}`,
        ),
        err.message,
      );
    }
  });

  it('reads weight paths in subfolders and names starting with dots inside the folder', async () => {
    await saveSmallModel(dir);
    const bin = readFileSync(join(dir, 'weights.bin'));
    mkdirSync(join(dir, 'shards'));
    writeFileSync(join(dir, 'shards', '..w.bin'), bin);
    const path = join(dir, 'model.json');
    const json = JSON.parse(readFileSync(path, 'utf8'));
    json.weightsManifest[0].paths = ['./shards/x/../..w.bin'];
    writeFileSync(path, JSON.stringify(json));
    const model = await tf.loadLayersModel(fileSystemLoadHandler(path));
    assert.deepEqual(predictOnes(model), [12, 15, 18]);
    model.dispose();
  });

  it('model files load file:// URLs with this checked handler, whatever file:// handler TF.js has', async () => {
    await saveSmallModel(join(dir, 'w'));
    const seen: unknown[] = [];
    const fakeTf = {
      ...tf,
      loadLayersModel: (source: unknown) => {
        seen.push(source);
        return tf.loadLayersModel(source as tf.io.IOHandler);
      },
    } as unknown as typeof tf;
    const namespace = runtimeForModelFile(fakeTf, join(dir, 'm.ts'));
    const model = await namespace.loadLayersModel('file://./w/model.json');
    assert.deepEqual(predictOnes(model), [12, 15, 18]);
    model.dispose();
    assert.equal(typeof seen[0], 'object', 'the URL was passed on to TF.js');
  });

  it('rejects a load through the router with the file named', async () => {
    const path = join(dir, 'missing', 'model.json');
    const err = await rejectionOf(tf.loadLayersModel(`file://${path}`));
    assert.ok(err.message.includes(path), err.message);
  });

  it('turns file URLs into paths', () => {
    assert.equal(filePathFromUrl('file:///tmp/a%20b/model.json'), '/tmp/a b/model.json');
    assert.equal(filePathFromUrl('file://./x/model.json'), resolve('x/model.json'));
    assert.throws(() => filePathFromUrl('http://host/model.json'), /Not a file:\/\/ URL/);
  });

  it('creates the target folder when saving', async () => {
    const nested = join(dir, 'a', 'b');
    await saveSmallModel(nested);
    assert.equal(readFileSync(join(nested, 'weights.bin')).byteLength, WEIGHT_BYTES);
  });
});
