// The Why tab's projections and the arithmetic dialog on an ONNX-imported network with grouped
// convolutions, a dilated depthwise convolution, edge padding and average-pooling divisors
// (scripts/onnx/export_fixtures.py's `groups`), against PyTorch's autograd
// (test/oracles/fixture_projections.py) and PyTorch's own activations.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadOnnxFile, type LoadedOnnxModel } from '../../src/analysis/onnx/loadOnnxModel';
import { chainSteps, layersTo } from '../../src/analysis/explain/chain';
import { layerSpecOf } from '../../src/analysis/explain/layerSpec';
import { unitArithmetic } from '../../src/analysis/explain/arithmetic';
import { describeFilters } from '../../src/analysis/explain/filters';
import { foldPadding } from '../../src/analysis/explain/backward';
import {
  projectUnit,
  propagateBackTo,
  unitIndex,
  type ProjectionMethod,
} from '../../src/analysis/explain/projection';
import type { ArrayND } from '../../src/analysis/explain/types';
import { loadFixture, type Fixture } from './helpers/onnxFixtures';
import { checkProjections, layerOutputs, nhwc, type ProjectionOracle } from './helpers/onnxCompare';
import { ORACLE_PYTHON } from './helpers/pythonOracle';

/** max |a - b| / max |b|. */
function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return diff / scale;
}

interface ImportedFixture {
  name: string;
  fixture: Fixture;
  loaded: LoadedOnnxModel;
  outputs: Map<string, ArrayND>;
}

/** Imports fixture `name` (on the CPU backend) before the block's tests; disposes it after. */
function importBeforeAll(name: string): ImportedFixture {
  const imported = { name } as ImportedFixture;
  before(async () => {
    await tf.setBackend('cpu');
    imported.fixture = loadFixture(name);
    imported.loaded = await loadOnnxFile(tf, imported.fixture.modelFile);
    imported.outputs = layerOutputs(imported.fixture, imported.loaded);
  });
  after(() => imported.loaded?.model.dispose());
  return imported;
}

/**
 * PyTorch autograd's projections of unit [channel, y, x] of `module` on the fixture's net
 * (test/oracles/fixture_projections.py), also at the output of each `alsoAt` module.
 */
function autogradProjections(
  { name, fixture }: ImportedFixture,
  module: string,
  unit: number[],
  alsoAt: string[] = [],
): ProjectionOracle & Record<string, number[]> {
  const script = join(__dirname, '..', 'oracles', 'fixture_projections.py');
  const args = [script, name, fixture.dir, module, ...unit.map(String), ...alsoAt];
  const env = { ...process.env, OMP_NUM_THREADS: '1' };
  const json = execFileSync(ORACLE_PYTHON, args, { encoding: 'utf8', env, maxBuffer: 64 << 20 });
  return JSON.parse(json) as ProjectionOracle & Record<string, number[]>;
}

describe('ONNX import: the Why tab and the arithmetic on grouped convolutions', function () {
  this.timeout(10 * 60_000);
  const groups = importBeforeAll('groups');

  // Unit (channel 2, y 0, x 0) of avg_ceil, in the corner: back through the ceil-mode pooling and its divisor,
  // a grouped strided convolution, edge padding, the count-excluding pooling, the dilated
  // depthwise convolution, the ReLU and a grouped convolution.
  it('deconvnet, guided backpropagation and the gradient match PyTorch autograd', () => {
    const { fixture, loaded, outputs } = groups;
    const [channel, y, x] = [2, 0, 0];
    const oracle = autogradProjections(groups, 'avg_ceil', [channel, y, x]);
    checkProjections(loaded, fixture, outputs, 'avg_ceil.divisor', [channel, y, x], oracle);
  });

  it("the arithmetic of a grouped convolution's unit lists its group's input channels and gives PyTorch's value", () => {
    // grouped_s2: 12 input channels in 3 groups of 4, 6 filters (2 per group). Filter 3 is in
    // group 1 and reads input channels 4..7.
    const { fixture, loaded, outputs } = groups;
    const layer = loaded.model.getLayer('grouped_s2');
    const spec = layerSpecOf(layer);
    assert.equal(spec.op, 'conv');
    assert.equal(spec.groups, 3);
    const input = outputs.get('replicate')!;
    const [channel, y, x] = [3, 2, 1];
    const result = unitArithmetic(spec, input, [y, x], channel);
    assert.deepEqual(
      result.terms.map((t) => t.inputChannel),
      [4, 5, 6, 7],
    );
    const expected = fixture.tensor(fixture.oracle.modules.grouped_s2.output);
    const [, , h, w] = fixture.oracle.modules.grouped_s2.output.shape;
    const pytorch = expected[(channel * h + y) * w + x];
    assert.ok(
      Math.abs(result.value - pytorch) < 1e-5,
      `arithmetic ${result.value} vs PyTorch ${pytorch}`,
    );
    // The Why tab's Filters: each filter's grid holds its group's 4 input channels.
    const filters = describeFilters(spec);
    assert.equal(filters.filters, 6);
    assert.equal(filters.inputChannels, 4);
  });
});

