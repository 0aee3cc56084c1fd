/**
 * Resizes an image with an antialiased bilinear (triangle) filter, separably, the way Pillow's
 * `Image.resize(..., BILINEAR)` does: when shrinking, the filter widens to the scale factor so that
 * every source pixel contributes (no aliasing when a 512px photo becomes a 28px LeNet input);
 * when enlarging, it is plain bilinear interpolation. Pixel centres are at half-integers.
 */
export function resizeChannels(
  src: Float32Array,
  srcWidth: number,
  srcHeight: number,
  channels: number,
  dstWidth: number,
  dstHeight: number,
): Float32Array {
  if (srcWidth === dstWidth && srcHeight === dstHeight) return src.slice();
  const horizontal = resampleAxis(src, srcWidth, srcHeight, channels, dstWidth, true);
  return resampleAxis(horizontal, dstWidth, srcHeight, channels, dstHeight, false);
}

interface Taps {
  start: Int32Array;
  count: Int32Array;
  weights: Float32Array;
  stride: number;
}

/** Precomputes each output sample's source range and normalised weights along one axis. */
export function triangleTaps(srcSize: number, dstSize: number): Taps {
  const scale = srcSize / dstSize;
  const support = Math.max(1, scale); // triangle radius in source pixels
  const stride = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(dstSize);
  const count = new Int32Array(dstSize);
  const weights = new Float32Array(dstSize * stride);
  for (let i = 0; i < dstSize; i++) {
    const centre = (i + 0.5) * scale;
    const first = Math.max(0, Math.floor(centre - support));
    const last = Math.min(srcSize, Math.ceil(centre + support));
    let total = 0;
    let n = 0;
    for (let s = first; s < last && n < stride; s++, n++) {
      const w = Math.max(0, 1 - Math.abs((s + 0.5 - centre) / support));
      weights[i * stride + n] = w;
      total += w;
    }
    for (let k = 0; k < n; k++) weights[i * stride + k] /= total || 1;
    start[i] = first;
    count[i] = n;
  }
  return { start, count, weights, stride };
}

function resampleAxis(
  src: Float32Array,
  width: number,
  height: number,
  channels: number,
  dstSize: number,
  alongWidth: boolean,
): Float32Array {
  const srcSize = alongWidth ? width : height;
  const outWidth = alongWidth ? dstSize : width;
  const outHeight = alongWidth ? height : dstSize;
  const out = new Float32Array(outWidth * outHeight * channels);
  if (srcSize === dstSize) {
    out.set(src);
    return out;
  }
  const taps = triangleTaps(srcSize, dstSize);
  for (let y = 0; y < outHeight; y++) {
    for (let x = 0; x < outWidth; x++) {
      const i = alongWidth ? x : y;
      const base = i * taps.stride;
      const outIndex = (y * outWidth + x) * channels;
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        for (let k = 0; k < taps.count[i]; k++) {
          const s = taps.start[i] + k;
          const srcIndex = alongWidth ? (y * width + s) * channels : (s * width + x) * channels;
          sum += src[srcIndex + c] * taps.weights[base + k];
        }
        out[outIndex + c] = sum;
      }
    }
  }
  return out;
}
