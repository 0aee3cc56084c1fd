/**
 * Pure picture arithmetic of the Why view (no DOM, tested in Node): weight grids in a diverging
 * map, and whether a picture is flat. Signed projections and crops are shared with the host
 * (src/analysis/image/rgbaPicture.ts).
 */
import type { RgbaPicture } from '../src/analysis/image/rgbaPicture';

/** True when every pixel has the same colour (nothing to see). */
export function isFlat(picture: RgbaPicture): boolean {
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
): RgbaPicture {
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
