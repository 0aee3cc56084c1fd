import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { onnx } from 'onnx-proto';
import { loadOnnxFile } from '../../src/analysis/onnx/loadOnnxModel';
import {
  computeReceptiveFields,
  countModel,
  extractLayerGraph,
} from '../../src/analysis/structure';
import { ensureFixtures, fixtureRoot, loadFixture } from './helpers/onnxFixtures';
import { checkAgainstPyTorch } from './helpers/onnxCompare';
import { editNode, excludeOutsideResize, refusal } from './helpers/onnxRefusals';

const SMALL_NETS = ['convs', 'pools', 'arithmetic', 'batchnorm', 'groups', 'resizes'];
const TORCHVISION_NETS = [
  'resnet18',
  'mobilenet_v2',
  'squeezenet1_1',
  'googlenet',
  'shufflenet_v2_x0_5',
  'convnext',
  'convnext_opset17',
  'densenet',
  'inception_input',
];
const TOLERANCE = 1e-4;

describe('ONNX import: every layer matches PyTorch', function () {
  this.timeout(20 * 60_000);
  before(async () => {
    await tf.setBackend('cpu');
    ensureFixtures([...SMALL_NETS, ...TORCHVISION_NETS]);
  });

  for (const name of [...SMALL_NETS, ...TORCHVISION_NETS]) {
    it(`${name}: activations to ${TOLERANCE} relative, parameters per layer`, async () => {
      await checkAgainstPyTorch(loadFixture(name), TOLERANCE);
    });
  }
});

