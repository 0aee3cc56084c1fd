// Reads Fashion-MNIST in its original gzipped IDX format, as Debian's `dataset-fashion-mnist`
// package installs it. The format is tiny but easy to misread, so every header field is checked.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';

export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** Class names in label order (Zalando Research): the ones the example model exports. */
export { labels as FASHION_MNIST_LABELS } from '../examples/lenet';

/** A label name usable in a file name: 'T-shirt/top' -> 't-shirt-top', 'Ankle boot' -> 'ankle-boot'. */
export function labelFileName(label: string): string {
  return label.toLowerCase().replace(/[^a-z0-9]+/g, '-');
}

// IDX magic numbers: two zero bytes, the element type (0x08 = unsigned byte), the rank.
const IMAGES_MAGIC = 0x00000803;
const LABELS_MAGIC = 0x00000801;
const CLASS_COUNT = 10;

export interface IdxImages {
  count: number;
  rows: number;
  cols: number;
  /** count * rows * cols bytes, row-major, 0 = background. */
  pixels: Uint8Array;
}

export interface FashionMnistSplit {
  images: IdxImages;
  labels: Uint8Array;
}

function readGunzipped(path: string): Buffer {
  let compressed: Buffer;
  try {
    compressed = readFileSync(path);
  } catch (err) {
    throw new Error(`Cannot read ${path}: ${(err as Error).message}`);
  }
  try {
    return gunzipSync(compressed);
  } catch (err) {
    throw new Error(`${path} is not valid gzip data: ${(err as Error).message}`);
  }
}

/** Parses an IDX3 unsigned-byte image file (already decompressed). */
export function parseIdxImages(data: Uint8Array, name: string): IdxImages {
  if (data.length < 16)
    throw new Error(`${name}: ${data.length} bytes is too short for an IDX3 header`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const magic = view.getUint32(0);
  if (magic !== IMAGES_MAGIC) {
    throw new Error(`${name}: magic number 0x${magic.toString(16)} is not 0x803 (IDX3 of bytes)`);
  }
  const count = view.getUint32(4);
  const rows = view.getUint32(8);
  const cols = view.getUint32(12);
  const expected = 16 + count * rows * cols;
  if (data.length !== expected) {
    throw new Error(
      `${name}: header says ${count} images of ${rows}x${cols} (${expected} bytes) but the file has ${data.length} bytes`,
    );
  }
  return { count, rows, cols, pixels: data.subarray(16) };
}

/** Parses an IDX1 unsigned-byte label file (already decompressed). */
export function parseIdxLabels(data: Uint8Array, name: string): Uint8Array {
  if (data.length < 8)
    throw new Error(`${name}: ${data.length} bytes is too short for an IDX1 header`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const magic = view.getUint32(0);
  if (magic !== LABELS_MAGIC) {
    throw new Error(`${name}: magic number 0x${magic.toString(16)} is not 0x801 (IDX1 of bytes)`);
  }
  const count = view.getUint32(4);
  if (data.length !== 8 + count) {
    throw new Error(
      `${name}: header says ${count} labels (${8 + count} bytes) but the file has ${data.length} bytes`,
    );
  }
  const labels = data.subarray(8);
  const bad = labels.findIndex((l) => l >= CLASS_COUNT);
  if (bad >= 0) throw new Error(`${name}: label ${labels[bad]} at index ${bad} is not in 0..9`);
  return labels;
}

/** Loads one split ('train': 60,000 images, 't10k': 10,000) and checks images and labels agree. */
export function loadFashionMnist(
  split: 'train' | 't10k',
  dir: string = FASHION_MNIST_DIR,
): FashionMnistSplit {
  const imagesPath = join(dir, `${split}-images-idx3-ubyte.gz`);
  const labelsPath = join(dir, `${split}-labels-idx1-ubyte.gz`);
  const images = parseIdxImages(readGunzipped(imagesPath), imagesPath);
  const labels = parseIdxLabels(readGunzipped(labelsPath), labelsPath);
  if (images.rows !== 28 || images.cols !== 28) {
    throw new Error(`${imagesPath}: images are ${images.rows}x${images.cols}, expected 28x28`);
  }
  if (images.count !== labels.length) {
    throw new Error(
      `${imagesPath} has ${images.count} images but ${labelsPath} has ${labels.length} labels`,
    );
  }
  return { images, labels };
}
