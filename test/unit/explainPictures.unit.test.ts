// The Why view's picture arithmetic, checked against bytes worked out by hand:
// byte = round(127.5 + 127.5 * v / max|v|), so +max is 255, 0 is 128 (127.5 rounds up), -max is 0.
import * as assert from 'node:assert/strict';
import { gridSlice, isFlat, weightGrid } from '../../webview/explainPictures';
import { cropPicture, signedPicture } from '../../src/analysis/image/rgbaPicture';

const pixels = (rgba: Uint8ClampedArray) =>
  Array.from({ length: rgba.length / 4 }, (_, p) => Array.from(rgba.subarray(p * 4, p * 4 + 4)));

describe('Why view pictures: signed projections', () => {
  it('maps one channel to grey around 128, scaled by the largest |value|', () => {
    // 2x2x1: [2, -1; 0, -2], max |v| = 2: 255, 127.5 - 63.75 = 63.75 -> 64, 128, 0.
    const picture = signedPicture(new Float32Array([2, -1, 0, -2]), [2, 2, 1]);
    assert.deepEqual([picture.width, picture.height], [2, 2]);
    assert.deepEqual(pixels(picture.rgba), [
      [255, 255, 255, 255],
      [64, 64, 64, 255],
      [128, 128, 128, 255],
      [0, 0, 0, 255],
    ]);
  });

  it('sums channels other than 3 into grey, and keeps 3 channels as colour', () => {
    // 1x2x2: pixel sums 1 + 1 = 2 and -1 + 0 = -1, max 2: 255 and 64.
    const summed = signedPicture(new Float32Array([1, 1, -1, 0]), [1, 2, 2]);
    assert.deepEqual(pixels(summed.rgba), [
      [255, 255, 255, 255],
      [64, 64, 64, 255],
    ]);
    // 1x1x3 (r, g, b) = (1, 0, -1): 255, 128, 0.
    const colour = signedPicture(new Float32Array([1, 0, -1]), [1, 1, 3]);
    assert.deepEqual(pixels(colour.rgba), [[255, 128, 0, 255]]);
  });

  it('scales a box on its own range', () => {
    // 1x2x1 [1, 4]: whole picture 1/4 -> 127.5 + 31.875 = 159.375 -> 159; box [0,0,1,1) alone -> 255.
    const values = new Float32Array([1, 4]);
    assert.equal(signedPicture(values, [1, 2, 1]).rgba[0], 159);
    const boxed = signedPicture(values, [1, 2, 1], [0, 0, 1, 1]);
    assert.deepEqual([boxed.width, boxed.height, boxed.rgba[0]], [1, 1, 255]);
    // 2x3x1 rows [0 1 2; 3 4 5], box rows 1..2, columns 1..3: values 4 and 5, max 5: 229.5 -> 230, 255.
    const grid = signedPicture(new Float32Array([0, 1, 2, 3, 4, 5]), [2, 3, 1], [1, 1, 2, 3]);
    assert.deepEqual([grid.width, grid.height], [2, 1]);
    assert.deepEqual([grid.rgba[0], grid.rgba[4]], [230, 255]);
  });

  it('draws all-zero values as flat mid grey, not NaN', () => {
    const picture = signedPicture(new Float32Array(4), [2, 2, 1]);
    assert.ok(picture.rgba.every((v, i) => v === (i % 4 === 3 ? 255 : 128)));
    assert.equal(isFlat(picture), true);
    assert.equal(isFlat(signedPicture(new Float32Array([0, 1]), [1, 2, 1])), false);
  });

  it('refuses shapes, lengths and boxes that do not fit', () => {
    assert.throws(() => signedPicture(new Float32Array(4), [4, 1]), /\[h, w, c\]/);
    assert.throws(() => signedPicture(new Float32Array(3), [2, 2, 1]), /do not fill/);
    assert.throws(() => signedPicture(new Float32Array(4), [2, 2, 1], [0, 0, 3, 2]), /outside/);
    assert.throws(() => signedPicture(new Float32Array(4), [2, 2, 1], [-1, 0, 1, 1]), /outside/);
    assert.throws(() => signedPicture(new Float32Array(4), [2, 2, 1], [1, 1, 1, 2]), /non-empty/);
    assert.throws(() => signedPicture(new Float32Array(4), [2, 2, 1], [0, 0, 1.5, 2]), /whole/);
  });
});

describe('Why view pictures: crops and weight grids', () => {
  it('crops a half-open box of an RGBA picture', () => {
    // 3x3 picture whose red byte is the pixel index: rows 1..2, column 1 are pixels 4 and 7.
    const rgba = new Uint8ClampedArray(36);
    for (let p = 0; p < 9; p++) rgba.set([p, 0, 0, 255], p * 4);
    const crop = cropPicture({ width: 3, height: 3, rgba }, [1, 1, 3, 2]);
    assert.deepEqual([crop.width, crop.height], [1, 2]);
    assert.deepEqual(pixels(crop.rgba), [
      [4, 0, 0, 255],
      [7, 0, 0, 255],
    ]);
    assert.throws(() => cropPicture({ width: 3, height: 3, rgba }, [0, 0, 4, 1]), /outside/);
  });

  it('colours weights through the table: -max at 0, zero at 128, +max at 255, beyond clamped', () => {
    // A table whose red entry is its own index, so the colour shows which index was used.
    const lut = new Uint8Array(768);
    for (let i = 0; i < 256; i++) lut.set([i, 255 - i, 7], i * 3);
    const grid = weightGrid(new Float32Array([-0.5, 0, 0.5, 1]), 2, 2, 0.5, lut);
    assert.deepEqual([grid.width, grid.height], [2, 2]);
    assert.deepEqual(pixels(grid.rgba), [
      [0, 255, 7, 255],
      [128, 127, 7, 255],
      [255, 0, 7, 255],
      [255, 0, 7, 255],
    ]);
    assert.throws(() => weightGrid(new Float32Array(3), 2, 2, 1, lut), /2x2 kernel/);
  });

  it('reads filter i, input channel c from grids stored [filter][inputChannel][tap]', () => {
    // 2 filters x 2 input channels x 3 taps holding 0..11: filter 1, channel 0 is 6, 7, 8.
    const weights = Float32Array.from({ length: 12 }, (_, i) => i);
    assert.deepEqual(Array.from(gridSlice(weights, 2, 3, 1, 0)), [6, 7, 8]);
    assert.deepEqual(Array.from(gridSlice(weights, 2, 3, 0, 1)), [3, 4, 5]);
    assert.throws(() => gridSlice(weights, 2, 3, 2, 0), /outside/);
    assert.throws(() => gridSlice(weights, 2, 3, 0, 2), /outside/);
  });
});
