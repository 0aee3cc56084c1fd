// Ops and attributes beyond the first fixtures, one small hand-made PyTorch net each
// (scripts/onnx/export_op_fixtures.py): every layer against PyTorch's activations, and the
// receptive fields, counts and refusals that apply, derived by hand.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadOnnxFile } from '../../src/analysis/onnx/loadOnnxModel';
import { parseOnnx } from '../../src/analysis/onnx/parseOnnx';
import {
  computeReceptiveFields,
  countModel,
  extractLayerGraph,
  type ReceptiveFieldReport,
} from '../../src/analysis/structure';
import {
  ensureFixtures,
  ensureOpFixtures,
  loadFixture,
  loadOpFixture,
} from './helpers/onnxFixtures';
import { checkAgainstPyTorch } from './helpers/onnxCompare';
import { editNode, withIntAttribute, refusal } from './helpers/onnxRefusals';
import { describeStructure } from '../../src/analysis/structure/modelStructure';

const TOLERANCE = 1e-4;
const NETS = ['split13', 'split11', 'maxpool_dilated', 'deconvs', 'cubic'];

/** [size, jump] per axis of a layer's receptive field. */
function fieldAt(report: ReceptiveFieldReport, layer: string): number[][] {
  const field = report.byName[layer];
  assert.ok(field?.axes, `${layer}: no receptive field (${field?.reason})`);
  return field.axes.map((a) => [a.size, a.jump]);
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

describe('ONNX import: dilated max pooling', function () {
  this.timeout(10 * 60_000);
  before(() => tf.setBackend('cpu'));

  // By hand at 18x18 (size, jump, padding before unit 0): conv 3x3 (3, 1, 0), 16 wide;
  // pool_signed 3x3 dilation 2 (window 5), pads 1: (3 + 4 = 7, 1, 1), 14 wide; pool_strided
  // 2x2 dilation 2 (window 3) stride 2, ceil_mode adds one row and column of -Infinity at the
  // end: (7 + 2 = 9, 2, 1), 7 wide; conv2 3x3: (9 + 2 * 2 = 13, 2, 1), 5 wide.
  it('receptive fields grow with the dilation, as for a dilated convolution', async () => {
    const loaded = await loadOnnxFile(tf, loadOpFixture('maxpool_dilated').modelFile);
    const graph = extractLayerGraph(loaded.model);
    const report = computeReceptiveFields(graph);
    for (const [layer, size, jump, padding, length] of [
      ['conv', 3, 1, 0, 16],
      ['pool_signed', 7, 1, 1, 14],
      ['relu', 7, 1, 1, 14],
      ['pool_strided', 9, 2, 1, 7],
      ['conv2', 13, 2, 1, 5],
    ] as const) {
      const field = report.byName[layer];
      assert.deepEqual(fieldAt(report, layer), [
        [size, jump],
        [size, jump],
      ]);
      assert.deepEqual(
        field.axes!.map((a) => a.padding),
        [padding, padding],
        layer,
      );
      assert.deepEqual(field.outputSize, [length, length], layer);
    }
    assert.equal(loaded.model.getLayer('pool_strided').getClassName(), 'OnnxMaxPool2D');
    const counts = new Map(countModel(graph).layers.map((l) => [l.name, l]));
    assert.equal(counts.get('pool_strided')!.macs, 0);
    assert.equal(counts.get('pool_strided')!.totalParams, 0);
    // The Structure view's row shows the window's dilation.
    const rows = describeStructure(graph).layers;
    const row = rows.find((r) => r.name === 'pool_signed')!;
    assert.deepEqual(
      [row.kernel, row.strides, row.dilation],
      [
        [3, 3],
        [1, 1],
        [2, 2],
      ],
    );
    loaded.model.dispose();
  });

  it('dilated average pooling (ONNX opset 19) is refused, naming the node', async () => {
    // No PyTorch export writes one; the translation refuses it before making any layer.
    const bytes = editNode(
      loadOpFixture('maxpool_dilated').modelFile,
      (n) => n.opType === 'MaxPool',
      (n) => (n.opType = 'AveragePool'),
    );
    const file = join(mkdtempSync(join(tmpdir(), 'onnx-avg-')), 'dilated_average.onnx');
    writeFileSync(file, bytes);
    try {
      assert.match(
        await refusal(file),
        /node '\/pool_signed\/MaxPool' \(AveragePool, opset 13\): dilated average pooling is not supported\.$/,
      );
    } finally {
      rmSync(dirname(file), { recursive: true, force: true });
    }
  });
});

describe('ONNX import: grouped and dilated transposed convolutions', function () {
  this.timeout(10 * 60_000);
  before(() => tf.setBackend('cpu'));

  // At 9x9: conv 3x3 -> 7x7; grouped (8 -> 6, groups 2, 3x3, stride 2, pads 1, output_padding
  // 1): (7 - 1) 2 + 3 + 1 - 2 = 14; dilated (6 -> 4, 3x3, dilation 2, pads 2): 13 + 5 - 4 = 14;
  // both (4 -> 4, groups 4, 3x2, strides (2, 3), dilation (2, 1), pads (1, 0), output_padding
  // (1, 2)): 13 * 2 + 5 + 1 - 2 = 30 by 13 * 3 + 2 + 2 = 43.
  it('counts by groups, shapes with dilation and output padding, no receptive field', async () => {
    const loaded = await loadOnnxFile(tf, loadOpFixture('deconvs').modelFile);
    const graph = extractLayerGraph(loaded.model);
    const shape = (layer: string) => loaded.model.getLayer(layer).outputShape;
    assert.deepEqual(shape('grouped.crop'), [null, 14, 14, 6]);
    assert.deepEqual(shape('dilated.crop'), [null, 14, 14, 4]);
    assert.deepEqual(shape('both.crop'), [null, 30, 43, 4]);
    assert.equal(loaded.model.getLayer('grouped').getClassName(), 'OnnxConvTranspose2D');
    const counts = new Map(countModel(graph).layers.map((l) => [l.name, l]));
    // MACs of a transposed convolution: input positions x kernel area x in x out / groups.
    assert.equal(counts.get('grouped')!.macs, 7 * 7 * 3 * 3 * 8 * (6 / 2));
    assert.equal(counts.get('grouped')!.totalParams, 8 * 3 * 3 * 3 + 6);
    assert.equal(counts.get('dilated')!.macs, 14 * 14 * 3 * 3 * 6 * 4);
    assert.equal(counts.get('both')!.macs, 14 * 14 * 3 * 2 * 4 * (4 / 4));
    assert.equal(counts.get('both')!.totalParams, 4 * 1 * 3 * 2);
    // Neighbouring outputs of a strided transposed convolution read different numbers of
    // inputs: no (size, jump) describes them, and the reason is given downstream.
    const report = computeReceptiveFields(graph);
    assert.equal(report.byName.grouped.axes, null);
    assert.match(report.byName.grouped.reason!, /transposed convolution has a fractional stride/);
    assert.match(report.byName.both.reason!, /downstream of 'grouped'/);
    loaded.model.dispose();
  });
});

describe('ONNX import: receptive fields after Resize are not defined, and say why', function () {
  this.timeout(10 * 60_000);
  before(async () => {
    await tf.setBackend('cpu');
    ensureFixtures(['resizes']);
  });

  // The (size, jump, padding) description needs every unit of a layer to read the same number
  // of input positions, evenly spaced. Nearest x2 maps output o to input floor(o / 2): a 2-wide
  // window at o = 2m reads input m alone, at o = 2m + 1 inputs m and m + 1 (sizes 1 and 2 in
  // turn; the jump would be 1/2). Bilinear x2 (half-pixel) reads the source coordinate
  // (o + 0.5) / 2 - 0.5: at o = 0 it is clamped to input 0 alone, at o = 1 it reads inputs 0 and
  // 1. So the fields stop at the resize, naming it and the reason, and every layer after it too.
  it('nearest and bilinear resizes stop the fields with the reason, downstream layers name them', async () => {
    const loaded = await loadOnnxFile(tf, loadFixture('resizes').modelFile);
    const report = computeReceptiveFields(extractLayerGraph(loaded.model));
    assert.deepEqual(fieldAt(report, 'conv'), [
      [3, 1],
      [3, 1],
    ]);
    assert.equal(loaded.model.getLayer('nearest').getClassName(), 'UpSampling2D');
    assert.equal(report.byName.nearest.axes, null);
    assert.match(
      report.byName.nearest.reason!,
      /2-wide window reads 1 input position at even units and 2 at odd ones.*receptive fields are not defined/,
    );
    assert.match(report.byName.conv2.reason!, /^downstream of 'nearest' \(UpSampling2D\): /);
    assert.equal(loaded.model.getLayer('bilinear').getClassName(), 'OnnxResize2D');
    assert.match(
      report.byName.bilinear.reason!,
      /downstream of 'nearest'/,
      'the first resize upstream is named',
    );
    loaded.model.dispose();
    const cubic = await loadOnnxFile(tf, loadOpFixture('cubic').modelFile);
    const cubicReport = computeReceptiveFields(extractLayerGraph(cubic.model));
    assert.equal(cubic.model.getLayer('up').getClassName(), 'OnnxCubicResize2D');
    assert.match(
      cubicReport.byName.up.reason!,
      /^bicubic resizing reads the 4 input positions .*receptive fields are not defined/,
    );
    cubic.model.dispose();
  });
});

describe('ONNX import: Resize modes it refuses name the file, the node, the op and the opset', function () {
  this.timeout(10 * 60_000);
  before(() => tf.setBackend('cpu'));

  // PyTorch 1.13 cannot export an antialiased resize (opset 18's `antialias`): the attribute is
  // added to the fixture's bilinear Resize, as a newer exporter writes it. (Cubic: the bicubic
  // file of onnxImport.unit.test.ts.)
  it('antialiased resizing', async () => {
    const bytes = withIntAttribute(
      loadFixture('resizes').modelFile,
      (n) => n.name === '/bilinear/Resize',
      'antialias',
      1,
    );
    const dir = mkdtempSync(join(tmpdir(), 'onnx-antialias-'));
    const file = join(dir, 'antialias.onnx');
    writeFileSync(file, bytes);
    try {
      assert.equal(
        await refusal(file),
        `${file}: node '/bilinear/Resize' (Resize, opset 13): antialiased resizing is not supported.`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
