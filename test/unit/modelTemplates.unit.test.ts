import * as assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InspectionSession } from '../../src/analysis/inspectionSession';
import { freeFileName, MODEL_TEMPLATES } from '../../src/analysis/model/modelTemplates';
import {
  onnxWrapperFileName,
  onnxWrapperSource,
} from '../../src/analysis/model/onnxWrapperTemplate';
import { testRuntime } from './helpers/runtime';
import { loadFixture } from './helpers/onnxFixtures';

const samples = join(__dirname, '..', '..', 'media', 'samples');

// Parameter counts worked out by hand: conv k*k*in*out + out, dense in*out + out.
const EXPECTED: Record<string, { input: number[]; params: number[]; total: number }> = {
  lenet: {
    input: [28, 28, 1],
    // conv1 5*5*1*6+6, conv2 5*5*6*16+16, fc1 (5*5*16)*120+120, fc2 120*84+84, predictions 84*10+10
    params: [156, 0, 2416, 0, 0, 48120, 10164, 850],
    total: 61706,
  },
  'small-cifar': {
    input: [32, 32, 3],
    // 3*3*3*32+32, 3*3*32*32+32, pool, 3*3*32*64+64, 3*3*64*64+64, pool, flatten,
    // (8*8*64)*128+128, 128*10+10
    params: [896, 9248, 0, 18496, 36928, 0, 0, 524416, 1290],
    total: 591274,
  },
};

describe('model templates', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'cnn-inspector-templates-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const template of MODEL_TEMPLATES) {
    it(`${template.label} compiles, builds the network described and runs on its sample`, async () => {
      const expected = EXPECTED[template.id];
      assert.ok(expected, `no hand-made expectation for ${template.id}`);
      const file = join(dir, template.fileName);
      writeFileSync(file, template.source);
      const runtime = await testRuntime();
      const session = await InspectionSession.open(runtime, file, undefined);
      try {
        assert.deepEqual(session.summary.inputShape, expected.input);
        assert.deepEqual(
          session.summary.layers.map((l) => l.params.trainable + l.params.nonTrainable),
          expected.params,
        );
        assert.equal(session.summary.totalParams, expected.total);
        assert.equal(session.summary.labels?.length, 10);
        const result = await session.runInput(join(samples, template.sampleImage));
        const probabilities = session.layer('predictions').data;
        const sum = probabilities.reduce((a, b) => a + b, 0);
        assert.ok(Math.abs(sum - 1) < 1e-4, `softmax sums to ${sum}`);
        assert.ok(result);
      } finally {
        session.dispose();
      }
    });
  }

  it('ONNX import wrapper: ImageNet labels, and the input becomes (x/255 - mean) / std', async function () {
    this.timeout(300_000);
    const onnx = join(dir, 'resnet18.onnx');
    copyFileSync(loadFixture('resnet18').modelFile, onnx);
    const wrapper = join(dir, onnxWrapperFileName('resnet18.onnx'));
    assert.equal(wrapper, join(dir, 'resnet18-model.ts'));
    writeFileSync(wrapper, onnxWrapperSource('resnet18.onnx'));
    const runtime = await testRuntime();
    const image = join(samples, 'cat-64.png');
    const wrapped = await InspectionSession.open(runtime, wrapper, undefined);
    const bare = await InspectionSession.open(runtime, onnx, undefined);
    try {
      assert.equal(wrapped.summary.labels?.length, 1000);
      assert.deepEqual(wrapped.summary.labels?.slice(0, 3), [
        'tench',
        'goldfish',
        'great white shark',
      ]);
      const top = await wrapped.runInput(image);
      assert.ok(top.top5.every((c) => c.label === wrapped.summary.labels![c.index]));
      await bare.runInput(image);
      // conv1.pad holds the padded input: the bare file's is x/255, the wrapper's normalised.
      const mean = [0.485, 0.456, 0.406];
      const std = [0.229, 0.224, 0.225];
      const a = wrapped.layer('conv1.pad');
      const b = bare.layer('conv1.pad');
      assert.deepEqual(a.shape, b.shape);
      let worst = 0;
      for (let i = 0; i < a.data.length; i++) {
        const c = i % 3;
        const interior = b.data[i] !== 0; // the zero padding stays zero in both
        if (interior) worst = Math.max(worst, Math.abs(a.data[i] - (b.data[i] - mean[c]) / std[c]));
      }
      assert.ok(worst < 1e-5, `off by ${worst}`);
    } finally {
      wrapped.dispose();
      bare.dispose();
    }
  });

  it('proposes a free file name', () => {
    const taken = new Set(['lenet.ts', 'lenet-2.ts']);
    assert.equal(
      freeFileName('lenet.ts', (n) => taken.has(n)),
      'lenet-3.ts',
    );
    assert.equal(
      freeFileName('cifar.ts', (n) => taken.has(n)),
      'cifar.ts',
    );
  });
});
