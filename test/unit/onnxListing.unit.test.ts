// The explorer's list of an ONNX file's layers before it has run (listOnnxNodes) must be the
// panel's layer list: one entry per layer the import makes, under the same name.
import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { listOnnxNodes } from '../../src/analysis/onnx/listOnnxNodes';
import { loadOnnxFile } from '../../src/analysis/onnx/loadOnnxModel';
import { ensureFixtures, loadFixture } from './helpers/onnxFixtures';

/** Layers the import adds around a node (padding, a divisor, a crop, a reshape to 4-D). */
const HELPER_LAYER = /\.(pad|divisor|crop|as4d)$/;

describe('ONNX explorer listing', function () {
  this.timeout(10 * 60_000);
  before(async () => {
    await tf.setBackend('cpu');
    ensureFixtures(['shufflenet_v2_x0_5', 'resnet18', 'batchnorm', 'convnext', 'inception_input']);
  });

  it("ShuffleNetV2's channel shuffle is one entry, named as its layer", async () => {
    const { nodes, note } = await listOnnxNodes(loadFixture('shufflenet_v2_x0_5').modelFile);
    assert.equal(note, undefined);
    const shuffles = nodes.filter((n) => n.opType.startsWith('channel shuffle'));
    // One shuffle per unit: 3 + 7 + 3 stride-1 units and one stride-2 unit per stage.
    assert.equal(shuffles.length, 16);
    assert.ok(shuffles.some((n) => n.name === 'stage2.0.channel_shuffle'));
    assert.equal(shuffles[0].opType, 'channel shuffle (Reshape, Transpose, Reshape)');
    // torchvision's ShuffleNetV2 reshapes nowhere else (its flatten is a mean over H and W).
    const leftovers = nodes.filter((n) => n.opType === 'Reshape' || n.opType === 'Transpose');
    assert.deepEqual(leftovers, []);
  });

  it("ConvNeXt's decomposed LayerNorm, GELU and Linear are one entry each", async () => {
    const { nodes } = await listOnnxNodes(loadFixture('convnext').modelFile);
    const entry = (name: string) => nodes.find((n) => n.name === name)?.opType;
    assert.equal(entry('features.1.0.block.2'), 'LayerNormalization');
    assert.equal(entry('features.1.0.block.3'), 'Linear (MatMul, Add)');
    assert.equal(entry('features.1.0.block.4'), 'GELU (Div, Erf, Add, Mul, Mul)');
    const parts = nodes.filter((n) => /^(ReduceMean|Sub|Pow|Sqrt|Erf|MatMul)$/.test(n.opType));
    assert.deepEqual(parts, []);
  });

  for (const name of [
    'shufflenet_v2_x0_5',
    'resnet18',
    'batchnorm',
    'convnext',
    'inception_input',
  ]) {
    it(`${name}: the entries are the model's layers`, async () => {
      const fixture = loadFixture(name);
      const { nodes } = await listOnnxNodes(fixture.modelFile);
      const loaded = await loadOnnxFile(tf, fixture.modelFile);
      const layers = loaded.model.layers
        .map((l) => l.name)
        .filter((n) => !HELPER_LAYER.test(n) && n !== loaded.model.inputs[0].sourceLayer.name);
      // A node that needs no layer of its own (a Flatten of a value that is flat already) is
      // held by its input's layer: it is listed, and visualizing it shows that layer.
      const held = nodes.filter((n) => !layers.includes(n.name));
      for (const n of held) {
        const node = loaded.graph.nodes.find((g) => g.name === n.name);
        assert.ok(node, `${n.name} is listed but is no node of the import`);
        assert.ok(loaded.values.has(node.outputs[0]), `${n.name}: its value has no layer`);
      }
      // The same set (tfjs orders the layers of parallel branches its own way).
      assert.deepEqual(
        nodes
          .map((n) => n.name)
          .filter((n) => layers.includes(n))
          .sort(),
        [...layers].sort(),
      );
      loaded.model.dispose();
    });
  }
});
