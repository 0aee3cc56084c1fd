/**
 * The native engine's memory is outside V8's heap (the worker's resourceLimits do not see it): a
 * model is checked against the worker's memory limit before ONNX Runtime allocates anything, and
 * refused with the figures and the setting to change. Estimates worked out by hand.
 */
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InspectionSession } from '../../src/analysis/inspectionSession';
import { InspectorError } from '../../src/analysis/errors';
import { estimateNativeMemory } from '../../src/analysis/engines/nativeMemory';
import { engineBuildCount } from '../../src/analysis/engines/engineCache';
import { testRuntime } from './helpers/runtime';

const SOURCE = `import * as tf from '@tensorflow/tfjs';
export default function net(): tf.LayersModel {
  const model = tf.sequential({ name: 'net' });
  model.add(tf.layers.conv2d({ name: 'conv', inputShape: [28, 28, 1], filters: 4, kernelSize: 3 }));
  model.add(tf.layers.maxPooling2d({ name: 'pool', poolSize: 2 }));
  return model;
}
`;

// conv: 3x3x1x4 kernel + 4 biases = 40 weights; outputs 26x26x4 = 2704 and 13x13x4 = 676 values.
const WEIGHTS_BYTES = 40 * 4;
const ACTIVATIONS_BYTES = (2704 + 676) * 4 * 2;

describe('native engine memory check', function () {
  this.timeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), 'cnn-native-memory-'));
  const file = join(dir, 'net.ts');
  before(() => writeFileSync(file, SOURCE));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const open = (limitBytes: number, usedBytes = 0) =>
    testRuntime().then((runtime) =>
      InspectionSession.open(runtime, file, undefined, () => {}, {
        engine: 'onnxruntime',
        threads: 1,
        memory: {
          limitBytes,
          usedBytes: () => usedBytes,
          hint: 'setting cnnInspector.workerMemoryLimitMb',
        },
      }),
    );

  it('estimates the weights once and every layer output twice, per batch', async () => {
    const runtime = await testRuntime();
    const { tf } = runtime;
    const model = tf.sequential();
    model.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 4, kernelSize: 3 }));
    model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    try {
      assert.deepEqual(estimateNativeMemory(model, [28, 28, 1]), {
        weightsBytes: WEIGHTS_BYTES,
        activationsBytes: ACTIVATIONS_BYTES,
      });
      assert.equal(
        estimateNativeMemory(model, [28, 28, 1], 8).activationsBytes,
        ACTIVATIONS_BYTES * 8,
      );
    } finally {
      model.dispose();
    }
  });

  it('refuses a model that does not fit, naming the file, the model, the figures and the setting', async () => {
    const { tf } = await testRuntime();
    const tensors = tf.memory().numTensors;
    const builds = engineBuildCount();
    const needed = WEIGHTS_BYTES + ACTIVATIONS_BYTES;
    await assert.rejects(open(needed + 1000, 1001), (error: unknown) => {
      assert.ok(error instanceof InspectorError);
      assert.equal(error.kind, 'out-of-memory');
      assert.ok(error.message.startsWith(`${file}: model 'default' on ONNX Runtime needs about`));
      // 160 + 27,040 bytes = 27 KB; 1 KB held; a limit of 28,200 bytes = 28 KB.
      assert.match(
        error.message,
        /needs about 27 KB \(weights 1 KB, activations 27 KB\) beside the 1 KB/,
      );
      assert.match(error.message, /memory limit of 28 KB/);
      assert.match(error.message, /\(setting cnnInspector\.workerMemoryLimitMb\)/);
      assert.match(error.message, /cnnInspector\.engine: tfjs/);
      return true;
    });
    assert.equal(engineBuildCount(), builds, 'nothing built');
    assert.equal(tf.memory().numTensors, tensors, 'the model freed');
  });

  it('builds the engine when the estimate fits what the limit leaves', async () => {
    const needed = WEIGHTS_BYTES + ACTIVATIONS_BYTES;
    const session = await open(needed + 1000, 1000);
    try {
      assert.equal(session.backend, 'onnxruntime');
    } finally {
      session.dispose();
    }
  });
});
