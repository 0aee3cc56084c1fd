// Class-explanation maps as pictures: a map over the input (Grad-CAM upsampled, occlusion per
// pixel, integrated gradients summed over channels) blended over the grey input picture.
// Non-negative maps use inferno (0 dark), signed ones the blue-white-red diverging map (0 white),
// both from d3-scale-chromatic, as the panel's colour maps; the scale is the map's max |value|.
import { interpolateInferno, interpolateRdBu } from 'd3-scale-chromatic';
import type { RgbaPicture } from '../image/rgbaPicture';

function parseColour(css: string): [number, number, number] {
  if (css.startsWith('#')) {
    const n = parseInt(css.slice(1), 16);
    return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  }
  const [r, g, b] = css.match(/\d+(\.\d+)?/g)!.map(Number);
  return [r, g, b];
}

const LUT_SIZE = 256;
const tables = new Map<string, [number, number, number][]>();
function table(kind: 'sequential' | 'diverging'): [number, number, number][] {
  let t = tables.get(kind);
  if (!t) {
    const f = kind === 'sequential' ? interpolateInferno : (x: number) => interpolateRdBu(1 - x);
    t = Array.from({ length: LUT_SIZE }, (_, i) => parseColour(f(i / (LUT_SIZE - 1))));
    tables.set(kind, t);
  }
  return t;
}

/** Whether a map has negative values (then it is drawn with the diverging map). */
export const isSigned = (values: ArrayLike<number>): boolean =>
  Array.prototype.some.call(values, (v: number) => v < 0);

/** The colour of `value` on a scale of +-`scale` (signed) or 0..`scale`. */
export function heatColour(
  value: number,
  scale: number,
  signed: boolean,
): [number, number, number] {
  const s = scale || 1;
  const t = signed ? 0.5 + value / (2 * s) : value / s;
  const i = Math.round(Math.min(1, Math.max(0, t)) * (LUT_SIZE - 1));
  return table(signed ? 'diverging' : 'sequential')[i];
}

export function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]));
  return m;
}

/** A [h, w] map as a picture on its own (at its own resolution). */
export function heatPicture(values: ArrayLike<number>, height: number, width: number): RgbaPicture {
  const signed = isSigned(values);
  const scale = maxAbs(values);
  const rgba = new Uint8ClampedArray(height * width * 4);
  for (let p = 0; p < height * width; p++) {
    rgba.set(heatColour(values[p], scale, signed), p * 4);
    rgba[p * 4 + 3] = 255;
  }
  return { width, height, rgba };
}

/** A [h, w] map over the input picture (RGBA of the same size): 40% input grey, 60% colour. */
export function heatOverlay(
  values: ArrayLike<number>,
  input: { width: number; height: number; rgba: Uint8ClampedArray },
): RgbaPicture {
  const { width, height } = input;
  const heat = heatPicture(values, height, width);
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    const grey =
      0.299 * input.rgba[p * 4] + 0.587 * input.rgba[p * 4 + 1] + 0.114 * input.rgba[p * 4 + 2];
    for (let c = 0; c < 3; c++) rgba[p * 4 + c] = 0.4 * grey + 0.6 * heat.rgba[p * 4 + c];
    rgba[p * 4 + 3] = 255;
  }
  return { width, height, rgba };
}

/** [h, w, c] values summed over channels into an [h, w] map. */
export function sumChannels(data: Float32Array, channels: number): Float32Array {
  const out = new Float32Array(data.length / channels);
  for (let i = 0; i < data.length; i++) out[Math.floor(i / channels)] += data[i];
  return out;
}