describe('ONNX import: structure of torchvision exports', function () {
  this.timeout(20 * 60_000);
  const fieldAt = (report: ReturnType<typeof computeReceptiveFields>, layer: string) => {
    const field = report.byName[layer];
    assert.ok(field?.axes, `${layer}: no receptive field (${field?.reason})`);
    return field.axes.map((a) => [a.size, a.jump]);
  };

  before(async () => {
    await tf.setBackend('cpu');
    ensureFixtures(['alexnet_features', 'vgg16_features', 'resnet18_224', 'shufflenet_v2_x0_5']);
  });

  // Published values: AlexNet pool5 195 px, stride 32; VGG-16 pool5 212 px, stride 32 (Araujo,
  // Norris & Sim, Distill 2019, and the papers' own tables); ResNet-18's last block 435 px,
  // stride 32. torchvision's AlexNet is Krizhevsky's one-GPU variant (conv1 11x11/4, pad 2).
  it('receptive fields of AlexNet, VGG-16 and ResNet-18 are the published ones', async () => {
    const cases: [string, string, number, string, number][] = [
      ['alexnet_features', '12', 195, '11', 163],
      ['vgg16_features', '30', 212, '28', 196],
      ['resnet18_224', 'layer4.1.relu_1', 435, 'layer1.1.relu_1', 43],
    ];
    for (const [name, last, size, earlier, earlierSize] of cases) {
      const loaded = await loadOnnxFile(tf, loadFixture(name).modelFile);
      const report = computeReceptiveFields(extractLayerGraph(loaded.model));
      assert.deepEqual(
        fieldAt(report, last),
        [
          [size, 32],
          [size, 32],
        ],
        `${name} ${last}`,
      );
      assert.equal(fieldAt(report, earlier)[0][0], earlierSize, `${name} ${earlier}`);
      loaded.model.dispose();
    }
  });

  // By hand, layer by layer (size, jump): conv1 3x3 (3, 1); grouped 3x3 (5, 1); dw_dilated 3x3
  // dilation 2 (9, 1); avg_excl 3/2 (11, 2); replicate pads (11, 2); grouped_s2 3/2 (15, 4);
  // avg_ceil 2/2 (19, 8). The divisor after an average pooling keeps positions.
  it('receptive fields and counts of grouped, dilated depthwise and count-excluding layers', async () => {
    ensureFixtures(['groups']);
    const loaded = await loadOnnxFile(tf, loadFixture('groups').modelFile);
    const graph = extractLayerGraph(loaded.model);
    const report = computeReceptiveFields(graph);
    const expected: [string, number, number][] = [
      ['grouped', 5, 1],
      ['dw_dilated', 9, 1],
      ['avg_excl', 11, 2],
      ['avg_excl.divisor', 11, 2],
      ['replicate', 11, 2],
      ['grouped_s2', 15, 4],
      ['avg_ceil', 19, 8],
    ];
    for (const [layer, size, jump] of expected) {
      assert.deepEqual(fieldAt(report, layer), [
        [size, jump],
        [size, jump],
      ]);
    }
    const counts = new Map(countModel(graph).layers.map((l) => [l.name, l]));
    // 12 filters of 8 / 4 = 2 channels, 3x3, at 15x15 positions; 6 filters of 12 / 3 = 4 at 5x4.
    assert.equal(counts.get('grouped')!.macs, 15 * 15 * 12 * 2 * 3 * 3);
    assert.equal(counts.get('grouped')!.totalParams, 12 * 2 * 3 * 3 + 12);
    assert.equal(counts.get('grouped_s2')!.macs, 5 * 4 * 6 * 4 * 3 * 3);
    assert.equal(counts.get('dw_dilated')!.macs, 15 * 15 * 12 * 3 * 3);
    loaded.model.dispose();
  });

  // ShuffleNetV2's channel split (Slice along the channels) and channel shuffle (Reshape to 5-D,
  // Transpose, Reshape back, folded into one layer) keep every position: by hand, conv1 3x3/2
  // (3, 2), maxpool 3/2 (7, 4), branch2's depthwise 3x3/2 (15, 8), like branch1's; the 1x1
  // convolutions add nothing. The concatenation, its shuffle and the next unit's slices: (15, 8).
  it("ShuffleNetV2's channel split and shuffle: one layer each, fields unchanged, nothing counted", async () => {
    const loaded = await loadOnnxFile(tf, loadFixture('shufflenet_v2_x0_5').modelFile);
    const graph = extractLayerGraph(loaded.model);
    const classes = loaded.model.layers.map((l) => l.getClassName());
    // One shuffle per unit (3 + 7 + 3 stride-1 units, one stride-2 unit per stage); two slices
    // per stride-1 unit.
    assert.equal(classes.filter((c) => c === 'OnnxChannelShuffle').length, 16);
    assert.equal(classes.filter((c) => c === 'OnnxChannelSlice').length, 26);
    assert.ok(!classes.includes('Permute') && !classes.includes('Reshape'), classes.join());
    const report = computeReceptiveFields(graph);
    for (const layer of [
      'stage2.0.Concat',
      'stage2.0.channel_shuffle',
      'stage2.1.Slice',
      'stage2.1.Slice_2',
    ]) {
      assert.deepEqual(
        fieldAt(report, layer),
        [
          [15, 8],
          [15, 8],
        ],
        layer,
      );
    }
    const counts = new Map(countModel(graph).layers.map((l) => [l.name, l]));
    for (const layer of ['stage2.0.channel_shuffle', 'stage2.1.Slice', 'stage2.1.Slice_2']) {
      assert.equal(counts.get(layer)!.totalParams, 0, layer);
      assert.equal(counts.get(layer)!.macs, 0, layer);
    }
    // stage2.0's concatenation is 24 + 24 channels at 12x12 (96 / 8); a slice keeps half.
    assert.deepEqual(loaded.model.getLayer('stage2.0.channel_shuffle').outputShape, [
      null,
      12,
      12,
      48,
    ]);
    assert.deepEqual(loaded.model.getLayer('stage2.1.Slice').outputShape, [null, 12, 12, 24]);
    loaded.model.dispose();
  });

  it("ResNet-18's file holds 11,684,712 parameters (BatchNorm folded), counted per layer", async () => {
    const fixture = loadFixture('resnet18_224');
    const loaded = await loadOnnxFile(tf, fixture.modelFile);
    const counts = countModel(extractLayerGraph(loaded.model));
    assert.equal(counts.totals.totalParams, 11_684_712);
    assert.equal(fixture.oracle.moduleParams, 11_689_512); // sum(p.numel()) of the module
    const macs = counts.layers.find((l) => l.name === 'layer1.0.conv1')!.macs;
    assert.equal(macs, 56 * 56 * 3 * 3 * 64 * 64);
    loaded.model.dispose();
  });
});

