/**
 * Decodes PNG (1-16 bit, grey, RGB, RGBA, palette) and JPEG (baseline and progressive, with EXIF
 * orientation) to 8-bit RGBA. Pure-JS decoders (pngjs, jpeg-js, exifr) rather than a native one:
 * they run unchanged on every platform VS Code runs on, inside a worker, with no binary to ship.
 */
import { PNG } from 'pngjs';
import * as jpeg from 'jpeg-js';
import exifr from 'exifr';
import { InspectorError } from '../errors';
import { FileReadError, readRegularFile } from '../regularFile';
import { DEFAULT_MAX_MEGAPIXELS, decodeFootprintBytes, maxImageFileBytes } from './imageLimits';
import { readImageHeader, sniffFormat, type ImageHeader } from './imageHeader';
import { applyExifOrientation, type RgbaImage } from './orientation';

export { DEFAULT_MAX_MEGAPIXELS, maxImageFileBytes };

export interface DecodedImage extends RgbaImage {
  file: string;
  format: 'png' | 'jpeg';
  /** True when the file stores a single grey channel (the model input may still be RGB). */
  grey: boolean;
  /** EXIF orientation that was applied (1 = none). */
  orientation: number;
}

/** Memory a decode may use: what is left under the model worker's limit. */
export interface MemoryBudget {
  limitBytes: number;
  usedBytes: () => number;
  /** Where the user changes the limit, for the message. */
  hint: string;
}

export interface DecodeOptions {
  maxMegapixels?: number;
  /** Checked before the decoder allocates anything; none: no check. */
  memory?: MemoryBudget;
}

export async function decodeImageFile(
  file: string,
  options: DecodeOptions = {},
): Promise<DecodedImage> {
  const maxMegapixels = options.maxMegapixels ?? DEFAULT_MAX_MEGAPIXELS;
  let bytes: Buffer;
  try {
    bytes = await readRegularFile(file, {
      maxBytes: maxImageFileBytes(maxMegapixels),
      limitReason: `the most an image of at most ${maxMegapixels} megapixels takes`,
    });
  } catch (error) {
    if (error instanceof FileReadError && !error.code) {
      throw new InspectorError('image', `${file}: cannot read the image: ${error.message}.`);
    }
    throw new InspectorError(
      'image',
      `${file}: cannot read the image (${(error as Error).message}).`,
    );
  }
  return decodeImageBytes(bytes, file, options);
}

export async function decodeImageBytes(
  bytes: Buffer,
  file: string,
  options: DecodeOptions = {},
): Promise<DecodedImage> {
  if (bytes.length === 0) throw new InspectorError('image', `${file}: the file is empty.`);
  const format = sniffFormat(bytes);
  if (format !== 'png' && format !== 'jpeg') {
    const what = format === 'unknown' ? 'not a PNG or JPEG image' : `a ${format} image`;
    throw new InspectorError('image', `${file}: ${what}; CNN Inspector reads PNG and JPEG files.`);
  }
  const header = readImageHeader(bytes);
  const maxMegapixels = options.maxMegapixels ?? DEFAULT_MAX_MEGAPIXELS;
  if (header) {
    if (header.width === 0 || header.height === 0) {
      throw new InspectorError(
        'image',
        `${file}: the image has no pixels (${header.width}x${header.height}).`,
      );
    }
    const megapixels = (header.width * header.height) / 1e6;
    if (megapixels > maxMegapixels) {
      throw new InspectorError(
        'image',
        `${file}: ${header.width}x${header.height} is ${megapixels.toFixed(0)} megapixels, more than the limit of ${maxMegapixels} (setting cnnInspector.maxImageMegapixels).`,
      );
    }
  }
  if (header && options.memory) checkMemory(bytes, header, file, options.memory);
  return format === 'png' ? decodePng(bytes, file) : decodeJpeg(bytes, file, maxMegapixels);
}

function checkMemory(bytes: Buffer, header: ImageHeader, file: string, memory: MemoryBudget): void {
  const needed = decodeFootprintBytes(bytes, header);
  const left = memory.limitBytes - memory.usedBytes();
  if (needed <= left) return;
  const mb = (n: number) => Math.max(0, Math.round(n / 1024 / 1024));
  throw new InspectorError(
    'image',
    `${file}: decoding this ${header.width}x${header.height} image takes about ${mb(needed)} MB, more than the ${mb(left)} MB left under the model worker's memory limit of ${mb(memory.limitBytes)} MB${memory.hint ? ` (${memory.hint})` : ''}.`,
  );
}

