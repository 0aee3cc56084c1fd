// Image crops for gallery tiles: only the pixels a receptive field covers, scaled down so a tile
// never carries more than maxSide x maxSide pixels (pool5 of VGG sees 212 x 212 of a 224 image).
import type { Rect } from './types';

export interface PatchCrop {
  /** The receptive field, possibly reaching into the padding, in input pixels. */
  box: Rect;
  /** The part inside the image, which `rgba` shows; null when it is all padding. */
  clipped: Rect | null;
  /** Input pixels per crop pixel is 1 / scale. */
  scale: number;
  width: number;
  height: number;
  /** RGBA bytes of the clipped part only, width x height x 4. */
  rgba: Uint8ClampedArray;
}

/** Crops `clipped` out of an RGBA image (imageWidth wide) and box-filters it down to fit maxSide. */
export function cropPatch(
  image: { width: number; height: number; rgba: Uint8ClampedArray },
  box: Rect,
  clipped: Rect | null,
  maxSide: number,
): PatchCrop {
  const side = Math.max(box[2] - box[0], box[3] - box[1]);
  const scale = Math.min(1, maxSide / side);
  if (!clipped) return { box, clipped, scale, width: 0, height: 0, rgba: new Uint8ClampedArray(0) };
  const [y0, x0, y1, x1] = clipped;
  if (y0 < 0 || x0 < 0 || y1 > image.height || x1 > image.width || y1 <= y0 || x1 <= x0) {
    throw new RangeError(
      `crop [${clipped.join(', ')}] is outside the ${image.width}x${image.height} image`,
    );
  }
  const width = Math.max(1, Math.round((x1 - x0) * scale));
  const height = Math.max(1, Math.round((y1 - y0) * scale));
  const rgba = new Uint8ClampedArray(width * height * 4);
  const stepY = (y1 - y0) / height;
  const stepX = (x1 - x0) / width;
  for (let ty = 0; ty < height; ty++) {
    const sy0 = y0 + Math.floor(ty * stepY);
    const sy1 = Math.max(sy0 + 1, y0 + Math.floor((ty + 1) * stepY));
    for (let tx = 0; tx < width; tx++) {
      const sx0 = x0 + Math.floor(tx * stepX);
      const sx1 = Math.max(sx0 + 1, x0 + Math.floor((tx + 1) * stepX));
      // Average of the source pixels the tile pixel covers (exact copy when not scaled).
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = sy0; sy < sy1; sy++) {
        for (let sx = sx0; sx < sx1; sx++) {
          const i = (sy * image.width + sx) * 4;
          r += image.rgba[i];
          g += image.rgba[i + 1];
          b += image.rgba[i + 2];
          a += image.rgba[i + 3];
        }
      }
      const n = (sy1 - sy0) * (sx1 - sx0);
      const o = (ty * width + tx) * 4;
      rgba[o] = r / n;
      rgba[o + 1] = g / n;
      rgba[o + 2] = b / n;
      rgba[o + 3] = a / n;
    }
  }
  return { box, clipped, scale, width, height, rgba };
}

/** One channel of an [h, w, c] map, for a tile's heat overlay. */
export function channelOf(
  map: { shape: number[]; data: Float32Array },
  unit: number,
): { height: number; width: number; data: Float32Array } {
  const [h, w, c] = map.shape;
  const data = new Float32Array(h * w);
  for (let p = 0; p < h * w; p++) data[p] = map.data[p * c + unit];
  return { height: h, width: w, data };
}
