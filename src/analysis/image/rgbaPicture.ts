/**
 * The RGBA picture every view draws (the host writes it as PNG, the webview puts it on a canvas),
 * and the pure picture arithmetic both sides share: crops to a box and signed values as pictures
 * around mid grey. No Node or DOM import, so the webview bundle can take it.
 */
import { inputChannelOf, type ChannelOrder } from '../explain/channelOrder';

export interface RgbaPicture {
  width: number;
  height: number;
  /** Interleaved RGBA, 8 bits per channel, width*height*4. */
  rgba: Uint8ClampedArray;
}

/** A half-open rectangle [y0, x0, y1, x1] in pixels. */
export type Box = [number, number, number, number];

function checkBox(box: readonly number[], height: number, width: number): void {
  const [y0, x0, y1, x1] = box;
  if (![y0, x0, y1, x1].every(Number.isInteger) || y1 <= y0 || x1 <= x0)
    throw new RangeError(`[${box.join(', ')}) is not a non-empty box of whole pixels`);
  if (y0 < 0 || x0 < 0 || y1 > height || x1 > width)
    throw new RangeError(`[${box.join(', ')}) is outside the ${height}x${width} picture`);
}

/** The part of a picture inside a half-open box [y0, x0, y1, x1]. */
export function cropPicture(picture: RgbaPicture, box: readonly number[]): RgbaPicture {
  checkBox(box, picture.height, picture.width);
  const [y0, x0, y1, x1] = box;
  const width = x1 - x0;
  const height = y1 - y0;
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    const from = ((y0 + y) * picture.width + x0) * 4;
    rgba.set(picture.rgba.subarray(from, from + width * 4), y * width * 4);
  }
  return { width, height, rgba };
}

/**
 * Projection values [h, w, c] (channels last) inside `box` (default: all) as RGBA: 3 channels as
 * colour (in the model input's channel `order`, drawn as RGB), any other count as the sum over
 * channels in grey. 0 is mid grey (127.5, rounded to 128), +-max|v| over the box is white / black
 * per colour, as the deconvnet and guided-backprop papers show them; each box is scaled on its
 * own so a small receptive field keeps its contrast.
 */
export function signedPicture(
  values: ArrayLike<number>,
  shape: readonly number[],
  box?: Box,
  order: ChannelOrder = 'rgb',
): RgbaPicture {
  if (shape.length !== 3)
    throw new RangeError(`a picture needs [h, w, c] values, got [${shape.join(', ')}]`);
  const [h, w, c] = shape;
  if (values.length !== h * w * c)
    throw new RangeError(`${values.length} values do not fill [${shape.join(', ')}]`);
  const [y0, x0, y1, x1] = box ?? [0, 0, h, w];
  checkBox([y0, x0, y1, x1], h, w);
  const width = x1 - x0;
  const height = y1 - y0;
  const colour = c === 3;
  const planes = colour ? 3 : 1;
  const plane = new Float32Array(width * height * planes);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const from = ((y0 + y) * w + (x0 + x)) * c;
      const to = (y * width + x) * planes;
      if (colour)
        for (let k = 0; k < 3; k++) plane[to + k] = values[from + inputChannelOf(k, order)];
      else for (let k = 0; k < c; k++) plane[to] += values[from + k];
    }
  let maxAbs = 0;
  for (const v of plane) maxAbs = Math.max(maxAbs, Math.abs(v));
  const scale = maxAbs || 1;
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    for (let k = 0; k < 3; k++)
      rgba[p * 4 + k] = Math.round(127.5 + (127.5 * plane[p * planes + (colour ? k : 0)]) / scale);
    rgba[p * 4 + 3] = 255;
  }
  return { width, height, rgba };
}
