// Projections as pictures: signed values around mid grey (0 is grey, +-max|v| is white / black
// per colour channel), as the deconvnet and guided-backprop papers show them; crops to a
// receptive field; PNG encoding for the report.
import { PNG } from 'pngjs';
import { inputChannelOf, type ChannelOrder } from './channelOrder';
import type { ArrayND } from './types';

export interface Picture {
  width: number;
  height: number;
  rgba: Uint8ClampedArray;
}

/**
 * [h, w, c] values to RGBA: 3 channels as colour (in the input's channel `order`, drawn as RGB),
 * otherwise the sum over channels as grey.
 */
export function projectionPicture(values: ArrayND, order: ChannelOrder = 'rgb'): Picture {
  if (values.shape.length !== 3)
    throw new Error(`a picture needs [h, w, c] values, got [${values.shape.join(', ')}]`);
  const [height, width, channels] = values.shape;
  const colour = channels === 3;
  const plane = colour ? values.data : new Float32Array(height * width);
  if (!colour)
    for (let i = 0; i < values.data.length; i++) plane[Math.floor(i / channels)] += values.data[i];
  let maxAbs = 0;
  for (const v of plane) maxAbs = Math.max(maxAbs, Math.abs(v));
  const rgba = new Uint8ClampedArray(height * width * 4);
  const byte = (v: number) => Math.round(127.5 + (127.5 * v) / (maxAbs || 1));
  for (let p = 0; p < height * width; p++) {
    for (let ch = 0; ch < 3; ch++)
      rgba[p * 4 + ch] = byte(colour ? plane[p * 3 + inputChannelOf(ch, order)] : plane[p]);
    rgba[p * 4 + 3] = 255;
  }
  return { width, height, rgba };
}

/** The part of a picture inside a half-open rectangle [y0, x0, y1, x1]. */
export function cropPicture(picture: Picture, [y0, x0, y1, x1]: number[]): Picture {
  const width = x1 - x0;
  const height = y1 - y0;
  if (width <= 0 || height <= 0 || y0 < 0 || x0 < 0 || y1 > picture.height || x1 > picture.width) {
    throw new RangeError(
      `crop [${y0}, ${x0}, ${y1}, ${x1}) is outside the ${picture.height}x${picture.width} picture`,
    );
  }
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    const from = ((y0 + y) * picture.width + x0) * 4;
    rgba.set(picture.rgba.subarray(from, from + width * 4), y * width * 4);
  }
  return { width, height, rgba };
}

export function encodePng(picture: Picture): Buffer {
  const png = new PNG({ width: picture.width, height: picture.height });
  png.data = Buffer.from(picture.rgba.buffer, picture.rgba.byteOffset, picture.rgba.byteLength);
  return PNG.sync.write(png);
}
