/**
 * Applies an EXIF orientation (1-8) to an RGBA image, so that the model sees the photo upright,
 * as every image viewer shows it.
 */
export interface RgbaImage {
  width: number;
  height: number;
  /** Interleaved RGBA, 8 bits per channel. */
  data: Uint8Array;
}

export function applyExifOrientation(image: RgbaImage, orientation: number): RgbaImage {
  if (orientation <= 1 || orientation > 8) return image;
  const { width: w, height: h, data } = image;
  const swap = orientation >= 5;
  const outW = swap ? h : w;
  const outH = swap ? w : h;
  const out = new Uint8Array(outW * outH * 4);
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      const [sx, sy] = sourcePixel(orientation, x, y, w, h);
      const from = (sy * w + sx) * 4;
      const to = (y * outW + x) * 4;
      out[to] = data[from];
      out[to + 1] = data[from + 1];
      out[to + 2] = data[from + 2];
      out[to + 3] = data[from + 3];
    }
  }
  return { width: outW, height: outH, data: out };
}

/** For output pixel (x, y), the stored pixel it comes from (EXIF 2.3, tag 0x0112). */
function sourcePixel(o: number, x: number, y: number, w: number, h: number): [number, number] {
  switch (o) {
    case 2:
      return [w - 1 - x, y]; // mirrored horizontally
    case 3:
      return [w - 1 - x, h - 1 - y]; // rotated 180
    case 4:
      return [x, h - 1 - y]; // mirrored vertically
    case 5:
      return [y, x]; // transposed
    case 6:
      return [y, h - 1 - x]; // stored rotated 90 CCW: turn 90 CW
    case 7:
      return [w - 1 - y, h - 1 - x]; // transversed
    case 8:
      return [w - 1 - y, x]; // stored rotated 90 CW: turn 90 CCW
    default:
      return [x, y];
  }
}
