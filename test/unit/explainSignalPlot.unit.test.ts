// Line plots of 1-D data (sequence feature maps, input signals, 1-D projections): which numbers
// they plot, where, and the text the DOM carries. Expected values worked out by hand.
import * as assert from 'node:assert/strict';
import {
  channelSeries,
  channelSum,
  float32Text,
  formatSeries,
  plotRange,
  stepAtFraction,
  stepX,
  valueY,
} from '../../webview/signalPlot';
import { parsePosition } from '../../webview/explainView';

describe('Why view: 1-D line plots', () => {
  it('takes one channel of [steps, channels] data', () => {
    // steps 0..2, channel 0 = 0, 1, 2 and channel 1 = 10, 11, 12
    const data = new Float32Array([0, 10, 1, 11, 2, 12]);
    assert.deepEqual(Array.from(channelSeries(data, 2, 1)), [10, 11, 12]);
    assert.deepEqual(Array.from(channelSeries(data, 2, 0)), [0, 1, 2]);
    assert.deepEqual(Array.from(channelSum(data, 2)), [10, 12, 14]);
    assert.throws(() => channelSeries(data, 2, 2), /outside/);
    assert.throws(() => channelSeries(data, 2, -1), /outside/);
    assert.throws(() => channelSeries(data, 4, 0), /do not split/);
    assert.throws(() => channelSeries(data, 0, 0), /positive/);
  });

  it('plots a range that always includes zero, and widens a flat one', () => {
    assert.deepEqual(plotRange([1, 3]), { low: 0, high: 3 });
    assert.deepEqual(plotRange([-2, -1]), { low: -2, high: 0 });
    assert.deepEqual(plotRange([-1, 0, 1]), { low: -1, high: 1 });
    assert.deepEqual(plotRange([0, 0]), { low: -1, high: 1 });
    assert.deepEqual(plotRange([]), { low: -1, high: 1 });
    assert.deepEqual(plotRange([5, NaN, Infinity]), { low: 0, high: 5 });
  });

  it('puts step t at the centre of its column and values between the margins', () => {
    assert.equal(stepX(0, 4, 100), 12.5);
    assert.equal(stepX(3, 4, 100), 87.5);
    // range -1..1 over 100 px without margin: 1 at the top, -1 at the bottom, 0 in the middle
    assert.equal(valueY(1, { low: -1, high: 1 }, 100, 0), 0);
    assert.equal(valueY(-1, { low: -1, high: 1 }, 100, 0), 100);
    assert.equal(valueY(0, { low: -1, high: 1 }, 100, 0), 50);
    // a 4 px margin: 1 at 4, -1 at 96
    assert.equal(valueY(1, { low: -1, high: 1 }, 100), 4);
    assert.equal(valueY(-1, { low: -1, high: 1 }, 100), 96);
  });

  it('maps the pointer to the step whose column it is in, clamped to the plot', () => {
    // 6 steps: column 1 is 1/6..2/6 of the width
    assert.equal(stepAtFraction(1.5 / 6, 6), 1);
    assert.equal(stepAtFraction(2 / 6 - 1e-9, 6), 1);
    assert.equal(stepAtFraction(1, 6), 5);
    assert.equal(stepAtFraction(-0.1, 6), 0);
    // the column's centre maps back to its step
    for (let t = 0; t < 6; t++) assert.equal(stepAtFraction(stepX(t, 6, 1), 6), t);
  });

  it('writes each float32 as its shortest round-trip text', () => {
    assert.equal(float32Text(Math.fround(0.1)), '0.1');
    assert.equal(float32Text(Math.fround(1 / 3)), '0.33333334');
    assert.equal(float32Text(-1), '-1');
    assert.equal(float32Text(-0), '0');
    assert.equal(float32Text(1e-8), '1e-8');
    assert.equal(float32Text(NaN), 'NaN');
    assert.equal(formatSeries(new Float32Array([0, -1, 0, 0, 0, 1])), '0,-1,0,0,0,1');
    // Every text reads back as the same float32.
    for (const v of [Math.PI, -2.5e-7, 123456.789, 3.4e38]) {
      assert.equal(Math.fround(Number(float32Text(v))), Math.fround(v));
    }
  });
});

describe('Why view: the position field', () => {
  it('reads "y, x" or "t" and refuses anything else', () => {
    assert.deepEqual(parsePosition('3, 5'), [3, 5]);
    assert.deepEqual(parsePosition(' 7 '), [7]);
    assert.deepEqual(parsePosition('4 6'), [4, 6]);
    assert.equal(parsePosition(''), undefined);
    assert.equal(parsePosition('a'), undefined);
    assert.equal(parsePosition('-1'), undefined);
    assert.equal(parsePosition('1.5'), undefined);
  });
});
