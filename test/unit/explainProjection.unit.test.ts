// Deconvnet, guided backpropagation and saliency: each rule against numbers worked out by hand,
// and the saliency of a whole network against TensorFlow.js's own automatic differentiation.
import { strict as assert } from 'node:assert';
import type * as tfType from '@tensorflow/tfjs';
import { activationBackward, maxPoolSwitches, unpool } from '../../src/analysis/explain/backward';
import { chainSteps, layersTo } from '../../src/analysis/explain/chain';
import { layerSpecOf } from '../../src/analysis/explain/layerSpec';
import {
  NotInvertibleError,
  projectUnit,
  type UnitRef,
} from '../../src/analysis/explain/projection';
import { forward, pseudoRandom, setWeights } from '../fixtures/explain/handModels';
import { testRuntime } from './helpers/runtime';

let tf: typeof tfType;

function project(
  model: tfType.LayersModel,
  input: Float32Array,
  unit: UnitRef,
  method: 'deconvnet' | 'guided' | 'saliency',
) {
  const inShape = model.inputs[0].shape.slice(1) as number[];
  const outputs = forward(tf, model, input, inShape);
  const steps = chainSteps(layersTo(model, unit.layer), { data: input, shape: inShape }, (n) =>
    outputs.get(n)!,
  );
  const out = outputs.get(unit.layer)!;
  const spatial = out.shape.slice(0, -1);
  const flat = unit.position.reduce((a, p, i) => a * spatial[i] + p, 0);
  const value = out.data[flat * out.shape[out.shape.length - 1] + unit.channel];
  return { projection: projectUnit(tf, steps, unit, value, method), value };
}

function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  what: string,
  tol = 1e-5,
): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(
      Math.abs(actual[i] - expected[i]) <= tol,
      `${what}[${i}]: ${actual[i]} != ${expected[i]}`,
    );
  }
}

