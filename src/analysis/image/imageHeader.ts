/**
 * Reads an image's format and size from its first bytes, so that a huge image is refused before
 * decoding allocates width*height*4 bytes, and an unsupported file gets a precise message.
 */
export type ImageFormat = 'png' | 'jpeg';

export interface ImageHeader {
  format: ImageFormat;
  width: number;
  height: number;
  /** 1 for grey, 3 for colour (palette and CMYK images count as colour), before alpha. */
  channels: 1 | 3;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function sniffFormat(bytes: Uint8Array): ImageFormat | string {
  if (PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return 'png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  const ascii = String.fromCharCode(...bytes.subarray(0, 12));
  if (ascii.startsWith('GIF8')) return 'GIF';
  if (ascii.startsWith('RIFF') && ascii.slice(8, 12) === 'WEBP') return 'WebP';
  if (ascii.startsWith('BM')) return 'BMP';
  if (ascii.startsWith('II*') || ascii.startsWith('MM\0*')) return 'TIFF';
  if (ascii.slice(4, 12).startsWith('ftyp')) return 'HEIF/AVIF';
  return 'unknown';
}

/** Returns undefined when the size cannot be found (the decoder then reports the damage). */
export function readImageHeader(bytes: Uint8Array): ImageHeader | undefined {
  const format = sniffFormat(bytes);
  if (format === 'png') return readPngHeader(bytes);
  if (format === 'jpeg') return readJpegHeader(bytes);
  return undefined;
}

function readPngHeader(bytes: Uint8Array): ImageHeader | undefined {
  if (bytes.length < 26) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // IHDR's colour type: 0 grey, 4 grey + alpha; 2 RGB, 3 palette, 6 RGBA.
  const colourType = bytes[25];
  const channels = colourType === 0 || colourType === 4 ? 1 : 3;
  return { format: 'png', width: view.getUint32(16), height: view.getUint32(20), channels };
}

/** Walks the JPEG markers up to the first start-of-frame (SOF0..SOF15 except DHT/JPG/DAC). */
function readJpegHeader(bytes: Uint8Array): ImageHeader | undefined {
  let offset = 2;
  while (offset + 10 < bytes.length) {
    if (bytes[offset] !== 0xff) return undefined;
    const marker = bytes[offset + 1];
    if (marker === 0xff) {
      offset += 1; // fill byte
      continue;
    }
    const length = (bytes[offset + 2] << 8) | bytes[offset + 3];
    const isFrame = marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker);
    if (isFrame) {
      const height = (bytes[offset + 5] << 8) | bytes[offset + 6];
      const width = (bytes[offset + 7] << 8) | bytes[offset + 8];
      const channels = bytes[offset + 9] === 1 ? 1 : 3;
      return { format: 'jpeg', width, height, channels };
    }
    offset += 2 + length;
  }
  return undefined;
}
