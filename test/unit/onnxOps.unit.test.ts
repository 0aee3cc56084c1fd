// Ops and attributes beyond the first fixtures, one small hand-made PyTorch net each
// (scripts/onnx/export_op_fixtures.py): every layer against PyTorch's activations, and the
// receptive fields, counts and refusals that apply, derived by hand.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { loadOnnxFile } from '../../src/analysis/onnx/loadOnnxModel';
import { parseOnnx } from '../../src/analysis/onnx/parseOnnx';
import { InspectorError } from '../../src/analysis/errors';
import {
  computeReceptiveFields,
  countModel,
  extractLayerGraph,
  type ReceptiveFieldReport,
} from '../../src/analysis/structure';
import { ensureOpFixtures, loadOpFixture } from './helpers/onnxFixtures';
import { checkAgainstPyTorch } from './helpers/onnxCompare';

const TOLERANCE = 1e-4;
const NETS = ['split13', 'split11'];

/** [size, jump] per axis of a layer's receptive field. */
function fieldAt(report: ReceptiveFieldReport, layer: string): number[][] {
  const field = report.byName[layer];
  assert.ok(field?.axes, `${layer}: no receptive field (${field?.reason})`);
  return field.axes.map((a) => [a.size, a.jump]);
}

async function refusal(file: string): Promise<string> {
  const before = tf.memory().numTensors;
  const error = await loadOnnxFile(tf, file).then(
    () => assert.fail(`${file} was accepted`),
    (e: unknown) => e,
  );
  assert.ok(error instanceof InspectorError, String(error));
  assert.ok(!error.message.includes('\n'), `one line: ${error.message}`);
  assert.ok(error.message.startsWith(file), `names the file: ${error.message}`);
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  return error.message;
}

describe('ONNX import: op nets match PyTorch at every layer', function () {
  this.timeout(10 * 60_000);
  before(async () => {
    await tf.setBackend('cpu');
    ensureOpFixtures([...NETS, 'split_height']);
  });

  for (const name of NETS) {
    it(`${name}: activations to ${TOLERANCE} relative, parameters per layer`, async () => {
      await checkAgainstPyTorch(loadOpFixture(name), TOLERANCE);
    });
  }
});

describe('ONNX import: Split with several outputs', function () {
  this.timeout(10 * 60_000);
  before(() => tf.setBackend('cpu'));

  // torch.split(x, [2, 4, 2], dim=1): opset 11 writes the sizes as an attribute, 13 as an input.
  for (const [name, opset] of [
    ['split11', 11],
    ['split13', 13],
  ] as const) {
    it(`opset ${opset}: one channel range per output, each feeding its own branch`, async () => {
      const fixture = loadOpFixture(name);
      const graph = parseOnnx(readFileSync(fixture.modelFile), fixture.modelFile);
      const split = graph.nodes.find((n) => n.opType === 'Split')!;
      assert.equal(graph.opset, opset);
      assert.equal(split.outputs.length, 3);
      if (opset === 11) assert.deepEqual(split.attributes.get('split'), [2, 4, 2]);
      else assert.equal(split.inputs.length, 2);

      const loaded = await loadOnnxFile(tf, fixture.modelFile);
      const parts = ['Split.out0', 'Split.out1', 'Split.out2'].map((n) => loaded.model.getLayer(n));
      assert.deepEqual(
        parts.map((l) => [l.getClassName(), l.outputShape]),
        [
          ['OnnxChannelSlice', [null, 12, 12, 2]],
          ['OnnxChannelSlice', [null, 12, 12, 4]],
          ['OnnxChannelSlice', [null, 12, 12, 2]],
        ],
      );
      // Each branch reads its own part.
      const inbound = (layer: string) =>
        (loaded.model.getLayer(layer).input as tf.SymbolicTensor).sourceLayer.name;
      assert.deepEqual(['branch_a', 'branch_b', 'branch_c'].map(inbound), [
        'Split.out0',
        'Split.out1',
        'Split.out2',
      ]);
      // By hand: conv 3x3 (3, 1); the parts keep it; branch_a 3x3 (5, 1), branch_c 1x1 (3, 1).
      const graphOfLayers = extractLayerGraph(loaded.model);
      const report = computeReceptiveFields(graphOfLayers);
      for (const [layer, size] of [
        ['Split.out0', 3],
        ['Split.out1', 3],
        ['Split.out2', 3],
        ['branch_a', 5],
        ['branch_b', 3],
        ['branch_c', 3],
      ] as const) {
        assert.deepEqual(fieldAt(report, layer), [
          [size, 1],
          [size, 1],
        ]);
      }
      const counts = new Map(countModel(graphOfLayers).layers.map((l) => [l.name, l]));
      for (const part of ['Split.out0', 'Split.out1', 'Split.out2']) {
        assert.equal(counts.get(part)!.totalParams, 0);
        assert.equal(counts.get(part)!.macs, 0);
      }
      loaded.model.dispose();
    });
  }

  it('a split along the height is refused, naming the node, the op and the opset', async () => {
    const message = await refusal(loadOpFixture('split_height').modelFile);
    assert.match(
      message,
      /node '\/Split' \(Split, opset 13\): splitting a \[1, 4, 8, 8\] tensor along axis 2 is not supported \(only the channels of an image tensor are: axis 1\)\.$/,
    );
  });
});
