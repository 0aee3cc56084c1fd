import * as assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeImageBytes, decodeImageFile } from '../../src/analysis/image/decodeImage';
import { readImageHeader } from '../../src/analysis/image/imageHeader';
import { InspectorError } from '../../src/analysis/errors';
import { greyPng, jpegWithOrientation, pngFile } from './helpers/imageBytes';

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
      await rejectsWith(decodeImageFile(file), /cut\.png: damaged PNG/);
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
