// Plain-loop image helpers for the class explanations: bilinear resizing of a map (half-pixel
// centres, as OpenCV's INTER_LINEAR that pytorch-grad-cam uses), a separable Gaussian blur, and
// rolling an image by whole pixels (the jitter of feature visualization).
import type { ArrayND } from './types';

/** Resizes a [h, w] map to [outH, outW] bilinearly with half-pixel centres (edges clamped). */
export function resizeBilinear(
  map: Float32Array,
  h: number,
  w: number,
  outH: number,
  outW: number,
): Float32Array {
  const out = new Float32Array(outH * outW);
  const source = (o: number, n: number, outN: number) => {
    const s = Math.min(Math.max((o + 0.5) * (n / outN) - 0.5, 0), n - 1);
    const lo = Math.floor(s);
    return { lo, hi: Math.min(lo + 1, n - 1), t: s - lo };
  };
  for (let y = 0; y < outH; y++) {
    const sy = source(y, h, outH);
    for (let x = 0; x < outW; x++) {
      const sx = source(x, w, outW);
      const top = map[sy.lo * w + sx.lo] * (1 - sx.t) + map[sy.lo * w + sx.hi] * sx.t;
      const bottom = map[sy.hi * w + sx.lo] * (1 - sx.t) + map[sy.hi * w + sx.hi] * sx.t;
      out[y * outW + x] = top * (1 - sy.t) + bottom * sy.t;
    }
  }
  return out;
}

function gaussianKernel(sigma: number): Float32Array {
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const k = new Float32Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++)
    sum += k[i + radius] = Math.exp(-(i * i) / (2 * sigma * sigma));
  return k.map((v) => v / sum);
}

/** Gaussian blur of an [h, w, c] image per channel, edges mirrored (reflect without repeating the edge). */
export function gaussianBlur(image: ArrayND, sigma: number): ArrayND {
  const [h, w, c] = image.shape;
  const k = gaussianKernel(sigma);
  const r = (k.length - 1) / 2;
  const mirror = (i: number, n: number) => {
    if (n === 1) return 0;
    let j = i;
    while (j < 0 || j >= n) j = j < 0 ? -j : 2 * (n - 1) - j;
    return j;
  };
  const pass = (src: Float32Array, alongRows: boolean): Float32Array => {
    const out = new Float32Array(src.length);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let ch = 0; ch < c; ch++) {
          let acc = 0;
          for (let t = -r; t <= r; t++) {
            const yy = alongRows ? mirror(y + t, h) : y;
            const xx = alongRows ? x : mirror(x + t, w);
            acc += k[t + r] * src[(yy * w + xx) * c + ch];
          }
          out[(y * w + x) * c + ch] = acc;
        }
    return out;
  };
  return { data: pass(pass(image.data, false), true), shape: image.shape };
}

/** An [h, w, c] image rolled by (dy, dx) pixels, wrapping around. */
export function roll(image: ArrayND, dy: number, dx: number): ArrayND {
  const [h, w, c] = image.shape;
  const out = new Float32Array(image.data.length);
  for (let y = 0; y < h; y++) {
    const ty = (((y + dy) % h) + h) % h;
    for (let x = 0; x < w; x++) {
      const tx = (((x + dx) % w) + w) % w;
      for (let ch = 0; ch < c; ch++) out[(ty * w + tx) * c + ch] = image.data[(y * w + x) * c + ch];
    }
  }
  return { data: out, shape: image.shape };
}

/** A small seeded generator (mulberry32), so feature visualizations are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
