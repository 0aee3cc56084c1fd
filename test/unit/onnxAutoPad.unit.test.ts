// ONNX's auto_pad (SAME_UPPER, SAME_LOWER, VALID) on Conv, MaxPool and AveragePool: hand-made
// one-node ONNX files (written with the repository's onnx-proto builder), against PyTorch run
// with the explicit pads worked out by hand below from the ONNX spec (out = ceil(in / stride),
// total = (out - 1) * stride + (k - 1) * dilation + 1 - in; SAME_UPPER puts the odd pixel at the
// end, SAME_LOWER at the start).
import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { OnnxGraphBuilder } from '../../src/analysis/engines/onnxGraphBuilder';
import { onnxModelFromBytes } from '../../src/analysis/onnx/loadOnnxModel';
import { computeReceptiveFields, extractLayerGraph } from '../../src/analysis/structure';
import { runPythonOracle } from './helpers/pythonOracle';

const [C, H, W] = [2, 8, 7];
const OUT_CHANNELS = 3;

interface Case {
  title: string;
  op: 'Conv' | 'MaxPool' | 'AveragePool';
  autoPad: 'SAME_UPPER' | 'SAME_LOWER' | 'VALID';
  kernel: number;
  stride: number;
  dilation?: number;
  /** Conv: channel groups (output channels 4 instead of 3). */
  group?: number;
  countIncludePad?: number;
  /** By hand: [top, bottom, left, right] for H = 8, W = 7. */
  pads: [number, number, number, number];
  outSize: [number, number];
}

const CASES: Case[] = [
  // k3 s2: H out 4, total 3*2+3-8 = 1; W out 4, total 3*2+3-7 = 2.
  {
    title: 'Conv 3x3/2 SAME_UPPER',
    op: 'Conv',
    autoPad: 'SAME_UPPER',
    kernel: 3,
    stride: 2,
    pads: [0, 1, 1, 1],
    outSize: [4, 4],
  },
  {
    title: 'Conv 3x3/2 SAME_LOWER',
    op: 'Conv',
    autoPad: 'SAME_LOWER',
    kernel: 3,
    stride: 2,
    pads: [1, 0, 1, 1],
    outSize: [4, 4],
  },
  // k4 s1: total 3 on both axes.
  {
    title: 'Conv 4x4/1 SAME_UPPER',
    op: 'Conv',
    autoPad: 'SAME_UPPER',
    kernel: 4,
    stride: 1,
    pads: [1, 2, 1, 2],
    outSize: [8, 7],
  },
  {
    title: 'Conv 4x4/1 SAME_LOWER',
    op: 'Conv',
    autoPad: 'SAME_LOWER',
    kernel: 4,
    stride: 1,
    pads: [2, 1, 2, 1],
    outSize: [8, 7],
  },
  // k3 dilation 2 (span 5) s2: H total 6+5-8 = 3, W total 6+5-7 = 4.
  {
    title: 'Conv 3x3/2 dilation 2 SAME_UPPER',
    op: 'Conv',
    autoPad: 'SAME_UPPER',
    kernel: 3,
    stride: 2,
    dilation: 2,
    pads: [1, 2, 2, 2],
    outSize: [4, 4],
  },
  // The same, depthwise (2 groups of 1 input channel, 2 filters each).
  {
    title: 'depthwise Conv 3x3/2 dilation 2 SAME_LOWER',
    op: 'Conv',
    autoPad: 'SAME_LOWER',
    kernel: 3,
    stride: 2,
    dilation: 2,
    group: 2,
    pads: [2, 1, 2, 2],
    outSize: [4, 4],
  },
  // VALID: floor((8-3)/2)+1 = 3, floor((7-3)/2)+1 = 3.
  {
    title: 'Conv 3x3/2 VALID',
    op: 'Conv',
    autoPad: 'VALID',
    kernel: 3,
    stride: 2,
    pads: [0, 0, 0, 0],
    outSize: [3, 3],
  },
  {
    title: 'MaxPool 3x3/2 SAME_UPPER',
    op: 'MaxPool',
    autoPad: 'SAME_UPPER',
    kernel: 3,
    stride: 2,
    pads: [0, 1, 1, 1],
    outSize: [4, 4],
  },
  // k2 s2: H total 6+2-8 = 0, W total 6+2-7 = 1.
  {
    title: 'MaxPool 2x2/2 SAME_LOWER',
    op: 'MaxPool',
    autoPad: 'SAME_LOWER',
    kernel: 2,
    stride: 2,
    pads: [0, 0, 1, 0],
    outSize: [4, 4],
  },
  {
    title: 'AveragePool 3x3/2 SAME_UPPER, pads not counted',
    op: 'AveragePool',
    autoPad: 'SAME_UPPER',
    kernel: 3,
    stride: 2,
    countIncludePad: 0,
    pads: [0, 1, 1, 1],
    outSize: [4, 4],
  },
  {
    title: 'AveragePool 3x3/2 SAME_LOWER, pads counted',
    op: 'AveragePool',
    autoPad: 'SAME_LOWER',
    kernel: 3,
    stride: 2,
    countIncludePad: 1,
    pads: [1, 0, 1, 1],
    outSize: [4, 4],
  },
  {
    title: 'AveragePool 3x3/1 VALID',
    op: 'AveragePool',
    autoPad: 'VALID',
    kernel: 3,
    stride: 1,
    pads: [0, 0, 0, 0],
    outSize: [6, 5],
  },
];

