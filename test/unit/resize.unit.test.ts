import * as assert from 'node:assert/strict';
import { resizeChannels } from '../../src/analysis/image/resize';
import { toModelInput } from '../../src/analysis/image/toModelInput';
import type { DecodedImage } from '../../src/analysis/image/decodeImage';

function close(actual: ArrayLike<number>, expected: number[], tolerance = 1e-4): void {
  assert.equal(actual.length, expected.length);
  expected.forEach((e, i) =>
    assert.ok(Math.abs(actual[i] - e) < tolerance, `[${i}] ${actual[i]} != ${e}`),
  );
}

describe('resizing', () => {
  it('shrinks with a triangle filter as wide as the scale (worked out by hand)', () => {
    // 4 -> 2: output centres at source 1.0 and 3.0, radius 2; weights 0.75, 0.75, 0.25 (normalised).
    const out = resizeChannels(Float32Array.from([0, 10, 20, 30]), 4, 1, 1, 2, 1);
    close(out, [12.5 / 1.75, 40 / 1.75]);
  });

  it('enlarges with half-pixel bilinear interpolation, edges clamped', () => {
    const out = resizeChannels(Float32Array.from([0, 100]), 2, 1, 1, 4, 1);
    close(out, [0, 25, 75, 100]);
  });

  it('keeps a constant image constant when shrinking', () => {
    const flat = resizeChannels(new Float32Array(6 * 4 * 3).fill(7), 6, 4, 3, 3, 2);
    close(flat, new Array(3 * 2 * 3).fill(7));
  });

  it('resizes rows and columns independently (separable)', () => {
    // A vertical ramp stays a vertical ramp: every column of the output is identical.
    const src = new Float32Array(4 * 4);
    for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) src[y * 4 + x] = y * 10;
    const out = resizeChannels(src, 4, 4, 1, 2, 2);
    close(out, [12.5 / 1.75, 12.5 / 1.75, 40 / 1.75, 40 / 1.75]);
  });
});

describe('conversion to the model input', () => {
  const rgbPixel: DecodedImage = {
    file: 'x.png',
    format: 'png',
    width: 1,
    height: 1,
    data: Uint8Array.from([200, 100, 50, 128]),
    grey: false,
    orientation: 1,
  };

  it('converts colour to grey with BT.601 luma and drops alpha', () => {
    const input = toModelInput(rgbPixel, 1, 1, 1);
    close(input.pixels, [0.299 * 200 + 0.587 * 100 + 0.114 * 50]);
    assert.equal(input.display[3], 255);
  });

  it('copies grey to three channels for an RGB model', () => {
    const grey: DecodedImage = {
      ...rgbPixel,
      data: Uint8Array.from([90, 90, 90, 255]),
      grey: true,
    };
    close(toModelInput(grey, 1, 1, 3).pixels, [90, 90, 90]);
  });

  it('refuses channel counts images do not have', () => {
    assert.throws(() => toModelInput(rgbPixel, 1, 1, 2), /takes 2 input channels/);
  });
});