describe("ONNX import: the Why tab through ShuffleNetV2's channel split and shuffle", function () {
  this.timeout(10 * 60_000);
  const shufflenet = importBeforeAll('shufflenet_v2_x0_5');

  // stage3.0's depthwise convolution (BatchNorm folded: PyTorch's stage3.0.branch1.1) reads
  // stage2's output: back through four channel shuffles, three channel splits (two slices of one
  // value each), the concatenations and both branches of every unit.
  it('deconvnet, guided backpropagation and the gradient match PyTorch autograd', () => {
    const { fixture, loaded, outputs } = shufflenet;
    const [channel, y, x] = [5, 2, 1];
    const oracle = autogradProjections(
      shufflenet,
      'stage3.0.branch1.1',
      [channel, y, x],
      ['maxpool'],
    );
    const unitLayer = 'stage3.0.branch1.0';
    const chain = layersTo(loaded.model, unitLayer);
    const classes = chain.map((l) => l.getClassName());
    assert.equal(classes.filter((c) => c === 'OnnxChannelShuffle').length, 4, classes.join());
    assert.equal(classes.filter((c) => c === 'OnnxChannelSlice').length, 6, classes.join());
    const before = tf.memory().numTensors;
    const steps = chainSteps(chain, nhwc(fixture), (n) => outputs.get(n)!);
    const out = outputs.get(unitLayer)!;
    const value = out.data[(y * out.shape[1] + x) * out.shape[2] + channel];
    assert.ok(Math.abs(value - oracle.value) < 1e-5, `unit ${value} vs PyTorch ${oracle.value}`);
    const unit = { layer: unitLayer, channel, position: [y, x] };
    const start = (method: ProjectionMethod) => {
      const last = steps[steps.length - 1];
      const signal = new Float32Array(last.outputShape.reduce((a, b) => a * b, 1));
      signal[unitIndex(last.outputShape, unit)] = method === 'deconvnet' ? value : 1;
      return signal;
    };
    const pooled = steps.findIndex((s) => s.spec.name === 'maxpool');
    for (const method of ['saliency', 'guided', 'deconvnet'] as const) {
      const atPool = propagateBackTo(tf, steps, start(method), method, pooled).values.data;
      const expected = oracle[`${method}AtMaxpool`];
      assert.ok(
        expected.some((v) => v !== 0),
        `${method}: PyTorch's projection is all zero`,
      );
      const error = relativeError(atPool, expected);
      assert.ok(error < 1e-4, `${method} at the max pooling: relative error ${error}`);
    }
    // To the image: through the max pooling, whose switches never fall on its padding.
    for (const method of ['saliency', 'guided', 'deconvnet'] as const) {
      const projection = projectUnit(tf, steps, unit, value, method);
      const error = relativeError(projection.values.data, oracle[method]);
      assert.ok(error < 1e-4, `${method}: relative error ${error}`);
    }
    assert.equal(tf.memory().numTensors, before, 'no tensor may leak');
  });
});

describe('projections through padding that copies the input', () => {
  it("reflection and edge padding fold the border's signal back onto the values it copied", () => {
    // A 1x3 row [a, b, c] padded by 2 on both sides of the width.
    // reflect: [c, b, a, b, c, b, a]; edge: [a, a, a, b, c, c, c]. A signal of 1 everywhere
    // gives each input the number of times it appears.
    const ones = new Float32Array(7).fill(1);
    const fold = (mode: 'reflect' | 'edge') =>
      Array.from(
        foldPadding(
          ones,
          [1, 7, 1],
          [1, 3, 1],
          [
            [0, 0],
            [2, 2],
          ],
          mode,
        ),
      );
    assert.deepEqual(fold('reflect'), [2, 3, 2]);
    assert.deepEqual(fold('edge'), [3, 1, 3]);
  });
});
