import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import {
  computeReceptiveFields,
  extractLayerGraph,
  unitReceptiveField,
  unitReceptiveField1D,
  type ReceptiveFieldReport,
} from '../../src/analysis/structure';
import { describeStructure, structureLayerJson } from '../../src/analysis/structure/modelStructure';
import { applyTo, buildLenet5, buildVgg16 } from './structureModels';

/** Builds a model, computes its receptive fields, disposes it and checks for tensor leaks. */
function fieldsOf(build: () => tf.LayersModel): ReceptiveFieldReport {
  const before = tf.memory().numTensors;
  const model = build();
  const report = computeReceptiveFields(extractLayerGraph(model));
  model.dispose();
  assert.equal(tf.memory().numTensors, before);
  return report;
}

const rf = (size: number, jump: number, padding: number) => ({ size, jump, padding });
const square = (size: number, jump: number, padding: number) => [
  rf(size, jump, padding),
  rf(size, jump, padding),
];

describe('structure: receptive fields', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  describe('VGG-16', () => {
    // Distill (Araujo et al. 2019) gives pool5 of VGG-16: r = 212, S = 32, P = 90. By hand,
    // each 3x3 'same' conv adds 2j to r and j to p, each 2x2/2 pool adds j to r and doubles j:
    // block1 conv (3,1,1) (5,1,2), pool (6,2,2); block2 pool (16,4,6); block3 pool (44,8,18);
    // block4 pool (100,16,42); block5 convs (132,16,58) (164,16,74) (196,16,90), pool (212,32,90).
    for (const size of [224, 225]) {
      it(`matches the published pool5 field at ${size}x${size}`, () => {
        const report = fieldsOf(() => buildVgg16(size, size, size === 224));
        assert.deepEqual(report.byName.block1_conv1.axes, square(3, 1, 1));
        assert.deepEqual(report.byName.block1_pool.axes, square(6, 2, 2));
        assert.deepEqual(report.byName.block2_pool.axes, square(16, 4, 6));
        assert.deepEqual(report.byName.block3_pool.axes, square(44, 8, 18));
        assert.deepEqual(report.byName.block4_pool.axes, square(100, 16, 42));
        assert.deepEqual(report.byName.block5_conv1.axes, square(132, 16, 58));
        assert.deepEqual(report.byName.block5_pool.axes, square(212, 32, 90));
        assert.deepEqual(report.byName.block5_pool.outputSize, [7, 7]);
        assert.deepEqual(report.inputSize, [size, size]);
      });
    }

    it('gives the whole 7x7 grid of pool5 to fc1, and the input rectangle of units', () => {
      const report = fieldsOf(() => buildVgg16());
      // Flatten gathers pool5's 7 positions: 212 + 6 * 32 = 404, still starting at -90.
      assert.deepEqual(report.byName.flatten.axes, square(404, 32, 90));
      assert.equal(report.byName.flatten.collapsed, true);
      assert.deepEqual(report.byName.predictions.axes, square(404, 32, 90));
      const pool5 = report.byName.block5_pool;
      const corner = unitReceptiveField(pool5, 0, 0, 224, 224);
      assert.deepEqual(corner.unclipped, [-90, -90, 122, 122]);
      assert.deepEqual(corner.clipped, [0, 0, 122, 122]);
      assert.deepEqual(corner.centre, [15.5, 15.5]);
      const last = unitReceptiveField(pool5, 6, 3, 224, 224);
      // rows: -90 + 6*32 = 102 .. 314; columns: -90 + 96 = 6 .. 218
      assert.deepEqual(last.unclipped, [102, 6, 314, 218]);
      assert.deepEqual(last.clipped, [102, 6, 224, 218]);
      assert.deepEqual(last.centre, [207.5, 111.5]);
      assert.throws(() => unitReceptiveField(pool5, 7, 0, 224, 224), RangeError);
      assert.throws(() => unitReceptiveField(pool5, 0, -1, 224, 224), RangeError);
    });
  });

  it('LeNet-5: same conv, pools and a valid conv', () => {
    const report = fieldsOf(buildLenet5);
    // conv1 5x5 same: (5,1,2); pool (6,2,2); conv2 5x5 valid: (6+4*2, 2, 2) = (14,2,2); pool (16,4,2)
    assert.deepEqual(report.byName.conv1.axes, square(5, 1, 2));
    assert.deepEqual(report.byName.conv2.axes, square(14, 2, 2));
    assert.deepEqual(report.byName.pool2.axes, square(16, 4, 2));
    // flatten over 5 positions: 16 + 4 * 4 = 32
    assert.deepEqual(report.byName.fc3.axes, square(32, 4, 2));
  });

  it('TensorFlow "same" padding with stride 2 depends on the input size', () => {
    for (const [size, pad] of [
      [7, 1], // total = (4-1)*2 + 3 - 7 = 2, before 1
      [8, 0], // total = (4-1)*2 + 3 - 8 = 1, before 0 (the extra pixel goes after)
    ]) {
      const report = fieldsOf(() =>
        tf.sequential({
          layers: [
            tf.layers.conv2d({
              inputShape: [size, size, 1],
              filters: 1,
              kernelSize: 3,
              strides: 2,
              padding: 'same',
              name: 's',
            }),
          ],
        }),
      );
      assert.deepEqual(report.byName.s.axes, square(3, 2, pad), `size ${size}`);
      assert.deepEqual(report.byName.s.outputSize, [4, 4]);
    }
  });

  it('dilation, zero padding, cropping, depthwise and separable convolutions', () => {
    const report = fieldsOf(() => {
      const input = tf.input({ shape: [20, 24, 2] });
      let x = applyTo(
        tf.layers.zeroPadding2d({
          padding: [
            [1, 2],
            [3, 4],
          ],
          name: 'zp',
        }),
        input,
      );
      x = applyTo(tf.layers.conv2d({ filters: 2, kernelSize: 3, dilationRate: 2, name: 'dil' }), x);
      x = applyTo(
        tf.layers.cropping2D({
          cropping: [
            [1, 1],
            [2, 2],
          ],
          name: 'crop',
        }),
        x,
      );
      x = applyTo(tf.layers.depthwiseConv2d({ kernelSize: [3, 1], strides: 2, name: 'dw' }), x);
      x = applyTo(
        tf.layers.separableConv2d({ filters: 3, kernelSize: 3, padding: 'same', name: 'sep' }),
        x,
      );
      return tf.model({ inputs: input, outputs: x });
    });
    // zero padding moves the origin: (1,1,1) height, (1,1,3) width
    assert.deepEqual(report.byName.zp.axes, [rf(1, 1, 1), rf(1, 1, 3)]);
    // dilated 3x3, d=2: effective 5 -> size 5
    assert.deepEqual(report.byName.dil.axes, [rf(5, 1, 1), rf(5, 1, 3)]);
    // cropping removes 1 / 2 positions before: padding 1-1 = 0, 3-2 = 1
    assert.deepEqual(report.byName.crop.axes, [rf(5, 1, 0), rf(5, 1, 1)]);
    // depthwise [3,1] stride 2 valid: height 5+2 = 7, width 5; jumps 2
    assert.deepEqual(report.byName.dw.axes, [rf(7, 2, 0), rf(5, 2, 1)]);
    // separable 3x3 same stride 1: + 2*2 in size, + 1*2 in padding
    assert.deepEqual(report.byName.sep.axes, [rf(11, 2, 2), rf(9, 2, 3)]);
    const unit = unitReceptiveField(report.byName.crop, 0, 0, 20, 24);
    assert.deepEqual(unit.unclipped, [0, -1, 5, 4]);
    assert.deepEqual(unit.clipped, [0, 0, 5, 4]);
  });

  it('causal Conv1D looks only backwards', () => {
    const report = fieldsOf(() =>
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
          tf.layers.conv1d({
            filters: 2,
            kernelSize: 3,
            dilationRate: 4,
            padding: 'causal',
            name: 'c2',
          }),
          tf.layers.maxPooling1d({ poolSize: 2, name: 'p' }),
          tf.layers.globalAveragePooling1d({ name: 'g' }),
        ],
      }),
    );
    // c1: keff 5, padding 4; c2: keff 9 -> size 13, padding 12; unit i sees [i-12, i].
    assert.deepEqual(report.byName.c1.axes, [rf(5, 1, 4)]);
    assert.deepEqual(report.byName.c2.axes, [rf(13, 1, 12)]);
    assert.deepEqual(report.byName.c2.outputSize, [20]);
    assert.deepEqual(unitReceptiveField1D(report.byName.c2, 19, 20).unclipped, [7, 20]);
    assert.deepEqual(unitReceptiveField1D(report.byName.c2, 0, 20).clipped, [0, 1]);
    // pool 2/2: (14, 2, 12) over 10 positions; global pooling: 14 + 9*2 = 32
    assert.deepEqual(report.byName.p.axes, [rf(14, 2, 12)]);
    assert.deepEqual(report.byName.g.axes, [rf(32, 2, 12)]);
    assert.equal(report.byName.g.collapsed, true);
  });

  it('aligned branches merge without warning, taking the largest field', () => {
    const report = fieldsOf(() => {
      const input = tf.input({ shape: [16, 16, 1] });
      const a1 = applyTo(
        tf.layers.conv2d({ filters: 2, kernelSize: 3, padding: 'same', name: 'a1' }),
        input,
      );
      const a2 = applyTo(
        tf.layers.conv2d({ filters: 2, kernelSize: 3, padding: 'same', name: 'a2' }),
        a1,
      );
      const b = applyTo(
        tf.layers.conv2d({ filters: 2, kernelSize: 3, padding: 'same', name: 'b' }),
        input,
      );
      const sum = applyTo(tf.layers.add({ name: 'sum' }), [a2, b]);
      const cat = applyTo(tf.layers.concatenate({ name: 'cat' }), [sum, input]);
      return tf.model({ inputs: input, outputs: cat });
    });
    // a2: (5,1,2), centre -2+2 = 0; b: (3,1,1), centre 0: aligned.
    assert.deepEqual(report.byName.sum.axes, square(5, 1, 2));
    assert.deepEqual(report.byName.sum.warnings, []);
    assert.deepEqual(report.byName.cat.axes, square(5, 1, 2));
    assert.deepEqual(report.byName.cat.warnings, []);
  });

  it('reports misaligned branches on the merge layer', () => {
    const report = fieldsOf(() => {
      const input = tf.input({ shape: [16, 16, 1] });
      const pool = applyTo(tf.layers.maxPooling2d({ poolSize: 2, name: 'pool' }), input);
      const conv = applyTo(
        tf.layers.conv2d({ filters: 1, kernelSize: 3, strides: 2, padding: 'same', name: 'conv' }),
        input,
      );
      return tf.model({
        inputs: input,
        outputs: applyTo(tf.layers.add({ name: 'sum' }), [pool, conv]),
      });
    });
    // pool: (2,2,0), unit 0 centred at 0.5; conv on 16 with stride 2: pad total 1, before 0:
    // (3,2,0), centred at 1. Same jump, different centres: misaligned by half a pixel.
    assert.deepEqual(report.byName.pool.axes, square(2, 2, 0));
    assert.deepEqual(report.byName.conv.axes, square(3, 2, 0));
    assert.deepEqual(report.byName.sum.axes, square(3, 2, 0));
    assert.equal(report.byName.sum.warnings.length, 1);
    assert.match(report.byName.sum.warnings[0], /misaligned/);
    assert.match(report.byName.sum.warnings[0], /centred at 0\.5/);
  });

  it('carries a misaligned merge to the JSON (rfWarning) and to every layer after it', () => {
    const before = tf.memory().numTensors;
    const input = tf.input({ shape: [16, 16, 1] });
    const pool = applyTo(tf.layers.maxPooling2d({ poolSize: 2, name: 'pool' }), input);
    const conv = applyTo(
      tf.layers.conv2d({ filters: 1, kernelSize: 3, strides: 2, padding: 'same', name: 'conv' }),
      input,
    );
    const sum = applyTo(tf.layers.add({ name: 'sum' }), [pool, conv]);
    const after = applyTo(tf.layers.conv2d({ filters: 1, kernelSize: 3, name: 'after' }), sum);
    const model = tf.model({ inputs: input, outputs: after });
    const structure = describeStructure(extractLayerGraph(model));
    model.dispose();
    assert.equal(tf.memory().numTensors, before);
    const json = Object.fromEntries(structure.layers.map((l) => [l.name, structureLayerJson(l)]));
    // pool (2,2,0): unit 0 centred at -0 + 1 * 0.5 = 0.5; conv (3,2,0): centred at 1, on both axes.
    const expected =
      "the branches joined by 'sum' are misaligned along axis 0 (pool: jump 2, unit 0 centred at 0.5; conv: jump 2, unit 0 centred at 1), along axis 1 (pool: jump 2, unit 0 centred at 0.5; conv: jump 2, unit 0 centred at 1); the largest field is reported, but units of different branches do not look at the same place";
    assert.deepEqual(json.sum.rf, { size: [3, 3], jump: [2, 2], padding: [0, 0] });
    assert.equal(json.sum.rfWarning, expected);
    // after: 3x3 valid on jump 2: size 3 + 2 * 2 = 7, still from the misaligned merge.
    assert.deepEqual(json.after.rf, { size: [7, 7], jump: [2, 2], padding: [0, 0] });
    assert.equal(json.after.rfWarning, expected);
    assert.ok(json.after.notes?.includes(expected), 'the Structure view lists it');
    assert.equal('rfWarning' in json.pool, false);
    assert.equal('rfWarning' in json.conv, false);
  });

  it('reports a dilated DepthwiseConv2D as it runs in the JSON, with a note', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.depthwiseConv2d({
          inputShape: [9, 9, 1],
          kernelSize: 3,
          dilationRate: 2,
          padding: 'same',
          name: 'dw',
        }),
        tf.layers.conv2d({ filters: 1, kernelSize: 3, name: 'c2' }),
      ],
    });
    const structure = describeStructure(extractLayerGraph(model));
    model.dispose();
    const [dw, c2] = structure.layers;
    // What runs: 3x3 'same' -> size 3, padding 1 (not 5 / 2); c2 adds 2: size 5, padding 1.
    assert.deepEqual(structureLayerJson(dw).rf, { size: [3, 3], jump: [1, 1], padding: [1, 1] });
    assert.deepEqual(structureLayerJson(c2).rf, { size: [5, 5], jump: [1, 1], padding: [1, 1] });
    assert.deepEqual(dw.dilation, [1, 1]);
    assert.match(
      structureLayerJson(dw).notes?.join(' ') ?? '',
      /dilationRate \[2, 2\] is configured, but TF\.js 4\.22 runs DepthwiseConv2D undilated/,
    );
  });

  it('UpSampling2D has no field, with its reason, and so has everything after it', () => {
    const report = fieldsOf(() =>
      tf.sequential({
        layers: [
          tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 1, kernelSize: 3, name: 'c' }),
          tf.layers.upSampling2d({ size: [2, 2], name: 'up' }),
          tf.layers.conv2d({ filters: 1, kernelSize: 3, name: 'after' }),
          tf.layers.globalMaxPooling2d({ name: 'gmp' }),
        ],
      }),
    );
    assert.deepEqual(report.byName.c.axes, square(3, 1, 0));
    assert.equal(report.byName.up.axes, null);
    assert.match(report.byName.up.reason ?? '', /UpSampling repeats/);
    assert.equal(report.byName.after.axes, null);
    assert.match(report.byName.after.reason ?? '', /downstream of 'up' \(UpSampling2D\)/);
    assert.match(report.byName.gmp.reason ?? '', /downstream of 'up'/);
    assert.throws(() => unitReceptiveField(report.byName.after, 0, 0, 8, 8), /UpSampling/);
  });

  it('reshapes that keep positions pass; reshapes that mix them do not', () => {
    const report = fieldsOf(() => {
      const input = tf.input({ shape: [8, 8, 4] });
      const conv = applyTo(
        tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'c' }),
        input,
      );
      const keep = applyTo(tf.layers.reshape({ targetShape: [8, 8, 2, 2], name: 'keep' }), conv);
      const mix = applyTo(tf.layers.reshape({ targetShape: [16, 16, 1], name: 'mix' }), conv);
      const flat = applyTo(tf.layers.reshape({ targetShape: [256], name: 'flat' }), conv);
      return tf.model({ inputs: input, outputs: [keep, mix, flat] });
    });
    assert.deepEqual(report.byName.keep.axes, square(3, 1, 1));
    assert.equal(report.byName.mix.axes, null);
    assert.match(report.byName.mix.reason ?? '', /rearranges spatial positions/);
    assert.deepEqual(report.byName.flat.axes, square(10, 1, 1)); // 3 + 7
    assert.equal(report.byName.flat.collapsed, true);
  });

  it('composes a nested model used as a layer', () => {
    const report = fieldsOf(() => {
      const inner = tf.sequential({
        name: 'inner',
        layers: [
          tf.layers.conv2d({ inputShape: [14, 14, 2], filters: 2, kernelSize: 3, name: 'ic' }),
          tf.layers.maxPooling2d({ poolSize: 2, name: 'ip' }),
        ],
      });
      const input = tf.input({ shape: [16, 16, 1] });
      const c = applyTo(tf.layers.conv2d({ filters: 2, kernelSize: 3, name: 'outer' }), input);
      return tf.model({ inputs: input, outputs: applyTo(inner, c) });
    });
    // outer (3,1,0); inner alone (3,1,0) then pool (4,2,0); composed: 3 + 3*1 = 6, jump 2, pad 0
    assert.deepEqual(report.byName.inner.axes, square(6, 2, 0));
  });
});
