// Gradient explanations through merges (ResNet's Add, Inception's Concatenate): the backward rules
// of each merge against hand-derived values, then a small residual network with an Add and a
// Concatenate against PyTorch's autograd on the same weights (test/oracles/
// residual_class_explanations.py): Grad-CAM at the Add, inside a branch and at the Concatenate,
// guided backpropagation, integrated gradients and a unit's gradient. No tensor may leak.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import type * as tfType from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { classHead, forwardChain, layerChain } from '../../src/analysis/explain/classChain';
import { gradCam } from '../../src/analysis/explain/gradCam';
import { integratedGradients } from '../../src/analysis/explain/integratedGradients';
import { mergeBackward } from '../../src/analysis/explain/mergeBackward';
import { layerSpecOf } from '../../src/analysis/explain/layerSpec';
import { projectUnit, propagateBack } from '../../src/analysis/explain/projection';
import type { LayerSpec } from '../../src/analysis/explain/types';
import { loadOnnxFile } from '../../src/analysis/onnx/loadOnnxModel';
import { loadFixture } from './helpers/onnxFixtures';
import { ORACLE_PYTHON, runPythonOracle } from './helpers/pythonOracle';
import { testRuntime } from './helpers/runtime';

const oracleScript = readFileSync(
  join(__dirname, '..', 'oracles', 'residual_class_explanations.py'),
  'utf8',
);

let tf: typeof tfType;
before(async () => {
  tf = (await testRuntime()).tf;
});

function assertClose(actual: ArrayLike<number>, expected: number[], what: string, tol = 1e-4) {
  assert.equal(actual.length, expected.length, `${what}: length`);
  const scale = Math.max(...expected.map(Math.abs), 1e-6);
  for (let i = 0; i < expected.length; i++)
    assert.ok(
      Math.abs(actual[i] - expected[i]) <= tol * scale,
      `${what}[${i}]: ${actual[i]} vs PyTorch ${expected[i]}`,
    );
}

const merge = (mergeOp: LayerSpec['mergeOp'], axis?: number): LayerSpec => ({
  name: 'm',
  className: 'Merge',
  op: 'merge',
  spatialRank: 0,
  activation: 'linear',
  mergeOp,
  axis,
});

