// Large ONNX files: the weights are copied once, into the model's layout; no layer keeps a view
// into the file's bytes, so the buffer is released once the model is built; a load reports its
// progress through the worker. (The figures for VGG-16's 553 MB file are measured by
// scripts/onnx/measureImport.ts in `npm run bench`, never here.)
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as tf from '@tensorflow/tfjs';
import { onnxModelFromBytes } from '../../src/analysis/onnx/loadOnnxModel';
import { WorkerClient } from '../../src/host/workerClient';
import type { WorkerConfig } from '../../src/protocol/worker/workerProtocol';
import { ensureBuilt, repoRoot } from './helpers/build';
import { loadFixture } from './helpers/onnxFixtures';
import { excludeOutsideResize } from './helpers/onnxRefusals';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

async function collect(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setTimeout(r, 20));
    collectGarbage();
  }
}

describe('ONNX import: large files', function () {
  this.timeout(10 * 60_000);

  it("no weight of the model is a view into the file's bytes, and the bytes are released", async () => {
    // The cpu backend keeps a typed array given to tf.tensor as the tensor's storage: a weight
    // made from a view into the file would keep the whole file alive.
    await tf.setBackend('cpu');
    const file = loadFixture('resnet18').modelFile;
    let bytes: Uint8Array | undefined = new Uint8Array(readFileSync(file));
    const fileBuffer = new WeakRef(bytes.buffer);
    const loaded = onnxModelFromBytes(tf, bytes, file);
    for (const w of loaded.model.weights) {
      const values = w.read().dataSync();
      assert.notEqual(values.buffer, bytes.buffer, `${w.name} is a view into the file`);
    }
    bytes = undefined;
    await collect();
    assert.equal(fileBuffer.deref(), undefined, "the file's bytes are still referenced");
    loaded.model.dispose();
  });

  it('a failed import frees the weights of the layers made before the refusal', async () => {
    await tf.setBackend('cpu');
    const file = join(loadFixture('convs').dir, '..', 'bad', 'resize.onnx');
    // A convolution, then a bicubic Resize made unsupported (exclude_outside=1): the refusal
    // comes after the convolution's weights exist.
    const bytes = excludeOutsideResize(file);
    const before = tf.memory().numTensors;
    assert.throws(() => onnxModelFromBytes(tf, bytes, file), /Resize.*exclude_outside/);
    assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  });

  it('loading an .onnx file in the worker reports reading, parsing and building to 100%', async () => {
    ensureBuilt();
    const client = new WorkerClient({
      workerScript: join(repoRoot, 'dist', 'worker.js'),
      memoryLimitMb: 2048,
      log: () => undefined,
    });
    try {
      const config: WorkerConfig = { backend: 'wasm', searchDirs: [], maxImageMegapixels: 100 };
      const progress: string[] = [];
      const loaded = await client.request(
        {
          type: 'loadModel',
          config,
          model: { file: loadFixture('resnet18').modelFile },
          reload: false,
        },
        { timeoutMs: 300_000, onProgress: (m) => progress.push(m) },
      );
      assert.ok(loaded.summary.layers.some((l) => l.name === 'layer1.0.conv1'));
      const steps = progress.filter((m) => /\(\d+%\)$/.test(m));
      const percents = steps.map((m) => Number(/\((\d+)%\)$/.exec(m)![1]));
      assert.match(steps[0], /^Reading \d+ MB \(0%\)$/, progress.join('; '));
      assert.ok(
        steps.some((m) => m.startsWith('Parsing ONNX')),
        progress.join('; '),
      );
      assert.equal(steps.at(-1), 'Building layers and weights (100%)', progress.join('; '));
      assert.deepEqual(
        percents,
        [...percents].sort((a, b) => a - b),
        'progress only grows',
      );
      assert.ok(new Set(percents).size >= 10, `a few steps, not one jump: ${percents.join(' ')}`);
    } finally {
      client.dispose();
    }
  });
});
