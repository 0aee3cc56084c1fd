import * as assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeImageBytes, decodeImageFile } from '../../src/analysis/image/decodeImage';
import { readImageHeader } from '../../src/analysis/image/imageHeader';
import { InspectorError } from '../../src/analysis/errors';
import { greyPng, jpegWithOrientation, pngFile } from './helpers/imageBytes';
import { pillowPixels } from './helpers/pythonOracle';

const images = join(__dirname, '..', 'fixtures', 'images');

async function rejectsWith(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof InspectorError, `expected an InspectorError, got ${String(error)}`);
    assert.equal(error.kind, 'image');
    assert.match(error.message, pattern);
    return true;
  });
}

function pixel(image: { width: number; data: Uint8Array }, x: number, y: number): number[] {
  const i = (y * image.width + x) * 4;
  return Array.from(image.data.subarray(i, i + 4));
}

describe('image decoding', () => {
  it('reads an 8-bit grey PNG with the chessboard where it should be (25 px squares)', async () => {
    const image = await decodeImageFile(join(images, 'chessboard_GRAY.png'));
    assert.equal(image.width, 200);
    assert.equal(image.height, 200);
    assert.equal(image.grey, true);
    assert.deepEqual(pixel(image, 12, 12), [255, 255, 255, 255]);
    assert.deepEqual(pixel(image, 37, 12), [0, 0, 0, 255]);
    assert.deepEqual(pixel(image, 37, 37), [255, 255, 255, 255]);
  });

  it('expands a palette PNG built by hand to its palette colours', async () => {
    const palette = [
      [255, 0, 0],
      [0, 0, 255],
    ];
    const bytes = pngFile(2, 1, 8, 3, [Uint8Array.from([1, 0])], palette);
    const image = await decodeImageBytes(bytes, 'palette.png');
    assert.equal(image.grey, false);
    assert.deepEqual(pixel(image, 0, 0), [0, 0, 255, 255]);
    assert.deepEqual(pixel(image, 1, 0), [255, 0, 0, 255]);
  });

  it('scales a 16-bit grey PNG to 8 bits (65535 -> 255, 32896 -> 128)', async () => {
    const row = Uint8Array.from([0xff, 0xff, 0x80, 0x80, 0x00, 0x00]);
    const image = await decodeImageBytes(pngFile(3, 1, 16, 0, [row]), 'deep.png');
    assert.deepEqual(
      [pixel(image, 0, 0)[0], pixel(image, 1, 0)[0], pixel(image, 2, 0)[0]],
      [255, 128, 0],
    );
  });

  it('rounds 16-bit samples to the nearest 8-bit value, round(v * 255 / 65535)', async () => {
    // 0x00ff = 255 -> 0.992 -> 1 (Pillow keeps the high byte: 0); 0x7fff -> 127.498 -> 127.
    const row = Uint8Array.from([0x00, 0xff, 0x7f, 0xff]);
    const image = await decodeImageBytes(pngFile(2, 1, 16, 0, [row]), 'deep.png');
    assert.deepEqual([pixel(image, 0, 0)[0], pixel(image, 1, 0)[0]], [1, 127]);
  });

  describe('colour-key transparency (tRNS) keeps the stored colour, as alpha is dropped', () => {
    const rgb = (image: { data: Uint8Array }) =>
      Array.from(image.data).filter((_, i) => i % 4 !== 3);

    it('an RGB PNG keyed on (200, 100, 50): key pixels keep (200, 100, 50), as Pillow', async () => {
      const row = Uint8Array.from([200, 100, 50, 10, 20, 30, 200, 100, 51]);
      const key = Uint8Array.from([0, 200, 0, 100, 0, 50]); // three 16-bit samples
      const bytes = pngFile(3, 1, 8, 2, [row], undefined, key);
      const image = await decodeImageBytes(bytes, 'keyed.png');
      assert.deepEqual(pixel(image, 0, 0), [200, 100, 50, 255]);
      assert.deepEqual(rgb(image), [200, 100, 50, 10, 20, 30, 200, 100, 51]);
      assert.deepEqual(pillowPixels(bytes, 'RGB').data, rgb(image));
    });

    it('a grey PNG keyed on 77: key pixels stay 77, as Pillow', async () => {
      const bytes = pngFile(
        2,
        1,
        8,
        0,
        [Uint8Array.from([77, 5])],
        undefined,
        Uint8Array.from([0, 77]),
      );
      const image = await decodeImageBytes(bytes, 'keyed-grey.png');
      assert.equal(image.grey, true);
      assert.deepEqual(rgb(image), [77, 77, 77, 5, 5, 5]);
      assert.deepEqual(pillowPixels(bytes, 'L').data, [77, 5]);
    });

    it('a 16-bit RGB PNG keyed on its first pixel: the key pixel keeps its colour', async () => {
      // 0xc8c8 = 200 * 257 -> exactly 200; 0x0a0a -> 10 (Pillow's high byte agrees on these).
      const row = Uint8Array.from([
        0xc8, 0xc8, 0x64, 0x64, 0x32, 0x32, 0x0a, 0x0a, 0x14, 0x14, 0x1e, 0x1e,
      ]);
      const key = Uint8Array.from([0xc8, 0xc8, 0x64, 0x64, 0x32, 0x32]);
      const bytes = pngFile(2, 1, 16, 2, [row], undefined, key);
      const image = await decodeImageBytes(bytes, 'keyed16.png');
      assert.deepEqual(rgb(image), [200, 100, 50, 10, 20, 30]);
      assert.deepEqual(pillowPixels(bytes, 'RGB').data, rgb(image));
    });

    it("a palette PNG with a transparent entry keeps that entry's colour", async () => {
      const palette = [
        [255, 0, 0],
        [0, 0, 255],
      ];
      const bytes = pngFile(2, 1, 8, 3, [Uint8Array.from([0, 1])], palette, Uint8Array.from([0]));
      const image = await decodeImageBytes(bytes, 'palette-alpha.png');
      assert.deepEqual(rgb(image), [255, 0, 0, 0, 0, 255]);
      assert.deepEqual(pillowPixels(bytes, 'RGB').data, rgb(image));
    });
  });

  it('reads the sample palette, RGBA and JPEG files', async () => {
    const tiny = await decodeImageFile(join(images, 'foo3x5x4indexed.png'));
    assert.deepEqual([tiny.width, tiny.height], [5, 3]);
    const horse = await decodeImageFile(join(images, 'horse.png'));
    assert.deepEqual([horse.width, horse.height], [400, 328]);
    const rocket = await decodeImageFile(join(images, 'rocket.jpg'));
    assert.deepEqual([rocket.width, rocket.height, rocket.format], [640, 427, 'jpeg']);
    assert.equal(rocket.grey, false);
  });

  it('turns a JPEG upright according to its EXIF orientation (6: rotate 90 degrees clockwise)', async () => {
    // Stored 16x8: left half red, right half blue. Upright it is 8x16: red on top, blue below.
    const rgba = new Uint8Array(16 * 8 * 4);
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 16; x++)
        rgba.set(x < 8 ? [255, 0, 0, 255] : [0, 0, 255, 255], (y * 16 + x) * 4);
    }
    const image = await decodeImageBytes(jpegWithOrientation(16, 8, rgba, 6), 'rotated.jpg');
    assert.equal(image.orientation, 6);
    assert.deepEqual([image.width, image.height], [8, 16]);
    const top = pixel(image, 4, 3);
    const bottom = pixel(image, 4, 12);
    assert.ok(top[0] > 200 && top[2] < 60, `top should be red, got ${top}`);
    assert.ok(bottom[2] > 200 && bottom[0] < 60, `bottom should be blue, got ${bottom}`);
  });

  it('reads image sizes from headers without decoding', () => {
    assert.deepEqual(readImageHeader(greyPng(7, 3, new Array(21).fill(0))), {
      format: 'png',
      width: 7,
      height: 3,
      channels: 1,
    });
  });

  describe('bad files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cnn-images-'));

    it('reports a truncated JPEG clearly, naming the file', async () => {
      await rejectsWith(
        decodeImageFile(join(images, 'truncated.jpg')),
        /truncated\.jpg: damaged or unsupported JPEG/,
      );
    });

    it('reports a truncated PNG', async () => {
      const whole = greyPng(8, 8, new Array(64).fill(9));
      const file = join(dir, 'cut.png');
      writeFileSync(file, whole.subarray(0, whole.length - 20));
      await rejectsWith(decodeImageFile(file), /cut\.png: the PNG file is truncated/);
    });

    it('refuses a folder, a missing file, an empty file and other formats', async () => {
      await rejectsWith(decodeImageFile(dir), /is a folder/);
      await rejectsWith(decodeImageFile(join(dir, 'nope.png')), /no such file/);
      writeFileSync(join(dir, 'empty.png'), '');
      await rejectsWith(decodeImageFile(join(dir, 'empty.png')), /empty/);
      writeFileSync(join(dir, 'anim.gif'), Buffer.from('GIF89a\x01\x00\x01\x00', 'binary'));
      await rejectsWith(
        decodeImageFile(join(dir, 'anim.gif')),
        /a GIF image; CNN Inspector reads PNG and JPEG/,
      );
      writeFileSync(join(dir, 'notes.png'), 'hello, not an image');
      await rejectsWith(decodeImageFile(join(dir, 'notes.png')), /not a PNG or JPEG/);
    });

    it('refuses a huge image from its header, before decoding', async () => {
      // The header claims 20000 x 20000 (400 megapixels); the data is never inflated.
      const bytes = pngFile(1, 1, 8, 0, [Uint8Array.from([0])]);
      bytes.writeUInt32BE(20000, 16);
      bytes.writeUInt32BE(20000, 20);
      await rejectsWith(
        decodeImageBytes(bytes, 'huge.png', { maxMegapixels: 100 }),
        /20000x20000 is 400 megapixels/,
      );
    });
  });
});
