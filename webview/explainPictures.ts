/**
 * Pure picture arithmetic of the Why view (no DOM, tested in Node): signed projections as
 * pictures around mid grey, crops to a receptive field, and weight grids in a diverging map.
 * The analysis side has the same picture rules (projectionImage.ts) but imports a PNG encoder
 * that does not belong in the webview bundle.
 */
import { inputChannelOf, type ChannelOrder } from '../src/analysis/explain/channelOrder';

export interface Rgba {
  width: number;
  height: number;
  rgba: Uint8ClampedArray;
}

/** A half-open rectangle [y0, x0, y1, x1] in input pixels. */
export type Box = [number, number, number, number];

function checkBox(box: Box, height: number, width: number): void {
  const [y0, x0, y1, x1] = box;
  if (![y0, x0, y1, x1].every(Number.isInteger) || y1 <= y0 || x1 <= x0)
    throw new RangeError(`[${box.join(', ')}) is not a non-empty box of whole pixels`);
  if (y0 < 0 || x0 < 0 || y1 > height || x1 > width)
    throw new RangeError(`[${box.join(', ')}) is outside the ${height}x${width} picture`);
}

/**
 * Projection values [h, w, c] (channels last) inside `box` (default: all) as RGBA: 3 channels as
 * colour (in the model input's channel `order`, drawn as RGB), any other count as the sum over channels in grey. 0 is mid grey (127.5, rounded to 128),
 * +-max|v| over the box is white / black per colour, as the deconvnet paper shows them; each box
 * is scaled on its own so a small receptive field keeps its contrast.
 */
export function signedPicture(
  values: ArrayLike<number>,
  shape: number[],
  box?: Box,
  order: ChannelOrder = 'rgb',
): Rgba {
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

/** The part of an RGBA picture inside a half-open box [y0, x0, y1, x1]. */
export function cropRgba(picture: Rgba, box: Box): Rgba {
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

/** True when every pixel has the same colour (nothing to see). */
export function isFlat(picture: Rgba): boolean {
  const { rgba } = picture;
  for (let i = 4; i < rgba.length; i++) if (rgba[i] !== rgba[i % 4]) return false;
  return true;
}

/**
 * One input channel's kernel weights (row-major [kh, kw]) as RGBA through a 256-entry colour
 * table (`lut`, 768 bytes): index 127.5 + 127.5 w / maxAbs, so 0 is the table's middle and
 * +-maxAbs its ends. `maxAbs` is shared by the grids that should be compared.
 */
export function weightGrid(
  weights: ArrayLike<number>,
  kh: number,
  kw: number,
  maxAbs: number,
  lut: ArrayLike<number>,
): Rgba {
  if (weights.length !== kh * kw)
    throw new RangeError(`${weights.length} weights do not fill a ${kh}x${kw} kernel`);
  const rgba = new Uint8ClampedArray(kh * kw * 4);
  const scale = maxAbs || 1;
  for (let t = 0; t < kh * kw; t++) {
    const i = Math.max(0, Math.min(255, Math.round(127.5 + (127.5 * weights[t]) / scale))) * 3;
    rgba[t * 4] = lut[i];
    rgba[t * 4 + 1] = lut[i + 1];
    rgba[t * 4 + 2] = lut[i + 2];
    rgba[t * 4 + 3] = 255;
  }
  return { width: kw, height: kh, rgba };
}

/** Filter `i`'s weights for input channel `c` from grids stored [filter][inputChannel][tap]. */
export function gridSlice(
  weights: Float32Array,
  inputChannels: number,
  taps: number,
  i: number,
  c: number,
): Float32Array {
  const from = (i * inputChannels + c) * taps;
  if (c < 0 || c >= inputChannels || from < 0 || from + taps > weights.length)
    throw new RangeError(`filter ${i}, input channel ${c} is outside the grids`);
  return weights.subarray(from, from + taps);
}