/** Deterministic values in [-1, 1). */
function pseudoRandom(n: number, seed: number): number[] {
  const out: number[] = [];
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out.push(s / 2 ** 31 - 1);
  }
  return out;
}

const outChannels = (c: Case) => (c.group ? 4 : OUT_CHANNELS);

function onnxFile(c: Case, weights: number[]): Uint8Array {
  const g = new OnnxGraphBuilder();
  g.addInput('image', [1, C, H, W]);
  const attributes = {
    auto_pad: c.autoPad,
    kernel_shape: c.op === 'Conv' ? undefined : [c.kernel, c.kernel],
    strides: [c.stride, c.stride],
    dilations: c.dilation ? [c.dilation, c.dilation] : undefined,
    group: c.group,
    count_include_pad: c.countIncludePad,
  };
  const inputs =
    c.op === 'Conv'
      ? ['image', g.floats('w', [outChannels(c), C / (c.group ?? 1), c.kernel, c.kernel], weights)]
      : ['image'];
  g.node(c.op, inputs, 'unit', attributes, 'result');
  const channels = c.op === 'Conv' ? outChannels(c) : C;
  g.addOutput('result', [1, channels, ...c.outSize]);
  return g.serialize(c.title);
}

const ORACLE = `
import json, sys, torch
import torch.nn.functional as F
request = json.load(sys.stdin)
x = torch.tensor(request['input']).reshape(1, ${C}, ${H}, ${W})
results = []
for c in request['cases']:
    top, bottom, left, right = c['pads']
    pad = (left, right, top, bottom)
    k, s, d = c['kernel'], c['stride'], c.get('dilation') or 1
    if c['op'] == 'Conv':
        groups = c.get('group') or 1
        w = torch.tensor(c['weights']).reshape(-1, ${C} // groups, k, k)
        y = F.conv2d(F.pad(x, pad), w, stride=s, dilation=d, groups=groups)
    elif c['op'] == 'MaxPool':
        y = F.max_pool2d(F.pad(x, pad, value=float('-inf')), k, s)
    else:
        sums = F.avg_pool2d(F.pad(x, pad), k, s, divisor_override=1)
        if c.get('countIncludePad'):
            y = sums / (k * k)
        else:
            counts = F.avg_pool2d(F.pad(torch.ones_like(x), pad), k, s, divisor_override=1)
            y = sums / counts
    results.append({'shape': list(y.shape), 'values': y.reshape(-1).tolist()})
print(json.dumps(results))
`;

describe('ONNX import: auto_pad on Conv and pooling', function () {
  this.timeout(5 * 60_000);

  it('SAME_UPPER, SAME_LOWER and VALID give the outputs of PyTorch with the pads worked out by hand', async () => {
    await tf.setBackend('cpu');
    const input = pseudoRandom(C * H * W, 13);
    const weights = CASES.map((c, i) =>
      c.op === 'Conv'
        ? pseudoRandom((outChannels(c) * C * c.kernel * c.kernel) / (c.group ?? 1), 100 + i)
        : [],
    );
    const expected = runPythonOracle<{ shape: number[]; values: number[] }[]>(ORACLE, {
      input,
      cases: CASES.map((c, i) => ({ ...c, weights: weights[i] })),
    });
    const before = tf.memory().numTensors;
    CASES.forEach((c, i) => {
      const loaded = onnxModelFromBytes(tf, onnxFile(c, weights[i]), `${c.title}.onnx`);
      const actual = tf.tidy(() => {
        const x = tf.transpose(tf.tensor4d(input, [1, C, H, W]), [0, 2, 3, 1]);
        const y = loaded.model.predict(x) as tf.Tensor;
        return tf.transpose(y, [0, 3, 1, 2]);
      });
      assert.deepEqual(actual.shape, expected[i].shape, `${c.title}: shape`);
      const values = actual.dataSync();
      actual.dispose();
      const worst = Math.max(...expected[i].values.map((v, j) => Math.abs(values[j] - v)));
      assert.ok(worst < 1e-5, `${c.title}: off PyTorch by ${worst}`);
      // The receptive fields read the same padding: the first unit's field starts `top` /
      // `left` pixels before the input and spans the dilated kernel.
      const fields = computeReceptiveFields(extractLayerGraph(loaded.model));
      const field = fields.byName[loaded.values.get('result')!.layer];
      const span = (c.kernel - 1) * (c.dilation ?? 1) + 1;
      assert.deepEqual(
        field.axes!.map((a) => [a.size, a.jump, a.padding]),
        [
          [span, c.stride, c.pads[0]],
          [span, c.stride, c.pads[2]],
        ],
        `${c.title}: receptive field`,
      );
      loaded.model.dispose();
    });
    assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  });
});
