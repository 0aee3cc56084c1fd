// The arithmetic dialog's window sentence (issue 9: "steps 10…11 of a 11 input"): articles,
// singular and plural, and the numbers of hand-worked windows.
import * as assert from 'node:assert/strict';
import { articleFor, describeWindow, plural } from '../../webview/windowWording';

describe('the arithmetic dialog window sentence', () => {
  it('says "an" before numbers read with a vowel sound, "a" before the others', () => {
    for (const n of [8, 11, 18, 80, 86, 800, 8000, 11_000, 18_000, 11_500, 800_000])
      assert.equal(articleFor(n), 'an', String(n));
    for (const n of [1, 7, 10, 14, 28, 100, 110, 180, 1100, 1800, 224, 512, 1_000_000])
      assert.equal(articleFor(n), 'a', String(n));
  });

  it('uses the singular for one', () => {
    assert.equal(plural(1, 'step'), '1 step');
    assert.equal(plural(2, 'step'), '2 steps');
    assert.equal(plural(1024, 'zero row'), '1,024 zero rows');
  });

  it('reads the lecture edge detector: output 5 of edges1d is steps 10–11 of an 11-step input', () => {
    // kernel 2, stride 2, 'same' on 11 steps: 6 outputs, 1 zero after the end (none before); unit
    // 5's window starts at 5 x 2 = 10 and its second tap (step 11) is the padding.
    const sentence = describeWindow({
      kernelSize: [2],
      windowStart: [10],
      dilation: [1],
      strides: [2],
      inputSize: [11],
      padding: 'same',
      padBefore: [0],
      padded: [0, 1],
    });
    assert.equal(
      sentence,
      "Window: steps 10\u201311 of an 11-step input \u00b7 stride 2 (the next unit's window starts 2 steps further) \u00b7 padding 'same' (this window reaches the zeros after the end)",
    );
  });

  it('reads a 2-D window: LeNet conv2 unit (y 3, x 5) reads rows 3–7 and columns 5–9 of a 14×14 input', () => {
    const sentence = describeWindow({
      kernelSize: [5, 5],
      windowStart: [3, 5],
      dilation: [1, 1],
      strides: [1, 1],
      inputSize: [14, 14],
      padding: 'valid',
      padBefore: [0, 0],
      padded: new Uint8Array(25),
    });
    assert.equal(
      sentence,
      "Window: rows 3\u20137 and columns 5\u20139 of a 14\u00d714 input \u00b7 stride 1 (the next unit's window starts 1 row down or 1 column right) \u00b7 padding 'valid'",
    );
  });

  it('names padding before the input, a window starting in it, one step, dilation and uneven strides', () => {
    // LeNet conv1 ('same' 5x5 on 28x28, 2 zeros each side), unit (0, 0): rows and columns -2..2.
    assert.equal(
      describeWindow({
        kernelSize: [5, 5],
        windowStart: [-2, -2],
        dilation: [1, 1],
        strides: [1, 1],
        inputSize: [28, 28],
        padding: 'same',
        padBefore: [2, 2],
        padded: new Uint8Array(25).fill(1),
      }),
      "Window: rows \u22122 to 2 and columns \u22122 to 2 of a 28\u00d728 input \u00b7 stride 1 (the next unit's window starts 1 row down or 1 column right) \u00b7 padding 'same': 2 zero rows above, 2 zero columns to the left",
    );
    // A 1-step kernel, dilation 2 on the other axis, stride 2 down and 1 right, on an 8x80 input.
    assert.equal(
      describeWindow({
        kernelSize: [1, 3],
        windowStart: [4, 6],
        dilation: [1, 2],
        strides: [2, 1],
        inputSize: [8, 80],
        padding: 'valid',
        padBefore: [0, 0],
        padded: new Uint8Array(3),
      }),
      "Window: row 4 and columns 6\u201310 (every 2nd) of an 8\u00d780 input \u00b7 stride 2\u00d71 (the next unit's window starts 2 rows down or 1 column right) \u00b7 padding 'valid'",
    );
    // One zero before a 1-D input.
    assert.match(
      describeWindow({
        kernelSize: [3],
        windowStart: [-1],
        dilation: [1],
        strides: [1],
        inputSize: [1],
        padding: 'same',
        padBefore: [1],
        padded: [1, 0, 1],
      }),
      /steps \u22121 to 1 of a 1-step input .* starts 1 step further\) \u00b7 padding 'same': 1 zero before the first step$/,
    );
  });
});
