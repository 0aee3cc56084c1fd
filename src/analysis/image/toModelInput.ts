/**
 * Turns a decoded image into what the model takes: its height, width and channel count.
 * Documented conversion (README): stretch to the input size with the antialiased bilinear filter
 * (no crop, aspect ratio not kept, as Keras' `load_img(target_size=...)`), drop alpha, convert
 * colour to grey with ITU-R BT.601 luma (0.299 R + 0.587 G + 0.114 B) or grey to RGB by copying.
 * Values stay in 0..255; `preprocess` (default: divide by 255) runs afterwards.
 */
import { InspectorError } from '../errors';
import type { DecodedImage } from './decodeImage';
import { resizeChannels } from './resize';

export interface ModelImage {
  height: number;
  width: number;
  channels: number;
  /** [height, width, channels], values 0..255. */
  pixels: Float32Array;
  /** The same picture as RGBA bytes, for display: the input as the model sees it. */
  display: Uint8ClampedArray;
}

export function toModelInput(
  image: DecodedImage,
  height: number,
  width: number,
  channels: number,
): ModelImage {
  if (channels !== 1 && channels !== 3) {
    throw new InspectorError(
      'not-an-image-model',
      `The model takes ${channels} input channels; images give 1 (grey) or 3 (RGB).`,
    );
  }
  const rgb = new Float32Array(image.width * image.height * 3);
  for (let i = 0, j = 0; i < image.data.length; i += 4, j += 3) {
    rgb[j] = image.data[i];
    rgb[j + 1] = image.data[i + 1];
    rgb[j + 2] = image.data[i + 2];
  }
  const resized = resizeChannels(rgb, image.width, image.height, 3, width, height);
  const count = width * height;
  const pixels = new Float32Array(count * channels);
  const display = new Uint8ClampedArray(count * 4);
  for (let p = 0; p < count; p++) {
    const r = resized[p * 3];
    const g = resized[p * 3 + 1];
    const b = resized[p * 3 + 2];
    if (channels === 1) {
      const luma = 0.299 * r + 0.587 * g + 0.114 * b;
      pixels[p] = luma;
      display[p * 4] = display[p * 4 + 1] = display[p * 4 + 2] = Math.round(luma);
    } else {
      pixels[p * 3] = r;
      pixels[p * 3 + 1] = g;
      pixels[p * 3 + 2] = b;
      display[p * 4] = Math.round(r);
      display[p * 4 + 1] = Math.round(g);
      display[p * 4 + 2] = Math.round(b);
    }
    display[p * 4 + 3] = 255;
  }
  return { height, width, channels, pixels, display };
}
