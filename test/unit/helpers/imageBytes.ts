/**
 * Builds small PNG and JPEG files byte by byte, so decoder tests know every pixel by construction
 * (palette, 16-bit grey, EXIF orientation) instead of trusting the decoder under test.
 */
import { deflateSync } from 'node:zlib';
import * as jpeg from 'jpeg-js';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** rows: already-packed scanlines (without the filter byte); transparency: a tRNS chunk's bytes. */
export function pngFile(
  width: number,
  height: number,
  bitDepth: number,
  colorType: number,
  rows: Uint8Array[],
  palette?: number[][],
  transparency?: Uint8Array,
): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = bitDepth;
  ihdr[9] = colorType;
  const raw = Buffer.concat(rows.map((r) => Buffer.concat([Buffer.from([0]), Buffer.from(r)])));
  const parts = [
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
  ];
  if (palette) parts.push(chunk('PLTE', Uint8Array.from(palette.flat())));
  if (transparency) parts.push(chunk('tRNS', transparency));
  parts.push(chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0)));
  return Buffer.concat(parts);
}

/** 8-bit grey PNG from values in row-major order. */
export function greyPng(width: number, height: number, values: number[]): Buffer {
  const rows = Array.from({ length: height }, (_, y) =>
    Uint8Array.from(values.slice(y * width, (y + 1) * width)),
  );
  return pngFile(width, height, 8, 0, rows);
}

/** A JPEG with an EXIF APP1 segment holding only the orientation tag. */
export function jpegWithOrientation(
  width: number,
  height: number,
  rgba: Uint8Array,
  orientation: number,
): Buffer {
  const encoded = jpeg.encode({ width, height, data: Buffer.from(rgba) }, 95).data;
  const tiff = Buffer.from([
    0x4d,
    0x4d,
    0x00,
    0x2a,
    0x00,
    0x00,
    0x00,
    0x08, // big-endian TIFF header, IFD at 8
    0x00,
    0x01, // one entry
    0x01,
    0x12,
    0x00,
    0x03,
    0x00,
    0x00,
    0x00,
    0x01,
    0x00,
    orientation,
    0x00,
    0x00, // Orientation SHORT
    0x00,
    0x00,
    0x00,
    0x00, // no next IFD
  ]);
  const payload = Buffer.concat([Buffer.from('Exif\0\0', 'binary'), tiff]);
  const app1 = Buffer.alloc(4);
  app1.writeUInt16BE(0xffe1, 0);
  app1.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([encoded.subarray(0, 2), app1, payload, encoded.subarray(2)]);
}
