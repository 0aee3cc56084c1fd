// The arithmetic of one output value ends at exactly the value TensorFlow.js computes for the
// feature map (an independent implementation), for every kind of window the view supports.
import { strict as assert } from 'node:assert';
import type * as tfType from '@tensorflow/tfjs';
import { layerSpecOf } from '../../src/analysis/explain/layerSpec';
import { unitArithmetic } from '../../src/analysis/explain/arithmetic';
import { testRuntime } from './helpers/runtime';

let tf: typeof tfType;

/** Deterministic values in [-1, 1): a fixed linear congruential sequence. */
function pseudoRandom(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** Every output unit's arithmetic against the layer's real output; returns how many were checked. */
function checkEveryUnit(layer: tfType.layers.Layer, inputShape: number[], seed: number): number {
  const size = inputShape.reduce((a, b) => a * b, 1);
  const inputData = pseudoRandom(size, seed);
  const x = tf.tensor(inputData, [1, ...inputShape]);
  const y = layer.apply(x) as tfType.Tensor;
  const out = y.dataSync();
  const outShape = y.shape.slice(1);
  tf.dispose([x, y]);
  const spec = layerSpecOf(layer);
  const channels = outShape[outShape.length - 1];
  const spatial = outShape.slice(0, -1);
  let checked = 0;
  for (let i = 0; i < out.length; i++) {
    const channel = i % channels;
    const flat = Math.floor(i / channels);
    const position =
      spatial.length === 2 ? [Math.floor(flat / spatial[1]), flat % spatial[1]] : [flat];
    const a = unitArithmetic(spec, { data: inputData, shape: inputShape }, position, channel);
    assert.ok(
      Math.abs(a.value - out[i]) < 1e-5,
      `${layer.name} unit ${position}/${channel}: arithmetic ${a.value} != feature map ${out[i]}`,
    );
    const total = a.terms.reduce((s, t) => s + t.products.reduce((p, v) => p + v, 0), 0);
    if (a.op === 'conv' || a.op === 'depthwiseConv') assert.ok(Math.abs(total - a.sum) < 1e-4);
    checked++;
  }
  return checked;
}

describe('explain: convolution arithmetic', () => {
  before(async () => {
    tf = (await testRuntime()).tf;
  });

  const init = (seed: number) => tf.initializers.randomUniform({ minval: -1, maxval: 1, seed });

  const cases: { name: string; make: () => tfType.layers.Layer; input: number[] }[] = [
    {
      name: 'Conv2D valid',
      input: [6, 7, 3],
      make: () =>
        tf.layers.conv2d({
          filters: 4,
          kernelSize: 3,
          kernelInitializer: init(1),
          biasInitializer: init(2),
        }),
    },
    {
      name: 'Conv2D same, odd kernel',
      input: [5, 6, 2],
      make: () =>
        tf.layers.conv2d({
          filters: 3,
          kernelSize: 3,
          padding: 'same',
          activation: 'relu',
          kernelInitializer: init(3),
          biasInitializer: init(4),
        }),
    },
    {
      name: 'Conv2D same, even kernel, stride 2 (asymmetric padding)',
      input: [7, 8, 2],
      make: () =>
        tf.layers.conv2d({
          filters: 2,
          kernelSize: [2, 4],
          strides: 2,
          padding: 'same',
          activation: 'tanh',
          kernelInitializer: init(5),
          biasInitializer: init(6),
        }),
    },
    {
      name: 'Conv2D valid, stride [2, 3]',
      input: [9, 10, 1],
      make: () =>
        tf.layers.conv2d({
          filters: 2,
          kernelSize: 3,
          strides: [2, 3],
          activation: 'sigmoid',
          kernelInitializer: init(7),
          biasInitializer: init(8),
        }),
    },
    {
      name: 'Conv2D dilated 2, same',
      input: [8, 8, 2],
      make: () =>
        tf.layers.conv2d({
          filters: 2,
          kernelSize: 3,
          dilationRate: 2,
          padding: 'same',
          activation: 'elu',
          kernelInitializer: init(9),
          biasInitializer: init(10),
        }),
    },
    {
      name: 'Conv2D softmax over channels',
      input: [4, 4, 2],
      make: () =>
        tf.layers.conv2d({
          filters: 3,
          kernelSize: 2,
          activation: 'softmax',
          kernelInitializer: init(11),
          biasInitializer: init(12),
        }),
    },
    {
      name: 'DepthwiseConv2D multiplier 2, same, stride 2',
      input: [7, 6, 3],
      make: () =>
        tf.layers.depthwiseConv2d({
          kernelSize: 3,
          depthMultiplier: 2,
          strides: 2,
          padding: 'same',
          activation: 'relu6',
          depthwiseInitializer: init(13),
          biasInitializer: init(14),
        }),
    },
    {
      name: 'DepthwiseConv2D valid, dilated',
      input: [8, 8, 2],
      make: () =>
        tf.layers.depthwiseConv2d({
          kernelSize: 2,
          dilationRate: 3,
          depthwiseInitializer: init(15),
          biasInitializer: init(16),
        }),
    },
    {
      name: 'MaxPooling2D valid 2x2',
      input: [6, 6, 3],
      make: () => tf.layers.maxPooling2d({ poolSize: 2 }),
    },
    {
      name: 'MaxPooling2D same 3x3 stride 2',
      input: [7, 8, 2],
      make: () => tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }),
    },
    {
      name: 'AveragePooling2D valid 3x3 stride 1',
      input: [5, 5, 2],
      make: () => tf.layers.averagePooling2d({ poolSize: 3, strides: 1 }),
    },
    {
      name: 'AveragePooling2D same 2x2 stride 2 (odd input: padded border)',
      input: [5, 7, 2],
      make: () => tf.layers.averagePooling2d({ poolSize: 2, strides: 2, padding: 'same' }),
    },
    {
      name: 'Conv1D valid, stride 2',
      input: [11, 2],
      make: () =>
        tf.layers.conv1d({
          filters: 3,
          kernelSize: 3,
          strides: 2,
          kernelInitializer: init(17),
          biasInitializer: init(18),
        }),
    },
    {
      name: 'Conv1D same, dilated 2, relu',
      input: [10, 1],
      make: () =>
        tf.layers.conv1d({
          filters: 2,
          kernelSize: 3,
          dilationRate: 2,
          padding: 'same',
          activation: 'relu',
          kernelInitializer: init(19),
          biasInitializer: init(20),
        }),
    },
    {
      name: 'MaxPooling1D same, stride 2',
      input: [9, 2],
      make: () => tf.layers.maxPooling1d({ poolSize: 3, strides: 2, padding: 'same' }),
    },
    {
      name: 'AveragePooling1D valid',
      input: [8, 2],
      make: () => tf.layers.averagePooling1d({ poolSize: 2 }),
    },
  ];
  for (const c of cases) {
    it(`sum, bias and activation give the feature-map value to 1e-5: ${c.name}`, () => {
      const baseline = tf.memory().numTensors;
      const layer = c.make();
      const checked = checkEveryUnit(layer, c.input, c.name.length);
      assert.ok(checked > 3);
      layer.dispose();
      assert.equal(tf.memory().numTensors, baseline, 'no tensor may leak');
    });
  }
});
