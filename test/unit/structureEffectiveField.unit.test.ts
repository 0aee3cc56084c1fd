import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import {
  computeReceptiveFields,
  extractLayerGraph,
  unitReceptiveField,
} from '../../src/analysis/structure';
import { effectiveReceptiveField } from './helpers/gradientField';

/** Single-channel convolutions with all-ones kernels and no bias: gradients count paths. */
function onesConv(args: {
  kernelSize: number;
  strides?: number;
  padding?: 'same' | 'valid';
  name: string;
}) {
  return tf.layers.conv2d({ ...args, filters: 1, useBias: false, kernelInitializer: 'ones' });
}

function nonZeroRect(values: Float32Array, width: number): [number, number, number, number] {
  let [y0, x0, y1, x1] = [Infinity, Infinity, -Infinity, -Infinity];
  values.forEach((v, i) => {
    if (v === 0) return;
    const y = Math.floor(i / width);
    const x = i % width;
    [y0, x0, y1, x1] = [Math.min(y0, y), Math.min(x0, x), Math.max(y1, y + 1), Math.max(x1, x + 1)];
  });
  return [y0, x0, y1, x1];
}

describe('structure: effective receptive field', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('two stacked 3x3 all-ones convolutions give the [1,2,3,2,1] x [1,2,3,2,1] path counts', () => {
    const before = tf.memory().numTensors;
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({
          inputShape: [9, 9, 1],
          filters: 1,
          kernelSize: 3,
          useBias: false,
          kernelInitializer: 'ones',
          name: 'c1',
        }),
        onesConv({ kernelSize: 3, name: 'c2' }),
      ],
    });
    const input = tf.zeros([1, 9, 9, 1]);
    const baseline = tf.memory().numTensors;
    const erf = effectiveReceptiveField(tf, model, 'c2', [2, 3, 0], input);
    assert.equal(tf.memory().numTensors, baseline, 'no tensor may leak');
    assert.deepEqual(erf.shape, [9, 9]);
    const profile = [1, 2, 3, 2, 1];
    for (let y = 0; y < 9; y++) {
      for (let x = 0; x < 9; x++) {
        // unit (2, 3) of a 5x5 field starting at row 2, column 3
        const inside = y >= 2 && y < 7 && x >= 3 && x < 8;
        const expected = inside ? profile[y - 2] * profile[x - 3] : 0;
        assert.equal(erf.values[y * 9 + x], expected, `(${y}, ${x})`);
      }
    }
    assert.throws(() => effectiveReceptiveField(tf, model, 'c2', [5, 0, 0], input), RangeError);
    assert.throws(() => effectiveReceptiveField(tf, model, 'c2', [0, 0], input), RangeError);
    input.dispose();
    model.dispose();
    assert.equal(tf.memory().numTensors, before);
  });

  // Cross-checks the theoretical 'same' padding against what tfjs really computes.
  for (const size of [7, 8]) {
    it(`the support of the gradient is the theoretical field ('same', stride 2, size ${size})`, () => {
      const model = tf.sequential({
        layers: [
          tf.layers.conv2d({
            inputShape: [size, size, 1],
            filters: 1,
            kernelSize: 3,
            strides: 2,
            padding: 'same',
            useBias: false,
            kernelInitializer: 'ones',
            name: 's1',
          }),
          onesConv({ kernelSize: 3, strides: 2, padding: 'same', name: 's2' }),
        ],
      });
      const fields = computeReceptiveFields(extractLayerGraph(model));
      const input = tf.ones([1, size, size, 1]);
      const outSize = fields.byName.s2.outputSize as number[];
      for (let y = 0; y < outSize[0]; y++) {
        for (let x = 0; x < outSize[1]; x++) {
          const erf = effectiveReceptiveField(tf, model, 's2', [y, x, 0], input);
          const theory = unitReceptiveField(fields.byName.s2, y, x, size, size);
          assert.deepEqual(nonZeroRect(erf.values, size), theory.clipped, `unit (${y}, ${x})`);
        }
      }
      input.dispose();
      model.dispose();
    });
  }

  it('a dilated DepthwiseConv2D has the field of what TF.js runs (undilated), down to later layers', () => {
    // Configured 3x3, dilation 2, 'same' (5x5, padding 2), but tfjs 4.22 runs it undilated: 3x3,
    // padding 1. A 3x3 'valid' convolution after it: size 3 + 2 = 5, padding 1, so unit (y, x)
    // sees rows y-1 .. y+3 and columns x-1 .. x+3 (clipped to the 9x9 input).
    const model = tf.sequential({
      layers: [
        tf.layers.depthwiseConv2d({
          inputShape: [9, 9, 1],
          kernelSize: 3,
          dilationRate: 2,
          padding: 'same',
          useBias: false,
          depthwiseInitializer: 'ones',
          name: 'dw',
        }),
        onesConv({ kernelSize: 3, name: 'c2' }),
      ],
    });
    const fields = computeReceptiveFields(extractLayerGraph(model));
    assert.deepEqual(fields.byName.dw.axes, [
      { size: 3, jump: 1, padding: 1 },
      { size: 3, jump: 1, padding: 1 },
    ]);
    assert.deepEqual(fields.byName.c2.axes, [
      { size: 5, jump: 1, padding: 1 },
      { size: 5, jump: 1, padding: 1 },
    ]);
    assert.ok(
      fields.byName.dw.warnings.some((w) => /dilationRate \[2, 2\].*undilated/.test(w)),
      fields.byName.dw.warnings.join('; '),
    );
    const input = tf.ones([1, 9, 9, 1]);
    for (const [y, x] of [
      [0, 0],
      [3, 4],
      [6, 6],
    ]) {
      const erf = effectiveReceptiveField(tf, model, 'c2', [y, x, 0], input);
      const clip = (v: number) => Math.min(9, Math.max(0, v));
      const hand = [clip(y - 1), clip(x - 1), clip(y + 4), clip(x + 4)];
      assert.deepEqual(nonZeroRect(erf.values, 9), hand, `what tfjs runs, unit (${y}, ${x})`);
      assert.deepEqual(unitReceptiveField(fields.byName.c2, y, x, 9, 9).clipped, hand);
    }
    input.dispose();
    model.dispose();
  });
});