describe('ONNX import: bad files get one clear line', function () {
  this.timeout(10 * 60_000);
  let scratch: string;
  let badDir: string;
  before(async () => {
    await tf.setBackend('cpu');
    ensureFixtures(['bad', 'convs']);
    badDir = join(fixtureRoot(), 'bad');
    scratch = mkdtempSync(join(tmpdir(), 'onnx-bad-'));
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('a truncated file', async () => {
    const bytes = readFileSync(loadFixture('convs').modelFile);
    const file = join(scratch, 'truncated.onnx');
    writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    assert.match(await refusal(file), /truncated|not a readable ONNX model|holds \d+ values/);
  });

  it('a file that is not ONNX', async () => {
    const file = join(scratch, 'notes.onnx');
    writeFileSync(file, 'These are my notes about ResNet, not a model.\n');
    assert.match(await refusal(file), /not (a readable )?ONNX/);
    const empty = join(scratch, 'empty.onnx');
    writeFileSync(empty, '');
    assert.match(await refusal(empty), /not an ONNX model/);
  });

  it('an unsupported op names the node, the op and the opset', async () => {
    // GELU's Erf is imported (fused with its Div, Add and Muls); Erf alone is not.
    const message = await refusal(join(badDir, 'erf.onnx'));
    assert.match(message, /node '[^']*Erf[^']*' \(Erf, opset 13\): this op is not supported/);
  });

  it('slices other than a range of channels name the node, the op and the opset', async () => {
    assert.match(
      await refusal(join(badDir, 'slice_height.onnx')),
      /node '[^']*Slice[^']*' \(Slice, opset 13\): slicing along axis 2 is not supported \(only a range of channels is: axis 1, step 1\)\.$/,
    );
    assert.match(
      await refusal(join(badDir, 'slice_step.onnx')),
      /node '[^']*Slice[^']*' \(Slice, opset 13\): slicing channels with step 2 is not supported/,
    );
  });

  it('a LayerNorm over channels, height and width (not over the channels as in ConvNeXt)', async () => {
    assert.match(
      await refusal(join(badDir, 'layernorm_chw_opset17.onnx')),
      /node '\/norm\/LayerNormalization' \(LayerNormalization, opset 17\): layer normalisation over axis -3 of \[1, 4, 6, 6\] is not supported \(only over the last axis of a channels-last image or a vector\)\.$/,
    );
    assert.match(
      await refusal(join(badDir, 'layernorm_chw_opset13.onnx')),
      /node '[^']*ReduceMean[^']*' \(ReduceMean, opset 13\): ReduceMean over other axes than height and width is not supported\.$/,
    );
  });

  it('an unsupported mode names the node, the op and the opset', async () => {
    // The file's bicubic Resize is imported (onnxOps.unit.test.ts); excluding the pixels outside
    // the image (exclude_outside=1, which PyTorch never writes) is refused.
    const file = join(scratch, 'exclude_outside.onnx');
    writeFileSync(file, excludeOutsideResize(join(badDir, 'resize.onnx')));
    assert.match(
      await refusal(file),
      /node '\/up\/Resize' \(Resize, opset 13\): cubic resizing with exclude_outside=1 is not supported\.$/,
    );
  });

  it('an unsupported attribute names the node, the op and the opset', async () => {
    // The file's grouped transposed convolution is imported (onnxOps.unit.test.ts); with
    // ConvTranspose's output_shape attribute, which the import does not read, it is refused.
    const bytes = editNode(
      join(badDir, 'grouped_deconv.onnx'),
      (n) => n.opType === 'ConvTranspose',
      (n) =>
        n.attribute!.push({
          name: 'output_shape',
          type: onnx.AttributeProto.AttributeType.INTS,
          ints: [10, 10],
        }),
    );
    const file = join(scratch, 'output_shape.onnx');
    writeFileSync(file, bytes);
    assert.match(
      await refusal(file),
      /node '[^']*ConvTranspose[^']*' \(ConvTranspose, opset 13\): attribute 'output_shape' is not supported\.$/,
    );
  });

  it('two inputs, or an input that is not an image', async () => {
    assert.match(await refusal(join(badDir, 'two_inputs.onnx')), /has 2 inputs .*one image input/);
    assert.match(
      await refusal(join(badDir, 'vector_input.onnx')),
      /shape \[1, 10\].*\[batch, channels, height, width\]/,
    );
  });

  it('a named pipe called .onnx is refused at once, not waited on', async () => {
    const fifo = join(scratch, 'pipe.onnx');
    execFileSync('mkfifo', [fifo]);
    assert.match(await refusal(fifo), /cannot read the file \(it is a named pipe \(FIFO\)/);
  });

  it('a missing file', async () => {
    assert.match(await refusal(join(scratch, 'missing.onnx')), /cannot read the file/);
  });
});
