// Class explanations on models with hand-set weights, against answers derived in closed form:
// Grad-CAM and occlusion of a class score that is a weighted sum of two conv channels over known
// regions, integrated gradients of a linear model (exactly input x weight), and the input a
// vertical-edge filter wants. Bad inputs get clear messages; no tensor may leak.
import { strict as assert } from 'node:assert';
import type * as tfType from '@tensorflow/tfjs';
import { join } from 'node:path';
import { readdirSync } from 'node:fs';
import {
  classHead,
  forwardChain,
  layerChain,
  type ChainStepWithOutput,
} from '../../src/analysis/explain/classChain';
import { defaultCamLayer, gradCam } from '../../src/analysis/explain/gradCam';
import { occlusionSensitivity } from '../../src/analysis/explain/occlusion';
import { integratedGradients } from '../../src/analysis/explain/integratedGradients';
import { channelStats, visualizeChannel } from '../../src/analysis/explain/featureVisualization';
import { decodeImageFile } from '../../src/analysis/image/decodeImage';
import { testRuntime } from './helpers/runtime';

const root = join(__dirname, '..', '..');
let tf: typeof tfType;
before(async () => {
  tf = (await testRuntime()).tf;
});

/** 4x4x1 input; conv 1x1 with filters [1, 2] (A0 = x, A1 = 2x); dense to 2 classes, softmax. */
function twoChannelModel(): tfType.LayersModel {
  const model = tf.sequential();
  model.add(
    tf.layers.conv2d({
      name: 'conv',
      inputShape: [4, 4, 1],
      filters: 2,
      kernelSize: 1,
      useBias: false,
    }),
  );
  model.add(tf.layers.flatten({ name: 'flat' }));
  model.add(tf.layers.dense({ name: 'out', units: 2, activation: 'softmax' }));
  model.getLayer('conv').setWeights([tf.tensor4d([1, 2], [1, 1, 1, 2])]);
  // class 0: 1 x A0 over the top-left 2x2 region, 0.125 x A1 everywhere; class 1: -1 x A0 everywhere
  const kernel = new Float32Array(32 * 2);
  for (let y = 0; y < 4; y++)
    for (let x = 0; x < 4; x++) {
      const p = y * 4 + x;
      kernel[(p * 2 + 0) * 2 + 0] = y < 2 && x < 2 ? 1 : 0;
      kernel[(p * 2 + 1) * 2 + 0] = 0.125;
      kernel[(p * 2 + 0) * 2 + 1] = -1;
    }
  model.getLayer('out').setWeights([tf.tensor2d(kernel, [32, 2]), tf.tensor1d([0.3, 0])]);
  return model;
}

const image4 = Float32Array.from({ length: 16 }, (_, i) => (i + 1) / 16);

async function stepsOf(model: tfType.LayersModel, data: Float32Array, shape: number[]) {
  const chain = layerChain(tf, model, model.layers[model.layers.length - 1].name);
  const x = tf.tensor(data, [1, ...shape]);
  try {
    return (await forwardChain(tf, chain, x))[0] as ChainStepWithOutput[];
  } finally {
    x.dispose();
  }
}