function decodePng(bytes: Buffer, file: string): DecodedImage {
  try {
    // pngjs expands palette and grey to RGBA and scales 16-bit samples to 8 bits
    // (round(v * 255 / 65535)).
    const png = PNG.sync.read(withoutColourKey(bytes));
    const colorType = png.colorType as number; // 3 (palette) happens at run time too
    const grey = (colorType & 2) === 0 && colorType !== 3;
    return {
      file,
      format: 'png',
      width: png.width,
      height: png.height,
      data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.length),
      grey,
      orientation: 1,
    };
  } catch (error) {
    const truncated = pngTruncation(bytes);
    if (truncated) {
      throw new InspectorError(
        'image',
        `${file}: the PNG file is truncated (it ends after ${bytes.length} bytes, ${truncated}): the file is incomplete or damaged.`,
      );
    }
    throw new InspectorError('image', `${file}: damaged PNG file (${(error as Error).message}).`);
  }
}

/**
 * Where a PNG stops short, or undefined when its chunks run to the end chunk (IEND). pngjs says
 * only "There are some read requests waiting on finished stream" for a cut file, which tells a
 * user nothing; a download or copy that stopped early is the usual cause.
 */
function pngTruncation(bytes: Buffer): string | undefined {
  let offset = PNG_SIGNATURE_LENGTH;
  while (offset + 8 <= bytes.length) {
    const type = bytes.toString('latin1', offset + 4, offset + 8);
    const end = offset + 12 + bytes.readUInt32BE(offset);
    if (end > bytes.length) return `inside its ${type} chunk`;
    if (type === 'IEND') return undefined;
    offset = end;
  }
  return 'before its end chunk (IEND)';
}

const PNG_SIGNATURE_LENGTH = 8;
const COLOUR_TYPE_OFFSET = PNG_SIGNATURE_LENGTH + 8 + 9; // IHDR: length, type, width, height, depth

/**
 * The PNG without its tRNS chunk when that chunk is a colour key (grey or RGB images). pngjs
 * writes RGBA (0, 0, 0, 0) over key pixels, and alpha is dropped on the way to the model, so the
 * key colour would enter it as black; like Pillow's convert('RGB') and like RGBA files, we keep
 * the stored colour. Palette images keep their tRNS: pngjs keeps the palette colour there. Chunks
 * carry their own CRC, so leaving one out keeps the file valid.
 */
function withoutColourKey(bytes: Buffer): Buffer {
  const colourType = bytes[COLOUR_TYPE_OFFSET];
  if (colourType !== 0 && colourType !== 2) return bytes;
  const kept: Buffer[] = [bytes.subarray(0, PNG_SIGNATURE_LENGTH)];
  let offset = PNG_SIGNATURE_LENGTH;
  let found = false;
  while (offset + 12 <= bytes.length) {
    const end = offset + 12 + bytes.readUInt32BE(offset);
    if (bytes.toString('latin1', offset + 4, offset + 8) === 'tRNS') found = true;
    else kept.push(bytes.subarray(offset, end));
    offset = end;
  }
  if (!found) return bytes;
  if (offset < bytes.length) kept.push(bytes.subarray(offset)); // let pngjs report the damage
  return Buffer.concat(kept);
}

async function decodeJpeg(
  bytes: Buffer,
  file: string,
  maxMegapixels: number,
): Promise<DecodedImage> {
  let decoded: { width: number; height: number; data: Uint8Array };
  try {
    decoded = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: true,
      tolerantDecoding: false,
      maxResolutionInMP: maxMegapixels,
      maxMemoryUsageInMB: Math.max(512, Math.ceil(maxMegapixels * 8)),
    });
  } catch (error) {
    throw new InspectorError(
      'image',
      `${file}: damaged or unsupported JPEG file (${(error as Error).message}).`,
    );
  }
  const orientation = await readOrientation(bytes);
  const upright = applyExifOrientation(decoded, orientation);
  return {
    file,
    format: 'jpeg',
    ...upright,
    grey: isGrey(upright.data),
    orientation,
  };
}

async function readOrientation(bytes: Buffer): Promise<number> {
  try {
    const value = await exifr.orientation(bytes);
    return typeof value === 'number' ? value : 1;
  } catch {
    return 1; // EXIF is optional; a broken EXIF block must not make a good picture unreadable
  }
}

/** jpeg-js expands grey JPEGs to RGBA: the pixels tell whether the source had colour. */
function isGrey(rgba: Uint8Array): boolean {
  for (let i = 0; i < rgba.length; i += 4) {
    if (rgba[i] !== rgba[i + 1] || rgba[i] !== rgba[i + 2]) return false;
  }
  return true;
}