describe('gradient explanations through merges', function () {
  this.timeout(240_000);

  it('merge rules: add copies, subtract negates, average shares, multiply scales, max routes, concatenate splits', () => {
    const x = { data: Float32Array.from([1, 2]), shape: [2] };
    const y = { data: Float32Array.from([3, -1]), shape: [2] };
    const r = Float32Array.from([10, 20]);
    const back = (spec: LayerSpec, inputs = [x, y], signal = r) =>
      mergeBackward(spec, inputs, signal).map((a) => Array.from(a));
    assert.deepEqual(back(merge('add')), [
      [10, 20],
      [10, 20],
    ]);
    assert.deepEqual(back(merge('subtract')), [
      [10, 20],
      [-10, -20],
    ]);
    assert.deepEqual(back(merge('average')), [
      [5, 10],
      [5, 10],
    ]);
    // d(xy)/dx = y, d(xy)/dy = x
    assert.deepEqual(back(merge('multiply')), [
      [30, -20],
      [10, 40],
    ]);
    // max(1, 3) = y, max(2, -1) = x; min the other way round
    assert.deepEqual(back(merge('maximum')), [
      [0, 20],
      [10, 0],
    ]);
    assert.deepEqual(back(merge('minimum')), [
      [10, 0],
      [0, 20],
    ]);
    // [2, 2, 1] ++ [2, 2, 2] along channels -> [2, 2, 3]: position p holds (x_p, y_p0, y_p1)
    const a = { data: new Float32Array(4), shape: [2, 2, 1] };
    const b = { data: new Float32Array(8), shape: [2, 2, 2] };
    const signal = Float32Array.from({ length: 12 }, (_, i) => i);
    assert.deepEqual(back(merge('concatenate', -1), [a, b], signal), [
      [0, 3, 6, 9],
      [1, 2, 4, 5, 7, 8, 10, 11],
    ]);
    // along rows (axis 0 of [h, w, c]): the first input's rows come first
    const top = { data: new Float32Array(2), shape: [1, 2, 1] };
    const bottom = { data: new Float32Array(4), shape: [2, 2, 1] };
    assert.deepEqual(back(merge('concatenate', 0), [top, bottom], signal.subarray(0, 6)), [
      [0, 1],
      [2, 3, 4, 5],
    ]);
    assert.throws(
      () => mergeBackward(merge('add'), [x, { data: new Float32Array(1), shape: [1] }], r),
      /'m' broadcasts inputs of shapes \[2\] and \[1\]/,
    );
  });

  it('reads Keras merge layers, with the axis of Concatenate for unbatched arrays', () => {
    const input = tf.input({ shape: [4, 4, 2] });
    const spec = (layer: tfType.layers.Layer) => {
      layer.apply([input, input]);
      return layerSpecOf(layer);
    };
    assert.equal(spec(tf.layers.add({})).mergeOp, 'add');
    assert.equal(spec(tf.layers.maximum({})).mergeOp, 'maximum');
    const cat = spec(tf.layers.concatenate({ axis: 2 }));
    assert.deepEqual([cat.op, cat.mergeOp, cat.axis], ['merge', 'concatenate', 1]);
    assert.equal(spec(tf.layers.concatenate({})).axis, -1);
  });

  describe('a residual network with an Add and a Concatenate, against PyTorch', () => {
    let model: tfType.LayersModel;
    const weights: Record<string, { data: number[]; shape: number[] }> = {};
    const input = new Float32Array(8 * 8 * 3);

    before(() => {
      let seed = 7;
      const random = () => {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        return seed / 2147483648;
      };
      input.forEach((_, i) => (input[i] = random()));
      const x = tf.input({ shape: [8, 8, 3] });
      const conv = (name: string, filters: number, k: number, activation: 'relu' | 'linear') =>
        tf.layers.conv2d({ name, filters, kernelSize: k, padding: 'same', activation });
      const a = conv('a', 4, 3, 'relu').apply(x) as tfType.SymbolicTensor;
      const b = conv('b', 4, 3, 'linear').apply(a) as tfType.SymbolicTensor;
      const sum = tf.layers.add({ name: 'sum' }).apply([a, b]) as tfType.SymbolicTensor;
      const relu = tf.layers.reLU({ name: 'relu' }).apply(sum) as tfType.SymbolicTensor;
      const c = conv('c', 2, 1, 'relu').apply(relu) as tfType.SymbolicTensor;
      const d = conv('d', 2, 3, 'linear').apply(relu) as tfType.SymbolicTensor;
      const cat = tf.layers.concatenate({ name: 'cat' }).apply([c, d]) as tfType.SymbolicTensor;
      const pool = tf.layers.maxPooling2d({ name: 'pool', poolSize: 2 }).apply(cat);
      const flat = tf.layers.flatten({ name: 'flat' }).apply(pool);
      const out = tf.layers
        .dense({ name: 'out', units: 3, activation: 'softmax' })
        .apply(flat) as tfType.SymbolicTensor;
      model = tf.model({ inputs: x, outputs: out });
      for (const name of ['a', 'b', 'c', 'd', 'out']) {
        const layer = model.getLayer(name);
        layer.setWeights(
          layer.getWeights().map((w, i) => {
            const data = Array.from({ length: w.size }, () => random() - 0.5);
            weights[`${name}/${i === 0 ? 'kernel' : 'bias'}`] = { data, shape: w.shape };
            return tf.tensor(data, w.shape);
          }),
        );
      }
    });
    after(() => model.dispose());

    it('Grad-CAM, guided backpropagation, integrated gradients and a unit gradient match PyTorch', async () => {
      const before = tf.memory().numTensors;
      const head = classHead(tf, model);
      const chain = layerChain(tf, model, 'out');
      const x = tf.tensor(input, [1, 8, 8, 3]);
      const steps = (await forwardChain(tf, chain, x))[0];
      x.dispose();
      const probabilities = Array.from(steps[steps.length - 1].output.data);
      const top = probabilities.indexOf(Math.max(...probabilities));
      const unit = [3, 2, 5]; // 'cat' channel 3 (a channel of d), row 2, column 5
      const oracle = runPythonOracle<{
        score: number;
        gradcam: Record<string, number[][]>;
        guided: number[];
        integratedGradients: number[];
        saliency: number[];
      }>(oracleScript, {
        weights,
        input: Array.from({ length: 8 }, (_, y) =>
          Array.from({ length: 8 }, (_, xx) =>
            Array.from(input.subarray((y * 8 + xx) * 3, (y * 8 + xx) * 3 + 3)),
          ),
        ),
        class: top,
        igSteps: 16,
        unit,
      });

      for (const layer of ['sum', 'b', 'cat', 'a']) {
        const cam = gradCam(tf, steps, top, layer, layer === 'sum');
        assert.deepEqual(cam.shape, [8, 8]);
        const expected = oracle.gradcam[layer].flat();
        assert.ok(Math.max(...expected) > 0, `${layer}: the PyTorch map is not all zero`);
        assertClose(cam.values, expected, `Grad-CAM at ${layer}`);
      }
      const signal = new Float32Array(3);
      signal[top] = 1;
      assertClose(propagateBack(tf, steps, signal, 'guided').values.data, oracle.guided, 'guided');

      const ig = await integratedGradients(
        tf,
        chain,
        head,
        { data: input, shape: [8, 8, 3] },
        top,
        16,
      );
      assertClose(ig.values.data, oracle.integratedGradients, 'integrated gradients');
      assert.ok(Math.abs(ig.score - oracle.score) < 1e-4, `score ${ig.score} vs ${oracle.score}`);

      const catIndex = chain.layers.findIndex((l) => l.name === 'cat');
      const toCat = steps.slice(0, catIndex + 1);
      const cat = toCat[catIndex].output;
      const value = cat.data[(unit[1] * 8 + unit[2]) * 4 + unit[0]];
      const projection = projectUnit(
        tf,
        toCat,
        { layer: 'cat', channel: unit[0], position: [unit[1], unit[2]] },
        value,
        'saliency',
      );
      assertClose(projection.values.data, oracle.saliency, 'unit gradient');
      assert.equal(tf.memory().numTensors, before, 'no tensor may leak');
    });
  });

  it('an ONNX-imported ResNet-18 (96 px): Grad-CAM across residual blocks and integrated gradients match PyTorch', async () => {
    const fixture = loadFixture('resnet18');
    const loaded = await loadOnnxFile(tf, fixture.modelFile);
    const before = tf.memory().numTensors;
    const [, c, h, w] = fixture.oracle.inputShape;
    const nhwc = new Float32Array(h * w * c);
    for (let k = 0; k < c; k++)
      for (let p = 0; p < h * w; p++) nhwc[p * c + k] = fixture.input[k * h * w + p];
    const head = classHead(tf, loaded.model);
    const chain = layerChain(tf, loaded.model, 'fc');
    const x = tf.tensor(nhwc, [1, h, w, c]);
    const steps = (await forwardChain(tf, chain, x))[0];
    x.dispose();
    const logits = Array.from(steps[steps.length - 1].output.data);
    const top = logits.indexOf(Math.max(...logits));
    const igSteps = 4;
    const oracle = JSON.parse(
      execFileSync(
        ORACLE_PYTHON,
        [
          join(__dirname, '..', 'oracles', 'resnet18_class_explanations.py'),
          fixture.dir,
          String(top),
          String(igSteps),
        ],
        {
          encoding: 'utf8',
          maxBuffer: 64 * 1024 * 1024,
          env: { ...process.env, OMP_NUM_THREADS: '1' },
        },
      ),
    ) as { score: number; gradcam: Record<string, number[]>; integratedGradients: number[] };
    assert.ok(
      Math.abs(logits[top] - oracle.score) < 1e-3,
      `score ${logits[top]} vs ${oracle.score}`,
    );
    for (const layer of ['layer3.1.relu_1', 'layer4.0.conv1']) {
      const cam = gradCam(tf, steps, top, layer, false);
      assert.ok(
        Math.max(...oracle.gradcam[layer]) > 0,
        `${layer}: the PyTorch map is not all zero`,
      );
      assertClose(cam.values, oracle.gradcam[layer], `Grad-CAM at ${layer}`, 1e-3);
    }
    const ig = await integratedGradients(
      tf,
      chain,
      head,
      { data: nhwc, shape: [h, w, c] },
      top,
      igSteps,
    );
    assertClose(ig.values.data, oracle.integratedGradients, 'integrated gradients', 1e-3);
    assert.equal(tf.memory().numTensors, before, 'no tensor may leak');
    loaded.model.dispose();
  });
});
