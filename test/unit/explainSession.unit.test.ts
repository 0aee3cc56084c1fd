// The explanations on loaded model files: the lecture's 1-D edge detector by hand, signal inputs
// (files and synthetic), and the hand-set tiny image model; bad inputs get clear messages.
import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InspectionSession } from '../../src/analysis/inspectionSession';
import {
  explainArithmetic,
  explainFilters,
  explainProjections,
  resolveUnit,
} from '../../src/analysis/explain/explainSession';
import {
  parseCsvSignal,
  parseJsonSignal,
  syntheticSignal,
} from '../../src/analysis/explain/signal';
import { greyPng } from './helpers/imageBytes';
import { testRuntime } from './helpers/runtime';

const root = join(__dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'cnn-explain-'));

async function open(file: string): Promise<InspectionSession> {
  return InspectionSession.open(await testRuntime(), file, undefined);
}

describe('explain: loaded models', () => {
  it("the 1-D example reproduces the lecture's numbers: x[2i] - x[2i + 1], a missed edge and a fake one", async () => {
    const session = await open(join(root, 'examples', 'edges1d.ts'));
    try {
      const result = await session.runInput(join(root, 'examples', 'signals', 'lecture.csv'));
      assert.deepEqual(Array.from(result.signal!), [0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 1]);
      assert.deepEqual(session.layer('edge').shape, [6, 1]);
      assert.deepEqual(Array.from(session.layer('edge').data), [0, -1, 0, 0, 0, 1]);
      const tf = session.tf;
      const before = tf.memory().numTensors;
      // y[1] reads x[2] = 0 and x[3] = 1: 0 * 1 + 1 * (-1) = -1.
      const a1 = explainArithmetic(session, 'edge', [1], 0);
      assert.deepEqual(a1.windowStart, [2]);
      assert.deepEqual(Array.from(a1.terms[0].inputs), [0, 1]);
      assert.deepEqual(Array.from(a1.terms[0].weights), [1, -1]);
      assert.deepEqual(Array.from(a1.terms[0].products), [0, -1]);
      assert.equal(a1.sum, -1);
      assert.equal(a1.value, -1);
      assert.equal(a1.featureMapValue, -1);
      // y[5] reads x[10] = 1 and the zero padding after the end: 1 * 1 + 0 * (-1) = 1.
      const a5 = explainArithmetic(session, 'edge', [5], 0);
      assert.deepEqual(a5.padBefore, [0]);
      assert.deepEqual(Array.from(a5.padded), [0, 1]);
      assert.deepEqual(Array.from(a5.terms[0].inputs), [1, 0]);
      assert.equal(a5.value, 1);
      // The strongest unit is y[5]; its gradient is the kernel placed at its window, [.., 1, -1 (padding)].
      const unit = resolveUnit(session, 'edge');
      assert.deepEqual(unit, { layer: 'edge', channel: 0, position: [5] });
      const p = explainProjections(session, unit, ['saliency', 'deconvnet']);
      assert.deepEqual(Array.from(p.projections[0].values.data), [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
      assert.deepEqual(Array.from(p.projections[1].values.data), [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
      assert.deepEqual(p.field, [10, 11]);
      const filters = explainFilters(session, 'edge');
      assert.deepEqual(Array.from(filters.grids.weights), [1, -1]);
      assert.equal(filters.stats[0].norm, Math.SQRT2);
      assert.equal(filters.stats[0].mean, 0);
      assert.equal(tf.memory().numTensors, before, 'no tensor may leak');
      // A synthetic step of 11 is 1 from position 5: y[2] = x[4] - x[5] = -1, y[5] = x[10] - 0 = 1.
      await session.runInput('synthetic:step');
      assert.deepEqual(Array.from(session.layer('edge').data), [0, 0, -1, 0, 0, 1]);
      await session.runInput('synthetic:impulse'); // 1 at 5: y[2] = x[4] - x[5] = -1
      assert.deepEqual(Array.from(session.layer('edge').data), [0, 0, -1, 0, 0, 0]);
    } finally {
      session.dispose();
    }
  });

  it('refuses signals that do not fit the model, naming the file', async () => {
    const session = await open(join(root, 'examples', 'edges1d.ts'));
    try {
      const short = join(dir, 'short.json');
      writeFileSync(short, '[1, 2, 3]');
      await assert.rejects(
        session.runInput(short),
        /short\.json: the signal has 3 steps; the model takes exactly 11/,
      );
      const twoChannels = join(dir, 'two.csv');
      writeFileSync(twoChannels, '1,2\n3,4\n');
      await assert.rejects(
        session.runInput(twoChannels),
        /two\.csv: the signal has 2 channel\(s\) per step; the model takes 1/,
      );
      const ragged = join(dir, 'ragged.csv');
      writeFileSync(ragged, 'a,b\n1,2\n3\n');
      await assert.rejects(session.runInput(ragged), /ragged\.csv: step 1 has 1 values/);
      const broken = join(dir, 'broken.json');
      writeFileSync(broken, '[1, 2');
      await assert.rejects(session.runInput(broken), /broken\.json: not valid JSON/);
      await assert.rejects(
        session.runInput('synthetic:square'),
        /unknown synthetic signal 'square'/,
      );
      await assert.rejects(
        session.runInput(join(dir, 'x.png')),
        /edges1d\.ts: model 'default' takes input of shape \[11, 1\], not an image: give it a signal/,
      );
      await assert.rejects(
        session.runInput(join(dir, 'x.bin')),
        /takes a signal from a \.csv or \.json file/,
      );
      await assert.rejects(
        session.runInput(join(dir, 'missing.csv')),
        /missing\.csv: cannot read the signal/,
      );
    } finally {
      session.dispose();
    }
  });

  it('parses CSV with a header and JSON in its three forms; synthesises step, impulse and sine', () => {
    assert.deepEqual(Array.from(parseCsvSignal('t;v\n1;2\n3;4\n', 'f').data), [1, 2, 3, 4]);
    assert.equal(parseCsvSignal('1\n2\n# note\n3\n', 'f').length, 3);
    assert.deepEqual(Array.from(parseJsonSignal('[1, 2]', 'f').data), [1, 2]);
    assert.equal(parseJsonSignal('[[1, 2], [3, 4], [5, 6]]', 'f').channels, 2);
    assert.deepEqual(Array.from(parseJsonSignal('{"signal": [5]}', 'f').data), [5]);
    assert.throws(() => parseJsonSignal('{"other": 1}', 'f'), /expected an array/);
    assert.throws(() => parseJsonSignal('[]', 'f'), /the signal is empty/);
    assert.deepEqual(Array.from(syntheticSignal('step', 4).data), [0, 0, 1, 1]);
    assert.deepEqual(Array.from(syntheticSignal('impulse', 5).data), [0, 0, 1, 0, 0]);
    const sine = syntheticSignal('sine', 8, 1, 4).data; // sin(pi t / 2): 0, 1, 0, -1, ...
    [0, 1, 0, -1, 0, 1, 0, -1].forEach((v, t) => assert.ok(Math.abs(sine[t] - v) < 1e-6));
    assert.throws(() => syntheticSignal('step', 0), /positive integer/);
  });

  it('explains the hand-set tiny image model: arithmetic, max-pool switch and projection', async () => {
    const session = await open(join(root, 'test', 'fixtures', 'models', 'tiny.ts'));
    try {
      const image = join(dir, 'ramp.png');
      writeFileSync(
        image,
        greyPng(
          4,
          4,
          Array.from({ length: 16 }, (_, k) => 17 * k),
        ),
      );
      await session.runInput(image);
      const tf = session.tf;
      const before = tf.memory().numTensors;
      // conv unit (2, 2) sums k = 10, 11, 14, 15 over 15 plus bias 0.5: 50/15 + 0.5.
      const a = explainArithmetic(session, 'sum2x2', [2, 2], 0);
      assert.deepEqual(
        Array.from(a.terms[0].inputs).map((v) => Math.round(v * 15)),
        [10, 11, 14, 15],
      );
      assert.equal(a.bias, 0.5);
      assert.ok(Math.abs(a.value - (50 / 15 + 0.5)) < 1e-6);
      assert.ok(Math.abs(a.value - a.featureMapValue) < 1e-5);
      const pool = explainArithmetic(session, 'pool', [0, 0], 0);
      assert.equal(pool.pooling!.op, 'max');
      assert.equal(pool.pooling!.chosenTap, 8); // the bottom-right of the 3x3 window
      // The 'bright' logit's saliency through dense (weight 1), the pool's switch (conv unit (2, 2))
      // and the 2x2 ones kernel: 1 at the four input pixels of that window (k = 10, 11, 14, 15).
      const p = explainProjections(session, { layer: 'out', channel: 1, position: [] }, [
        'saliency',
      ]);
      const expected = new Array(16).fill(0);
      [10, 11, 14, 15].forEach((k) => (expected[k] = 1));
      assert.deepEqual(Array.from(p.projections[0].values.data), expected);
      assert.ok(p.projections[0].notes.some((n) => /softmax/.test(n)));
      assert.throws(
        () => explainArithmetic(session, 'out', [0], 0),
        /not a convolution or pooling layer/,
      );
      assert.throws(
        () => explainArithmetic(session, 'sum2x2', [3, 0], 0),
        /position 3 is outside layer 'sum2x2'/,
      );
      assert.throws(() => explainFilters(session, 'pool'), /has no convolution filters/);
      const filters = explainFilters(session, 'sum2x2');
      assert.deepEqual(filters.strongest?.[0].position, [2, 2]);
      assert.deepEqual(filters.strongest?.[0].field, [2, 2, 4, 4]);
      assert.equal(filters.pictures?.width, 2);
      assert.deepEqual(
        Array.from(filters.pictures!.together[0].subarray(0, 4)),
        [255, 255, 255, 255],
      );
      assert.equal(tf.memory().numTensors, before, 'no tensor may leak');
    } finally {
      session.dispose();
    }
  });
});
