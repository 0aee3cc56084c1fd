// torchvision's ConvNeXt imported from ONNX (a small two-stage configuration, fixture `convnext`):
// its channels-last blocks become one layer per module, receptive fields and counts follow them,
// and the Why tab says where it stops. Every layer's values are checked against PyTorch in
// onnxImport.unit.test.ts.
import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { loadOnnxFile, type LoadedOnnxModel } from '../../src/analysis/onnx/loadOnnxModel';
import {
  computeReceptiveFields,
  countModel,
  extractLayerGraph,
} from '../../src/analysis/structure';
import { chainSteps, layersTo } from '../../src/analysis/explain/chain';
import { NotInvertibleError, projectUnit } from '../../src/analysis/explain/projection';
import { loadFixture } from './helpers/onnxFixtures';

describe('ONNX import: ConvNeXt (LayerNorm, pointwise Linear, GELU, layer scale)', function () {
  this.timeout(10 * 60_000);
  const loaded: Record<string, LoadedOnnxModel> = {};
  before(async () => {
    await tf.setBackend('cpu');
    for (const name of ['convnext', 'convnext_opset17']) {
      loaded[name] = await loadOnnxFile(tf, loadFixture(name).modelFile);
    }
  });
  after(() => Object.values(loaded).forEach((l) => l.model.dispose()));

  it('opsets 13 (decomposed LayerNorm) and 17 (LayerNormalization) give the same layers', () => {
    const layers = (name: string) =>
      loaded[name].model.layers.map((l) => `${l.name}:${l.getClassName()}`);
    assert.deepEqual(layers('convnext'), layers('convnext_opset17'));
    const classes = layers('convnext').join(' ');
    // No layer for the Permutes, the ReduceMean/Sub/Pow/Sqrt/Div of LayerNorm or GELU's Erf.
    assert.doesNotMatch(classes, /Permute|Reshape|Broadcast/);
    for (const [name, className] of [
      ['features.0.1.LayerNormalization', 'LayerNormalization'], // LayerNorm2d of the stem
      ['features.1.0.block.2', 'LayerNormalization'],
      ['features.1.0.block.3', 'Dense'],
      ['features.1.0.block.4', 'Activation'],
      ['features.1.0.block.5', 'Dense'],
      ['features.1.0.Mul', 'OnnxElementwise'], // layer scale
      ['features.1.0.Add', 'Add'],
      ['classifier.0.LayerNormalization', 'LayerNormalization'], // on [N, C, 1, 1]
    ]) {
      assert.equal(loaded.convnext.model.getLayer(name).getClassName(), className, name);
    }
    const gelu = loaded.convnext.model.getLayer('features.1.0.block.4').getConfig();
    assert.equal(gelu.activation, 'gelu');
  });

  // By hand (size, jump) at 64x64: stem conv 4x4/4 (4, 4); the 7x7 depthwise convolution of each
  // block adds 6 x 4 (28, then 52); LayerNorm, the Linear layers (per position), GELU and the
  // layer scale add nothing; the downsampling conv 2x2/2 (56, 8); stage 2's 7x7 adds 6 x 8 (104).
  it('receptive fields pass LayerNorm, the pointwise Linear layers and GELU unchanged', () => {
    const report = computeReceptiveFields(extractLayerGraph(loaded.convnext.model));
    const field = (layer: string) => {
      const entry = report.layers.find((l) => l.name === layer)!;
      return entry.axes!.map((a) => [a.size, a.jump]);
    };
    const expected: [string, number, number][] = [
      ['features.0.1.LayerNormalization', 4, 4],
      ['features.1.0.block.0', 28, 4],
      ['features.1.0.block.2', 28, 4],
      ['features.1.0.block.3', 28, 4],
      ['features.1.0.block.4', 28, 4],
      ['features.1.0.block.5', 28, 4],
      ['features.1.0.Mul', 28, 4],
      ['features.1.0.Add', 28, 4],
      ['features.1.1.Add', 52, 4],
      ['features.2.0.LayerNormalization', 52, 4],
      ['features.2.1', 56, 8],
      ['features.3.0.Add', 104, 8],
    ];
    for (const [layer, size, jump] of expected) {
      assert.deepEqual(
        field(layer),
        [
          [size, jump],
          [size, jump],
        ],
        layer,
      );
    }
  });

  // Stage 1 has 16 channels at 16x16 (64 / 4), the Linear layers expand to 4 x 16 = 64 and back.
  it('counts: the Linear layers per position, LayerNorm its scale and bias', () => {
    const counts = new Map(
      countModel(extractLayerGraph(loaded.convnext.model)).layers.map((l) => [l.name, l]),
    );
    assert.equal(counts.get('features.1.0.block.3')!.totalParams, 16 * 64 + 64);
    assert.equal(counts.get('features.1.0.block.3')!.macs, 16 * 16 * 16 * 64);
    assert.equal(counts.get('features.1.0.block.5')!.macs, 16 * 16 * 64 * 16);
    assert.equal(counts.get('features.1.0.block.2')!.totalParams, 2 * 16);
    assert.equal(counts.get('features.1.0.block.4')!.totalParams, 0);
  });

  it('the Why tab stops at the first LayerNorm, naming the layer', () => {
    const fixture = loadFixture('convnext');
    const model = loaded.convnext.model;
    const unitLayer = 'features.1.0.Add';
    const layers = layersTo(model, unitLayer);
    const probe = tf.model({
      inputs: model.inputs,
      outputs: layers.map((l) => l.output as tf.SymbolicTensor),
    });
    const [, c, h, w] = fixture.oracle.inputShape;
    const outputs = new Map<string, { data: Float32Array; shape: number[] }>();
    tf.tidy(() => {
      const x = tf.transpose(tf.tensor4d(fixture.input, [1, c, h, w]), [0, 2, 3, 1]);
      const ys = ([] as tf.Tensor[]).concat(probe.predict(x) as tf.Tensor | tf.Tensor[]);
      ys.forEach((y, i) =>
        outputs.set(layers[i].name, {
          data: Float32Array.from(y.dataSync()),
          shape: y.shape.slice(1),
        }),
      );
    });
    const input = { data: new Float32Array(h * w * c), shape: [h, w, c] };
    const steps = chainSteps(layers, input, (n) => outputs.get(n)!);
    for (const method of ['saliency', 'guided', 'deconvnet'] as const) {
      assert.throws(
        () => projectUnit(tf, steps, { layer: unitLayer, channel: 0, position: [3, 3] }, 1, method),
        (error: unknown) =>
          error instanceof NotInvertibleError &&
          /^layer 'features\.0\.1\.LayerNormalization' \(LayerNormalization\) cannot be inverted: LayerNormalization is not inverted/.test(
            error.message,
          ),
      );
    }
  });
});
