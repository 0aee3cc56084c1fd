// torchvision's ConvNeXt imported from ONNX (a small two-stage configuration, fixture `convnext`):
// its channels-last blocks become one layer per module, receptive fields and counts follow them,
// and the Why tab's projections go back through them as PyTorch's autograd does. Every layer's values are checked against PyTorch in
// onnxImport.unit.test.ts.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadOnnxFile, type LoadedOnnxModel } from '../../src/analysis/onnx/loadOnnxModel';
import {
  computeReceptiveFields,
  countModel,
  extractLayerGraph,
} from '../../src/analysis/structure';
import type { ProjectionMethod } from '../../src/analysis/explain/projection';
import { loadFixture } from './helpers/onnxFixtures';
import { checkProjections, layerOutputs, nhwc, relativeError } from './helpers/onnxCompare';
import { ORACLE_PYTHON, runPythonOracle } from './helpers/pythonOracle';
import { forwardChain, layerChain } from '../../src/analysis/explain/classChain';
import { gradCam } from '../../src/analysis/explain/gradCam';

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

  // Unit (channel 3, y 5, x 6) of stage 1's second block: back through two blocks (layer scale,
  // Linear, GELU, Linear, LayerNorm, depthwise 7x7, residual Add) and the stem's LayerNorm and
  // convolution, against PyTorch's autograd with the same rules at the GELUs.
  it('deconvnet, guided backpropagation and the gradient through LayerNorm match PyTorch autograd', () => {
    const fixture = loadFixture('convnext');
    const [channel, y, x] = [3, 5, 6];
    const oracle = JSON.parse(
      execFileSync(
        ORACLE_PYTHON,
        [
          join(__dirname, '..', 'oracles', 'fixture_projections.py'),
          'convnext',
          fixture.dir,
          'features.1.1',
          ...[channel, y, x].map(String),
        ],
        { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } },
      ),
    ) as Record<ProjectionMethod, number[]> & { value: number };
    const outputs = layerOutputs(fixture, loaded.convnext);
    checkProjections(
      loaded.convnext,
      fixture,
      outputs,
      'features.1.1.Add',
      [channel, y, x],
      oracle,
    );
  });

  // The class score's gradient comes back through the classifier's LayerNorm (on [N, C, 1, 1]),
  // the global pooling and stage 2's block to its output.
  it("Grad-CAM at stage 2's block matches PyTorch", async () => {
    const fixture = loadFixture('convnext');
    const model = loaded.convnext.model;
    const chain = layerChain(tf, model, 'classifier.2');
    const input = nhwc(fixture);
    const x = tf.tensor(input.data, [1, ...input.shape]);
    const steps = (await forwardChain(tf, chain, x))[0];
    x.dispose();
    const logits = Array.from(steps[steps.length - 1].output.data);
    const top = logits.indexOf(Math.max(...logits));
    const oracle = runPythonOracle<{ score: number; cam: number[] }>(
      `
import importlib.util, json, sys
import numpy as np, torch, torch.nn.functional as F
request = json.load(sys.stdin)
spec = importlib.util.spec_from_file_location('export_fixtures', request['script'])
fixtures = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fixtures)
torch.set_num_threads(1)
make, size, _ = fixtures.NETS['convnext']
torch.manual_seed(13)
model = make()
fixtures.randomize_batchnorm(model)
model.eval()
x = torch.tensor(np.fromfile(request['input'], dtype='<f4').reshape(1, 3, size, size))
kept = {}
model.features[3][0].register_forward_hook(lambda m, i, o: kept.__setitem__('a', o))
score = model(x)[0, request['cls']]
(grad,) = torch.autograd.grad(score, kept['a'])
cam = F.relu((grad.mean(dim=(2, 3), keepdim=True) * kept['a']).sum(dim=1))[0]
print(json.dumps({'score': score.item(), 'cam': cam.reshape(-1).tolist()}))
`,
      {
        script: join(__dirname, '..', '..', 'scripts', 'onnx', 'export_fixtures.py'),
        input: join(fixture.dir, 'input.bin'),
        cls: top,
      },
    );
    assert.ok(Math.abs(logits[top] - oracle.score) < 1e-4, `score ${logits[top]}`);
    assert.ok(Math.max(...oracle.cam) > 0, "PyTorch's map is not all zero");
    const cam = gradCam(tf, steps, top, 'features.3.0.Add', false);
    const error = relativeError(cam.values, Float32Array.from(oracle.cam));
    assert.ok(error < 1e-4, `Grad-CAM: ${error} relative to PyTorch`);
  });
});