describe('class explanations: hand-set weights', () => {
  it('Grad-CAM: alpha is the mean of the dense weights per channel; the map is ReLU(sum alpha_k A_k)', async () => {
    const model = twoChannelModel();
    const before = tf.memory().numTensors;
    const steps = await stepsOf(model, image4, [4, 4, 1]);
    assert.equal(defaultCamLayer(steps), 'conv');
    // class 0: alpha_0 = 4 / 16, alpha_1 = 0.125 -> cam = 0.25 x + 0.125 * 2x = 0.5 x
    const cam0 = gradCam(tf, steps, 0, 'conv');
    assert.deepEqual(cam0.shape, [4, 4]);
    assert.deepEqual(Array.from(cam0.weights), [0.25, 0.125]);
    cam0.values.forEach((v, i) => assert.ok(Math.abs(v - 0.5 * image4[i]) < 1e-6, `${i}: ${v}`));
    // class 1: alpha_0 = -1, alpha_1 = 0 -> -x < 0 everywhere, so the ReLU leaves zeros
    const cam1 = gradCam(tf, steps, 1, 'conv');
    assert.deepEqual(Array.from(cam1.weights), [-1, 0]);
    assert.deepEqual(Array.from(cam1.values), new Array(16).fill(0));
    // a 4x4 map over a 4x4 input: upsampling is the identity; guided grad-cam = guided x cam
    cam0.upsampled.forEach((v, i) => assert.ok(Math.abs(v - cam0.values[i]) < 1e-6));
    // guided backprop of class 0 at x: 1 (region) + 0.125 * 2 = 1.25 or 0.25, times cam
    cam0.guided!.data.forEach((v, i) => {
      const inRegion = Math.floor(i / 4) < 2 && i % 4 < 2;
      const g = (inRegion ? 1 : 0) + 0.25;
      assert.ok(Math.abs(v - g * 0.5 * image4[i]) < 1e-6, `${i}: ${v}`);
    });
    assert.equal(tf.memory().numTensors, before, 'no tensor may leak');
    model.dispose();
  });

  it('occlusion: the drop is sum over window of (region indicator + 0.25) x, the score before softmax', async () => {
    const model = twoChannelModel();
    const head = classHead(tf, model);
    const before = tf.memory().numTensors;
    const input = { data: image4, shape: [4, 4, 1] };
    const result = await occlusionSensitivity(tf, head, input, 0, {
      window: [2, 2],
      stride: [1, 1],
      fill: 0,
    });
    // score = 0.3 + sum_region x + 0.25 sum x
    const region = image4[0] + image4[1] + image4[4] + image4[5];
    const total = image4.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(result.score - (0.3 + region + 0.25 * total)) < 1e-5);
    assert.equal(result.rows, 3);
    assert.equal(result.cols, 3);
    for (let r = 0; r < 3; r++)
      for (let c = 0; c < 3; c++) {
        let drop = 0;
        for (let y = r; y < r + 2; y++)
          for (let x = c; x < c + 2; x++)
            drop += ((y < 2 && x < 2 ? 1 : 0) + 0.25) * image4[y * 4 + x];
        assert.ok(Math.abs(result.values[r * 3 + c] - drop) < 1e-5, `${r},${c}`);
      }
    // a fill of 1 raises the score where the window covers values below 1: a negative drop
    const filled = await occlusionSensitivity(tf, head, input, 0, {
      window: [1, 1],
      stride: [3, 3],
      fill: 1,
    });
    assert.equal(filled.rows, 2);
    assert.ok(Math.abs(filled.values[0] - 1.25 * (image4[0] - 1)) < 1e-5);
    assert.equal(tf.memory().numTensors, before, 'no tensor may leak');
    await assert.rejects(
      occlusionSensitivity(tf, head, input, 0, { window: [5, 5], stride: [1, 1], fill: 0 }),
      /window 5x5 is larger than the input \(4x4\)/,
    );
    await assert.rejects(
      occlusionSensitivity(tf, head, input, 0, { window: [2, 2], stride: [0, 1], fill: 0 }),
      /stride must be a positive whole number/,
    );
    await assert.rejects(
      occlusionSensitivity(
        tf,
        head,
        input,
        0,
        { window: [1, 1], stride: [1, 1], fill: 0 },
        {
          isCancelled: () => true,
        },
      ),
      /cancelled/,
    );
    assert.equal(tf.memory().numTensors, before, 'a cancelled run may not leak');
    model.dispose();
  });

  it('integrated gradients of a linear model are input x weight exactly, at any step count', async () => {
    const model = tf.sequential();
    model.add(tf.layers.flatten({ name: 'flat', inputShape: [3, 3, 2] }));
    model.add(tf.layers.dense({ name: 'out', units: 3 }));
    const w = Float32Array.from({ length: 18 * 3 }, (_, i) => Math.sin(i) * 0.7);
    model.getLayer('out').setWeights([tf.tensor2d(w, [18, 3]), tf.tensor1d([0.5, -1, 2])]);
    const input = {
      data: Float32Array.from({ length: 18 }, (_, i) => (i % 5) - 1.5),
      shape: [3, 3, 2],
    };
    const chain = layerChain(tf, model, 'out');
    const head = classHead(tf, model);
    const before = tf.memory().numTensors;
    for (const steps of [1, 7]) {
      const ig = await integratedGradients(tf, chain, head, input, 2, steps);
      ig.values.data.forEach((v, i) =>
        assert.ok(Math.abs(v - input.data[i] * w[i * 3 + 2]) < 1e-5),
      );
      const expected = input.data.reduce((s, x, i) => s + x * w[i * 3 + 2], 0);
      assert.ok(Math.abs(ig.sum - expected) < 1e-4);
      assert.ok(
        Math.abs(ig.scoreDifference - expected) < 1e-4,
        'the bias cancels in the difference',
      );
    }
    await assert.rejects(
      integratedGradients(tf, chain, head, input, 0, 0),
      /1 to 4096 steps, got 0/,
    );
    assert.equal(tf.memory().numTensors, before, 'no tensor may leak');
    model.dispose();
  });

  it('what a vertical-edge filter wants: vertical edges, stronger than on every sample picture', async () => {
    const model = tf.sequential();
    model.add(
      tf.layers.conv2d({
        name: 'edge',
        inputShape: [28, 28, 1],
        filters: 2,
        kernelSize: 3,
        activation: 'relu',
      }),
    );
    // channel 0 responds to dark-to-bright steps from left to right; channel 1 is a blur (ignored)
    const k = new Float32Array(9 * 2);
    for (let y = 0; y < 3; y++)
      for (let x = 0; x < 3; x++) {
        k[(y * 3 + x) * 2] = x - 1;
        k[(y * 3 + x) * 2 + 1] = 1 / 9;
      }
    model.getLayer('edge').setWeights([tf.tensor4d(k, [3, 3, 1, 2]), tf.tensor1d([0, 0])]);
    const chain = layerChain(tf, model, 'edge');
    const before = tf.memory().numTensors;
    let progress = 0;
    const result = await visualizeChannel(
      tf,
      chain,
      0,
      [28, 28, 1],
      [0, 1],
      { steps: 64 },
      {
        onProgress: (done) => (progress = done),
      },
    );
    assert.equal(progress, 64);
    const img = result.image.data;
    let horizontal = 0;
    let vertical = 0;
    for (let y = 0; y < 27; y++)
      for (let x = 0; x < 27; x++) {
        horizontal += (img[y * 28 + x + 1] - img[y * 28 + x]) ** 2;
        vertical += (img[(y + 1) * 28 + x] - img[y * 28 + x]) ** 2;
      }
    assert.ok(horizontal > 5 * vertical, `horizontal ${horizontal} vs vertical ${vertical}`);
    assert.ok(Math.min(...img) >= 0 && Math.max(...img) <= 1, 'kept inside the input range');
    // the best sample picture for the objective (the channel's mean) over 40 Fashion-MNIST pictures
    const folder = join(root, 'examples', 'images', 'fashion-mnist');
    let best = 0;
    for (const file of readdirSync(folder).slice(0, 40)) {
      const decoded = await decodeImageFile(join(folder, file));
      const grey = Float32Array.from({ length: 784 }, (_, i) => decoded.data[i * 4] / 255);
      const x = tf.tensor4d(grey, [1, 28, 28, 1]);
      const out = model.predict(x) as tfType.Tensor;
      best = Math.max(
        best,
        channelStats({ data: out.dataSync() as Float32Array, shape: [26, 26, 2] }, 0).mean,
      );
      tf.dispose([x, out]);
    }
    assert.ok(
      result.meanActivation > best,
      `optimised ${result.meanActivation} vs best sample ${best}`,
    );
    assert.equal(tf.memory().numTensors, before, 'no tensor may leak');
    model.dispose();
  });

  it('says where a method cannot apply: no convolution, no class output, an upsampling', async () => {
    const dense = tf.sequential();
    dense.add(tf.layers.flatten({ name: 'flat', inputShape: [4, 4, 1] }));
    dense.add(tf.layers.dense({ name: 'out', units: 2, activation: 'softmax' }));
    const steps = await stepsOf(dense, image4, [4, 4, 1]);
    assert.throws(
      () => defaultCamLayer(steps),
      /Grad-CAM needs a convolution layer with a spatial output; this model has none/,
    );
    assert.throws(() => gradCam(tf, steps, 0, 'flat'), /Grad-CAM cannot use layer 'flat'/);
    const conv = tf.sequential();
    conv.add(tf.layers.conv2d({ name: 'c', inputShape: [4, 4, 1], filters: 2, kernelSize: 3 }));
    assert.throws(
      () => classHead(tf, conv),
      /the last layer 'c' outputs \[2, 2, 2\], not a vector of class scores/,
    );
    const input = tf.input({ shape: [4, 4, 1] });
    const a = tf.layers
      .conv2d({ name: 'a', filters: 1, kernelSize: 1 })
      .apply(input) as tfType.SymbolicTensor;
    const sum = tf.layers.add({ name: 'sum' }).apply([a, input]) as tfType.SymbolicTensor;
    const flat = tf.layers.flatten({ name: 'f' }).apply(sum) as tfType.SymbolicTensor;
    const out = tf.layers.dense({ name: 'out', units: 2 }).apply(flat) as tfType.SymbolicTensor;
    const merged = tf.model({ inputs: input, outputs: out });
    const upsampled = tf.layers.upSampling2d({ name: 'up' }).apply(input) as tfType.SymbolicTensor;
    const upFlat = tf.layers.flatten({ name: 'uf' }).apply(upsampled) as tfType.SymbolicTensor;
    const upOut = tf.layers.dense({ name: 'uo', units: 2 }).apply(upFlat) as tfType.SymbolicTensor;
    const up = tf.model({ inputs: input, outputs: upOut });
    const zeros = tf.zeros([1, 4, 4, 1]);
    const upSteps = (await forwardChain(tf, layerChain(tf, up, 'uo'), zeros))[0];
    zeros.dispose();
    // the map at 'up' needs no pass through it; guided backpropagation to the input does
    const cam = gradCam(tf, upSteps, 0, 'up');
    assert.deepEqual(cam.shape, [8, 8]);
    assert.equal(cam.guided, undefined);
    assert.ok(
      cam.notes.some((n) =>
        /Guided Grad-CAM: layer 'up' \(UpSampling2D\) cannot be inverted/.test(n),
      ),
      cam.notes.join('; '),
    );
    // occlusion needs forward passes only: it works on the merge
    const occ = await occlusionSensitivity(
      tf,
      classHead(tf, merged),
      { data: image4, shape: [4, 4, 1] },
      1,
      {
        window: [2, 2],
        stride: [2, 2],
        fill: 0,
      },
    );
    assert.equal(occ.values.length, 4);
    [dense, conv, merged, up].forEach((m) => m.dispose());
  });
});