describe('explain: projections back to the input', () => {
  let baseline = 0;
  before(async () => {
    tf = (await testRuntime()).tf;
  });
  beforeEach(() => {
    baseline = tf.memory().numTensors;
  });

  it('deconvnet through one strided conv layer is the transposed convolution worked out by hand', () => {
    // 4x4x1 input, two 2x2 filters, stride 2, valid, ReLU. Filter 1 = [[1, 2], [3, 4]].
    const conv = tf.layers.conv2d({
      inputShape: [4, 4, 1],
      filters: 2,
      kernelSize: 2,
      strides: 2,
      activation: 'relu',
      name: 'c',
    });
    const model = tf.sequential({ layers: [conv] });
    // kernel [kh, kw, in, out]: out 0 = [[0, 0], [0, 0]]... out 1 = [[1, 2], [3, 4]]
    setWeights(tf, conv, [0, 1, 0, 2, 0, 3, 0, 4]);
    const input = Float32Array.from({ length: 16 }, (_, i) => i / 16);
    const { projection, value } = project(
      model,
      input,
      { layer: 'c', channel: 1, position: [1, 0] },
      'deconvnet',
    );
    // Unit (1, 0) reads rows 2-3, columns 0-1: (8 * 1 + 9 * 2 + 12 * 3 + 13 * 4) / 16 = 7.125.
    assert.ok(Math.abs(value - 7.125) < 1e-6);
    const expected = new Float32Array(16);
    [
      [2, 0, 1],
      [2, 1, 2],
      [3, 0, 3],
      [3, 1, 4],
    ].forEach(([y, x, w]) => (expected[y * 4 + x] = 7.125 * w));
    assertClose(projection.values.data, expected, 'deconv');
    assert.deepEqual(projection.values.shape, [4, 4, 1]);
    model.dispose();
    assert.equal(tf.memory().numTensors, baseline);
  });

  it("deconvnet through a 'same' conv with two input channels and a dilated conv matches the hand scatter", () => {
    const same = tf.layers.conv2d({
      inputShape: [3, 3, 2],
      filters: 1,
      kernelSize: 3,
      padding: 'same',
      useBias: false,
      name: 's',
    });
    const model = tf.sequential({ layers: [same] });
    const w = Array.from({ length: 18 }, (_, i) => i + 1); // [ky, kx, c, 0] = 2 (3 ky + kx) + c + 1
    setWeights(tf, same, w);
    const { projection } = project(
      model,
      new Float32Array(18).fill(1),
      { layer: 's', channel: 0, position: [0, 0] },
      'saliency',
    );
    // Unit (0, 0) with 'same' padding starts at (-1, -1): input (y, x, c) gets W[y + 1, x + 1, c].
    const expected = new Float32Array(18);
    for (let y = 0; y < 2; y++)
      for (let x = 0; x < 2; x++)
        for (let c = 0; c < 2; c++)
          expected[(y * 3 + x) * 2 + c] = 2 * (3 * (y + 1) + x + 1) + c + 1;
    assertClose(projection.values.data, expected, 'same');
    model.dispose();

    const dilated = tf.layers.conv2d({
      inputShape: [5, 5, 1],
      filters: 1,
      kernelSize: 2,
      dilationRate: 2,
      useBias: false,
      name: 'd',
    });
    const model2 = tf.sequential({ layers: [dilated] });
    setWeights(tf, dilated, [1, 2, 3, 4]);
    const { projection: p2 } = project(
      model2,
      new Float32Array(25).fill(1),
      { layer: 'd', channel: 0, position: [1, 1] },
      'deconvnet',
    );
    // Taps of unit (1, 1) at (1, 1), (1, 3), (3, 1), (3, 3); the unit's value is 10 (all-ones input).
    const e2 = new Float32Array(25);
    [
      [1, 1, 1],
      [1, 3, 2],
      [3, 1, 3],
      [3, 3, 4],
    ].forEach(([y, x, v]) => (e2[y * 5 + x] = 10 * v));
    assertClose(p2.values.data, e2, 'dilated');
    model2.dispose();
    assert.equal(tf.memory().numTensors, baseline);
  });

  it('1-D: a Conv1D with stride 2 projects onto its two taps', () => {
    const conv = tf.layers.conv1d({
      inputShape: [6, 1],
      filters: 1,
      kernelSize: 2,
      strides: 2,
      useBias: false,
      name: 'e',
    });
    const model = tf.sequential({ layers: [conv] });
    setWeights(tf, conv, [1, -1]);
    const { projection } = project(
      model,
      Float32Array.from([0, 0, 0, 1, 1, 1]),
      { layer: 'e', channel: 0, position: [1] },
      'saliency',
    );
    assertClose(projection.values.data, [0, 0, 1, -1, 0, 0], 'conv1d');
    model.dispose();
    assert.equal(tf.memory().numTensors, baseline);
  });

  it('records max-pooling switches and unpools values exactly there', () => {
    // 4x4, one channel; 2x2 windows. Maxima: 9 at (0, 1), 8 at (1, 3), 7 at (3, 0), 6 at (2, 2).
    const input = Float32Array.from([1, 9, 2, 3, 4, 0, 1, 8, 5, 2, 6, 1, 7, 3, 0, 2]);
    const spec = layerSpecOf(tf.layers.maxPooling2d({ poolSize: 2, inputShape: [4, 4, 1] }));
    spec.spatialRank = 2;
    const { switches, outputShape } = maxPoolSwitches(spec, { data: input, shape: [4, 4, 1] });
    assert.deepEqual(outputShape, [2, 2, 1]);
    assert.deepEqual(Array.from(switches), [1, 7, 12, 10]);
    const back = unpool(Float32Array.from([10, 20, 30, 40]), switches, [4, 4, 1]);
    const expected = new Float32Array(16);
    expected[1] = 10;
    expected[7] = 20;
    expected[12] = 30;
    expected[10] = 40;
    assert.deepEqual(Array.from(back), Array.from(expected));
    // Overlapping 3x3 windows at stride 1 that share a maximum add their signals at that one element.
    const overlap = layerSpecOf(
      tf.layers.maxPooling2d({ poolSize: 3, strides: 1, inputShape: [4, 4, 1] }),
    );
    overlap.spatialRank = 2;
    const peak = new Float32Array(16);
    peak[5] = 1; // (1, 1) lies in all four windows
    const s2 = maxPoolSwitches(overlap, { data: peak, shape: [4, 4, 1] });
    assert.deepEqual(Array.from(s2.switches), [5, 5, 5, 5]);
    assert.equal(unpool(Float32Array.from([1, 2, 3, 4]), s2.switches, [4, 4, 1])[5], 10);
  });

  it('applies the three activation rules as defined: guided backprop zeroes negative signals', () => {
    const r = Float32Array.from([2, -1, 3, -4, 0.5]);
    const z = Float32Array.from([1, 1, -1, -1, 0]);
    assert.deepEqual(Array.from(activationBackward('saliency', 'relu', r, z)), [2, -1, 0, -0, 0]);
    assert.deepEqual(Array.from(activationBackward('guided', 'relu', r, z)), [2, 0, 0, 0, 0]);
    assert.deepEqual(Array.from(activationBackward('deconvnet', 'relu', r, z)), [2, 0, 3, 0, 0.5]);
    // A smooth activation: guided = (R > 0) R f'(z); tanh'(0) = 1, tanh'(1) = 1 - tanh(1)^2.
    const g = activationBackward(
      'guided',
      'tanh',
      Float32Array.from([1, -1, 2]),
      Float32Array.from([0, 0, 1]),
    );
    assertClose(g, [1, 0, 2 * (1 - Math.tanh(1) ** 2)], 'tanh');
  });

  it('saliency through conv, relu, max pooling and dense equals tf.grad; guided keeps only positive paths', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({
          inputShape: [8, 8, 3],
          filters: 4,
          kernelSize: 3,
          padding: 'same',
          activation: 'relu',
          kernelInitializer: tf.initializers.randomNormal({ seed: 3 }),
          biasInitializer: tf.initializers.constant({ value: 0.05 }),
          name: 'c1',
        }),
        tf.layers.maxPooling2d({ poolSize: 2, name: 'p1' }),
        tf.layers.conv2d({
          filters: 3,
          kernelSize: 2,
          strides: 2,
          kernelInitializer: tf.initializers.randomNormal({ seed: 4 }),
          name: 'c2',
        }),
        tf.layers.activation({ activation: 'relu', name: 'r2' }),
        tf.layers.flatten({ name: 'f' }),
        tf.layers.dense({
          units: 2,
          activation: 'softmax',
          kernelInitializer: tf.initializers.randomNormal({ seed: 5 }),
          name: 'out',
        }),
      ],
    });
    const input = pseudoRandom(8 * 8 * 3, 42);
    const unit = { layer: 'out', channel: 1, position: [] };
    const { projection } = project(model, input, unit, 'saliency');
    assert.ok(projection.notes.some((n) => n.includes('softmax')));
    // The reference: gradient of the score before softmax by tfjs autodiff, through plain ops
    // (the layers' fused convolutions would also differentiate their kernels, which wasm cannot).
    const [k1, b1] = model.getLayer('c1').getWeights();
    const [k2, b2] = model.getLayer('c2').getWeights();
    const [kd, bd] = model.getLayer('out').getWeights();
    const score = (t: tfType.Tensor) =>
      tf.tidy(() => {
        const h1 = tf.relu(
          tf.conv2d(t as tfType.Tensor4D, k1 as tfType.Tensor4D, 1, 'same').add(b1),
        );
        const h2 = tf.relu(
          tf
            .conv2d(
              tf.maxPool(h1 as tfType.Tensor4D, 2, 2, 'valid'),
              k2 as tfType.Tensor4D,
              2,
              'valid',
            )
            .add(b2),
        );
        return h2.reshape([1, -1]).matMul(kd).add(bd).slice([0, 1], [1, 1]).sum();
      });
    const x = tf.tensor4d(input, [1, 8, 8, 3]);
    const grad = tf.grad(score)(x);
    assert.ok(projection.values.data.filter((v) => v !== 0).length > 20, 'a non-trivial gradient');
    assertClose(projection.values.data, grad.dataSync(), 'saliency vs tf.grad', 1e-4);
    tf.dispose([x, grad]);
    const guided = project(model, input, unit, 'guided').projection;
    const deconv = project(model, input, unit, 'deconvnet').projection;
    assert.ok(guided.values.data.some((v) => v !== 0));
    assert.ok(deconv.values.data.some((v) => v !== 0));
    model.dispose();
    assert.equal(tf.memory().numTensors, baseline);
  });

  for (const softmaxAs of ['the dense activation', 'a Softmax activation layer'])
    it(`deconvnet of a softmax unit starts from its score, not its probability (${softmaxAs})`, () => {
      // 2x2x1 input x = [0.25, 0.5, 0.75, 1]; conv 1x1 weight 2 + ReLU: a = [0.5, 1, 1.5, 2];
      // dense column 1 = [1, -1, 1, -2], column 0 = 0: score 1 = 0.5 - 1 + 1.5 - 4 = -3, score 0 = 0,
      // p1 = e^-3 / (1 + e^-3) = 0.047. Deconvnet from the score: dense back -3 * [1, -1, 1, -2] =
      // [-3, 3, -3, 6]; ReLU rectifies: [0, 3, 0, 6]; the 1x1 conv's transpose doubles:
      // [0, 6, 0, 12]. (From the probability it would be [0.095, 0, 0.095, 0].)
      const separate = softmaxAs !== 'the dense activation';
      const conv = tf.layers.conv2d({
        inputShape: [2, 2, 1],
        filters: 1,
        kernelSize: 1,
        activation: 'relu',
        name: 'c',
      });
      const dense = tf.layers.dense({
        units: 2,
        activation: separate ? 'linear' : 'softmax',
        name: 'scores',
      });
      const layers: tfType.layers.Layer[] = [conv, tf.layers.flatten({ name: 'f' }), dense];
      if (separate) layers.push(tf.layers.activation({ activation: 'softmax', name: 'probs' }));
      const model = tf.sequential({ layers });
      setWeights(tf, conv, [2]);
      setWeights(tf, dense, [0, 1, 0, -1, 0, 1, 0, -2]);
      const input = Float32Array.from([0.25, 0.5, 0.75, 1]);
      const unit = { layer: separate ? 'probs' : 'scores', channel: 1, position: [] };
      const { projection, value } = project(model, input, unit, 'deconvnet');
      assert.ok(Math.abs(value - Math.exp(-3) / (1 + Math.exp(-3))) < 1e-6, `p1 = ${value}`);
      assertClose(projection.values.data, [0, 6, 0, 12], 'deconvnet from the score');
      assert.ok(projection.notes.some((n) => n.includes('softmax')));
      // The gradient methods start from 1 and are unchanged: guided = relu(W1) * 2 where a > 0.
      const guided = project(model, input, unit, 'guided').projection;
      assertClose(guided.values.data, [2, 0, 2, 0], 'guided backprop');
      model.dispose();
      assert.equal(tf.memory().numTensors, baseline);
    });

  it('says which layer cannot be inverted and refuses units outside the layer', () => {
    const input = tf.input({ shape: [4, 4, 1] });
    const a = tf.layers
      .conv2d({ filters: 1, kernelSize: 1, name: 'a' })
      .apply(input) as tfType.SymbolicTensor;
    const b = tf.layers
      .conv2d({ filters: 1, kernelSize: 1, name: 'b' })
      .apply(input) as tfType.SymbolicTensor;
    const sum = tf.layers.add({ name: 'sum' }).apply([a, b]) as tfType.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: sum });
    setWeights(tf, model.getLayer('a'), [2]);
    setWeights(tf, model.getLayer('b'), [3]);
    // sum = 2x + 3x: the gradient of one unit is 5 at its pixel, whichever branch it came through
    const ones = tf.ones([1, 4, 4, 1]);
    const outs = tf.model({ inputs: input, outputs: [a, b, sum] }).predict(ones) as tfType.Tensor[];
    const byName = new Map(
      ['a', 'b', 'sum'].map((n, i) => [
        n,
        { data: outs[i].dataSync() as Float32Array, shape: outs[i].shape.slice(1) },
      ]),
    );
    tf.dispose([ones, ...outs]);
    const mergeSteps = chainSteps(
      layersTo(model, 'sum'),
      { data: new Float32Array(16).fill(1), shape: [4, 4, 1] },
      (n) => byName.get(n)!,
    );
    const unitRef = { layer: 'sum', channel: 0, position: [1, 2] };
    const projection = projectUnit(tf, mergeSteps, unitRef, 5, 'saliency');
    assert.deepEqual(
      Array.from(projection.values.data),
      Array.from({ length: 16 }, (_, i) => (i === 6 ? 5 : 0)),
    );
    const second = tf.input({ shape: [4, 4, 1] });
    const both = tf.layers.add({ name: 'both' }).apply([input, second]) as tfType.SymbolicTensor;
    assert.throws(
      () => layersTo(tf.model({ inputs: [input, second], outputs: both }), 'both'),
      (e: Error) => e instanceof NotInvertibleError && /second model input/.test(e.message),
    );
    const up = tf.sequential({
      layers: [tf.layers.upSampling2d({ inputShape: [2, 2, 1], size: [2, 2], name: 'up' })],
    });
    const steps = chainSteps(
      layersTo(up, 'up'),
      { data: new Float32Array(4), shape: [2, 2, 1] },
      () => ({ data: new Float32Array(16), shape: [4, 4, 1] }),
    );
    assert.throws(
      () => projectUnit(tf, steps, { layer: 'up', channel: 0, position: [0, 0] }, 1, 'guided'),
      /'up' \(UpSampling2D\) cannot be inverted: UpSampling/,
    );
    const conv = tf.sequential({
      layers: [tf.layers.conv2d({ inputShape: [4, 4, 1], filters: 2, kernelSize: 3, name: 'k' })],
    });
    const outputs = forward(tf, conv, new Float32Array(16), [4, 4, 1]);
    const s2 = chainSteps(
      layersTo(conv, 'k'),
      { data: new Float32Array(16), shape: [4, 4, 1] },
      (n) => outputs.get(n)!,
    );
    assert.throws(
      () => projectUnit(tf, s2, { layer: 'k', channel: 0, position: [2, 0] }, 1, 'saliency'),
      /position 2 is outside layer 'k' along axis 0 \(length 2\)/,
    );
    assert.throws(
      () => projectUnit(tf, s2, { layer: 'k', channel: 2, position: [0, 0] }, 1, 'saliency'),
      /channel 2 is outside/,
    );
    assert.throws(
      () => projectUnit(tf, s2, { layer: 'k', channel: 0, position: [0] }, 1, 'saliency'),
      /needs 2 coordinate/,
    );
    [model, up, conv].forEach((m) => m.dispose());
    assert.equal(tf.memory().numTensors, baseline);
  });
});
