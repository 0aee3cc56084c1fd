// The Why tab's projections and the arithmetic dialog on the op nets of
// scripts/onnx/export_op_fixtures.py, against PyTorch's autograd (test/oracles/op_projections.py)
// and PyTorch's own activations.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadOnnxFile, type LoadedOnnxModel } from '../../src/analysis/onnx/loadOnnxModel';
import { layerSpecOf } from '../../src/analysis/explain/layerSpec';
import { unitArithmetic } from '../../src/analysis/explain/arithmetic';
import type { ProjectionMethod } from '../../src/analysis/explain/projection';
import type { ArrayND } from '../../src/analysis/explain/types';
import { loadOpFixture, type Fixture } from './helpers/onnxFixtures';
import { checkProjections, layerOutputs } from './helpers/onnxCompare';
import { ORACLE_PYTHON } from './helpers/pythonOracle';

/** PyTorch's projections of one unit (channels-last arrays over the input image). */
function pytorchProjections(net: string, fixture: Fixture, module: string, unit: number[]) {
  const stdout = execFileSync(
    ORACLE_PYTHON,
    [
      join(__dirname, '..', 'oracles', 'op_projections.py'),
      net,
      fixture.dir,
      module,
      ...unit.map(String),
    ],
    { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } },
  );
  return JSON.parse(stdout) as Record<ProjectionMethod, number[]> & { value: number };
}

/** Projects a unit with the three methods and compares each with PyTorch's. */
function checkOpProjections(
  loaded: LoadedOnnxModel,
  fixture: Fixture,
  outputs: Map<string, ArrayND>,
  net: string,
  layer: string,
  unit: number[],
): void {
  checkProjections(
    loaded,
    fixture,
    outputs,
    layer,
    unit,
    pytorchProjections(net, fixture, layer, unit),
  );
}

describe('ONNX import: the Why tab and the arithmetic through dilated max pooling', function () {
  this.timeout(10 * 60_000);
  let fixture: Fixture;
  let loaded: LoadedOnnxModel;
  let outputs: Map<string, ArrayND>;
  before(async () => {
    await tf.setBackend('cpu');
    fixture = loadOpFixture('maxpool_dilated');
    loaded = await loadOnnxFile(tf, fixture.modelFile);
    outputs = layerOutputs(fixture, loaded);
  });
  after(() => loaded?.model.dispose());

  // conv2's unit (1, 4, 4) in the corner: back through the strided dilated pooling with its
  // ceil_mode row and column, the ReLU, the padded dilated pooling and the first convolution.
  // The deconvnet and guided backpropagation follow the pooling's switches, which must be the
  // elements PyTorch's max picked among the dilated taps.
  it('deconvnet, guided backpropagation and the gradient match PyTorch autograd', () => {
    checkOpProjections(loaded, fixture, outputs, 'maxpool_dilated', 'conv2', [1, 4, 4]);
    checkOpProjections(loaded, fixture, outputs, 'maxpool_dilated', 'conv2', [0, 1, 2]);
  });

  it("the arithmetic of a pooled unit reads the dilated taps and picks PyTorch's maximum", () => {
    // pool_strided: 2x2 window, dilation 2, stride 2. Unit (y 2, x 3) reads rows 4 and 6 and
    // columns 6 and 8 of the ReLU's output (PyTorch's recorded input of the pooling).
    const [channel, y, x] = [2, 2, 3];
    const spec = layerSpecOf(loaded.model.getLayer('pool_strided'));
    assert.deepEqual([spec.op, spec.dilation, spec.strides], ['maxPool', [2, 2], [2, 2]]);
    const result = unitArithmetic(spec, outputs.get('pool_strided.pad')!, [y, x], channel);
    assert.deepEqual(result.windowStart, [4, 6]);
    const { input, output } = fixture.oracle.modules.pool_strided;
    const [, , h, w] = input!.shape;
    const relu = fixture.tensor(input!);
    const taps = [
      [4, 6],
      [4, 8],
      [6, 6],
      [6, 8],
    ].map(([r, c]) => relu[(channel * h + r) * w + c]);
    const expectedTap = taps.indexOf(Math.max(...taps));
    assert.equal(result.pooling!.chosenTap, expectedTap);
    result.terms[0].inputs.forEach((v, t) =>
      assert.ok(Math.abs(v - taps[t]) < 1e-5, `tap ${t}: ${v} vs PyTorch ${taps[t]}`),
    );
    const [, , oh, ow] = output.shape;
    const pytorch = fixture.tensor(output)[(channel * oh + y) * ow + x];
    assert.ok(Math.abs(result.value - pytorch) < 1e-6, `${result.value} vs PyTorch ${pytorch}`);
  });
});
