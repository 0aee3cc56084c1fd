import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import {
  countModel,
  extractLayerGraph,
  type LayerGraph,
  type ModelCounts,
} from '../../src/analysis/structure';
import { applyTo, buildLenet5, buildVgg16 } from './structureModels';

function byName(counts: ModelCounts, name: string) {
  const layer = counts.layers.find((l) => l.name === name);
  assert.ok(layer, `layer ${name} missing`);
  return layer;
}

/** Builds, analyses and disposes a model, checking that no tensor is left behind. */
function analyse(
  build: () => tf.LayersModel,
  alsoDispose: tf.layers.Layer[] = [],
): { graph: LayerGraph; counts: ModelCounts } {
  const before = tf.memory().numTensors;
  const model = build();
  const during = tf.memory().numTensors;
  const graph = extractLayerGraph(model);
  const counts = countModel(graph);
  assert.equal(tf.memory().numTensors, during, 'analysis must not create tensors');
  model.dispose();
  // tfjs counts one reference per application: a shared layer needs one more dispose per reuse.
  for (const layer of alsoDispose) layer.dispose();
  assert.equal(tf.memory().numTensors, before, 'model disposal must free its weights');
  return { graph, counts };
}

describe('structure: parameter and compute counts', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  describe('Keras VGG-16 at 224x224', () => {
    let counts: ModelCounts;
    before(function () {
      this.timeout(120000);
      counts = analyse(() => buildVgg16()).counts;
    });

    it('matches the per-layer parameter counts of keras.applications.VGG16', () => {
      const expected: Record<string, number> = {
        block1_conv1: 1792,
        block1_conv2: 36928,
        block2_conv1: 73856,
        block2_conv2: 147584,
        block3_conv1: 295168,
        block3_conv2: 590080,
        block3_conv3: 590080,
        block4_conv1: 1180160,
        block4_conv2: 2359808,
        block4_conv3: 2359808,
        block5_conv1: 2359808,
        block5_conv2: 2359808,
        block5_conv3: 2359808,
        fc1: 102764544,
        fc2: 16781312,
        predictions: 4097000,
        block1_pool: 0,
        flatten: 0,
      };
      for (const [name, params] of Object.entries(expected)) {
        assert.equal(byName(counts, name).totalParams, params, name);
        assert.equal(byName(counts, name).trainableParams, params, name);
      }
      assert.equal(counts.totals.totalParams, 138357544);
      assert.equal(counts.totals.trainableParams, 138357544);
      assert.equal(counts.totals.nonTrainableParams, 0);
    });

    it('counts 15,470,264,320 conv+dense MACs (torchvision: 15.47 GFLOPS)', () => {
      // By hand, out positions x 9 x in_c x out_c per conv:
      // 224^2: 50176*9*3*64 = 86,704,128 and 50176*9*64*64 = 1,849,688,064
      // 112^2, 56^2, 28^2: first conv of the block 924,844,032, others 1,849,688,064 (x5)
      // 14^2: 196*9*512*512 = 462,422,016 (x3); convs total 15,346,630,656
      // dense: 25088*4096 + 4096*4096 + 4096*1000 = 123,633,664
      assert.equal(byName(counts, 'block1_conv1').macs, 86704128);
      assert.equal(byName(counts, 'block5_conv3').macs, 462422016);
      assert.equal(byName(counts, 'fc1').macs, 102760448);
      assert.equal(byName(counts, 'block1_pool').macs, 0);
      assert.equal(counts.totals.macs, 15470264320);
      assert.equal(counts.totals.flops, 2 * 15470264320);
      assert.deepEqual(counts.totals.layersWithUnknownMacs, []);
    });

    it('gives activation memory and dense-equivalent weights', () => {
      assert.equal(byName(counts, 'block1_conv1').activationBytes, 224 * 224 * 64 * 4);
      assert.equal(byName(counts, 'input_1').activationBytes, 224 * 224 * 3 * 4);
      assert.equal(byName(counts, 'fc1').activationBytes, 4096 * 4);
      const dense = byName(counts, 'block1_conv1').denseEquivalent;
      assert.ok(dense);
      // 224*224*3 inputs x 224*224*64 outputs, bias excluded; conv kernel 3*3*3*64 = 1728.
      assert.equal(dense.params, 483385147392);
      assert.equal(dense.convWeights, 1728);
      assert.ok(Math.abs(dense.ratio - 224 ** 4 / 9) < 1e-3);
      assert.equal(byName(counts, 'fc1').denseEquivalent, undefined);
    });
  });

  it('LeNet-5 on 28x28x1: 61,706 parameters and 416,520 MACs', () => {
    const { counts } = analyse(buildLenet5);
    // conv1 5*5*1*6+6 = 156; conv2 5*5*6*16+16 = 2,416; fc1 400*120+120 = 48,120;
    // fc2 120*84+84 = 10,164; fc3 84*10+10 = 850.
    const params = { conv1: 156, conv2: 2416, fc1: 48120, fc2: 10164, fc3: 850 };
    for (const [name, p] of Object.entries(params))
      assert.equal(byName(counts, name).totalParams, p);
    assert.equal(counts.totals.totalParams, 61706);
    // MACs: conv1 28*28 positions x 25 x 1 x 6 = 117,600; conv2 10*10 x 25 x 6 x 16 = 240,000;
    // fc1 400*120 = 48,000; fc2 120*84 = 10,080; fc3 84*10 = 840. Total 416,520.
    const macs = { conv1: 117600, conv2: 240000, fc1: 48000, fc2: 10080, fc3: 840 };
    for (const [name, m] of Object.entries(macs)) assert.equal(byName(counts, name).macs, m);
    assert.equal(counts.totals.macs, 416520);
    // Sequential hides its InputLayer; the graph still lists it first.
    assert.equal(counts.layers[0].className, 'InputLayer');
    assert.equal(counts.layers.length, 9);
  });

  it('batch norm moving statistics and frozen layers are non-trainable', () => {
    const { counts } = analyse(() => {
      const input = tf.input({ shape: [16, 16, 3] });
      let x = applyTo(
        tf.layers.conv2d({ filters: 8, kernelSize: 3, useBias: false, name: 'c' }),
        input,
      );
      x = applyTo(tf.layers.batchNormalization({ name: 'bn' }), x);
      const frozen = tf.layers.dense({ units: 4, name: 'frozen' });
      frozen.trainable = false;
      x = applyTo(frozen, x);
      return tf.model({ inputs: input, outputs: x });
    });
    const bn = byName(counts, 'bn');
    assert.equal(bn.trainableParams, 16); // gamma, beta: 8 each
    assert.equal(bn.nonTrainableParams, 16); // moving mean, moving variance
    assert.equal(bn.macs, 0);
    assert.equal(byName(counts, 'c').totalParams, 3 * 3 * 3 * 8);
    // Dense on a 14x14x8 map acts per position: 196 positions x 8 x 4 MACs.
    assert.equal(byName(counts, 'frozen').macs, 196 * 8 * 4);
    assert.equal(byName(counts, 'frozen').trainableParams, 0);
    assert.equal(byName(counts, 'frozen').nonTrainableParams, 8 * 4 + 4);
    assert.equal(counts.totals.nonTrainableParams, 16 + 36);
    assert.equal(counts.totals.trainableParams, 216 + 16);
  });

  it('depthwise and separable convolutions are counted as they run', () => {
    const { counts } = analyse(() => {
      const input = tf.input({ shape: [32, 32, 16] });
      let x = applyTo(
        tf.layers.depthwiseConv2d({
          kernelSize: 3,
          depthMultiplier: 2,
          padding: 'same',
          name: 'dw',
        }),
        input,
      );
      x = applyTo(
        tf.layers.separableConv2d({ filters: 24, kernelSize: 3, padding: 'same', name: 'sep' }),
        x,
      );
      return tf.model({ inputs: input, outputs: x });
    });
    const dw = byName(counts, 'dw');
    assert.equal(dw.totalParams, 3 * 3 * 16 * 2 + 32);
    assert.equal(dw.macs, 32 * 32 * 9 * 16 * 2); // 294,912
    const sep = byName(counts, 'sep');
    // depthwise 9*32 = 288, pointwise 32*24 = 768, bias 24
    assert.equal(sep.totalParams, 288 + 768 + 24);
    assert.equal(sep.macs, 1024 * 288 + 1024 * 768); // 1,081,344
    assert.deepEqual(
      sep.weightShapes.map((w) => w.shape),
      [[3, 3, 32, 1], [1, 1, 32, 24], [24]],
    );
    const dense = sep.denseEquivalent;
    assert.ok(dense);
    assert.equal(dense.params, 32 * 32 * 32 * (32 * 32 * 24));
    assert.equal(dense.convWeights, 288 + 768);
  });

  it('dilated and strided "same" convolutions at odd and even sizes', () => {
    const { counts: dilated } = analyse(() =>
      tf.sequential({
        layers: [
          tf.layers.conv2d({
            inputShape: [20, 20, 2],
            filters: 4,
            kernelSize: 3,
            dilationRate: 2,
            name: 'd',
          }),
        ],
      }),
    );
    // effective kernel 5 -> 16x16 outputs; 256 x 9 x 2 x 4
    assert.equal(byName(dilated, 'd').macs, 18432);
    for (const size of [7, 8]) {
      const { counts } = analyse(() =>
        tf.sequential({
          layers: [
            tf.layers.conv2d({
              inputShape: [size, size, 3],
              filters: 5,
              kernelSize: 3,
              strides: 2,
              padding: 'same',
              name: 's',
            }),
          ],
        }),
      );
      // ceil(7/2) = ceil(8/2) = 4: 16 positions x 9 x 3 x 5
      assert.equal(byName(counts, 's').macs, 16 * 9 * 3 * 5, `size ${size}`);
      assert.equal(byName(counts, 's').activationBytes, 16 * 5 * 4);
    }
  });

  it('Conv1D with causal padding keeps the length (Keras semantics)', () => {
    const { graph, counts } = analyse(() =>
      tf.sequential({
        layers: [
          tf.layers.conv1d({
            inputShape: [20, 3],
            filters: 2,
            kernelSize: 3,
            dilationRate: 2,
            padding: 'causal',
            name: 'c1',
          }),
          tf.layers.conv1d({ filters: 4, kernelSize: 2, padding: 'causal', name: 'c2' }),
          tf.layers.flatten({ name: 'f' }),
        ],
      }),
    );
    assert.deepEqual(graph.layers[1].outputShape, [20, 2]);
    assert.match(graph.layers[1].warnings.join(' '), /tfjs reports output shape \[16, 2\]/);
    assert.equal(byName(counts, 'c1').totalParams, 3 * 3 * 2 + 2);
    assert.equal(byName(counts, 'c1').macs, 20 * 3 * 3 * 2); // 20 positions x k 3 x in 3 x out 2
    assert.equal(byName(counts, 'c2').macs, 20 * 2 * 2 * 4);
    assert.deepEqual(graph.layers[3].outputShape, [80]);
  });

  it('counts a layer applied twice once for parameters and twice for compute', () => {
    const shared = tf.layers.conv2d({ filters: 3, kernelSize: 1, name: 'shared' });
    const { counts } = analyse(() => {
      const input = tf.input({ shape: [8, 8, 3] });
      const a = applyTo(shared, input);
      const b = applyTo(shared, a);
      return tf.model({ inputs: input, outputs: applyTo(tf.layers.add({ name: 'sum' }), [a, b]) });
    }, [shared]);
    const sharedCounts = byName(counts, 'shared');
    assert.equal(sharedCounts.totalParams, 3 * 3 + 3);
    assert.equal(sharedCounts.macs, 2 * 64 * 3 * 3);
    assert.equal(counts.totals.totalParams, 12);
  });
});
