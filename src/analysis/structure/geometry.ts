// Per-axis window arithmetic shared by the receptive-field pass and the shape/compute counts.
import type { Dim, LayerGeometry, StructureKind, LayerNode, PaddingMode, Shape } from './types';

/** How one spatial axis of a windowed layer maps input positions to output positions. */
export interface AxisWindow {
  /** Extent of one window in input units, dilation included: (k - 1) * d + 1. */
  effectiveKernel: number;
  stride: number;
  /** Input units added before position 0 (negative for cropping). */
  padBefore: number;
  /** Output length along the axis, when the input length is known. */
  outLength: Dim;
}

/** Spatial part of a shape (batch already removed) for a data format. */
export function spatialDims(shape: Shape, dataFormat: LayerGeometry['dataFormat']): Dim[] {
  return dataFormat === 'channelsFirst' ? shape.slice(1) : shape.slice(0, -1);
}

/** Channel count of a shape for a data format. */
export function channelDim(shape: Shape, dataFormat: LayerGeometry['dataFormat']): Dim {
  return dataFormat === 'channelsFirst' ? shape[0] : shape[shape.length - 1];
}

/**
 * Padding added before position 0 and in total, as TensorFlow does it. `same` is asymmetric: the
 * odd pixel goes after (bottom/right), and with stride > 1 the amount depends on the input length:
 * total = max((ceil(in/s) - 1) * s + keff - in, 0), before = floor(total / 2).
 * `causal` pads only before, by keff - 1. Returns null when `same` needs an unknown length.
 */
export function paddingAmounts(
  padding: PaddingMode,
  inLength: Dim,
  effectiveKernel: number,
  stride: number,
): { before: number; total: number } | null {
  if (padding === 'valid') return { before: 0, total: 0 };
  if (padding === 'causal') return { before: effectiveKernel - 1, total: effectiveKernel - 1 };
  if (stride === 1) {
    const total = effectiveKernel - 1; // independent of the length when stride is 1
    return { before: Math.floor(total / 2), total };
  }
  if (inLength === null) return null;
  const total = Math.max(
    (Math.ceil(inLength / stride) - 1) * stride + effectiveKernel - inLength,
    0,
  );
  return { before: Math.floor(total / 2), total };
}

function windowOutLength(inLength: Dim, padTotal: number, keff: number, stride: number): Dim {
  if (inLength === null) return null;
  return Math.floor((inLength + padTotal - keff) / stride) + 1;
}

function convolutionWindows(
  kernel: number[],
  strides: number[],
  dilation: number[],
  padding: PaddingMode,
  inSpatial: Dim[],
): AxisWindow[] | string {
  const windows: AxisWindow[] = [];
  for (let a = 0; a < kernel.length; a++) {
    const keff = (kernel[a] - 1) * (dilation[a] ?? 1) + 1;
    const stride = strides[a] ?? 1;
    const pads = paddingAmounts(padding, inSpatial[a] ?? null, keff, stride);
    if (pads === null) {
      return `input length along axis ${a} is unknown, and 'same' padding with stride ${stride} depends on it`;
    }
    const outLength = windowOutLength(inSpatial[a] ?? null, pads.total, keff, stride);
    if (outLength !== null && outLength < 1) {
      return `window of ${keff} does not fit the input length ${inSpatial[a]} along axis ${a}`;
    }
    windows.push({ effectiveKernel: keff, stride, padBefore: pads.before, outLength });
  }
  return windows;
}

function shift(before: number, after: number, inLength: Dim): AxisWindow {
  return {
    effectiveKernel: 1,
    stride: 1,
    padBefore: before,
    outLength: inLength === null ? null : inLength + before + after,
  };
}

/**
 * The per-axis windows of a windowed layer (convolutions, pooling, padding, cropping), or a
 * human-readable reason when they cannot be known. Returns null for layers that are not windowed.
 */
export function axisWindows(
  kind: StructureKind,
  geometry: LayerGeometry,
  inSpatial: Dim[],
): AxisWindow[] | string | null {
  const ones = inSpatial.map(() => 1);
  switch (kind) {
    case 'conv':
    case 'depthwiseConv':
    case 'separableConv': {
      const kernel = geometry.kernelSize ?? ones;
      return convolutionWindows(
        kernel,
        geometry.strides ?? ones,
        geometry.dilationRate ?? ones,
        geometry.padding ?? 'valid',
        inSpatial,
      );
    }
    case 'pooling': {
      const pool = geometry.poolSize ?? ones.map(() => 2);
      return convolutionWindows(
        pool,
        geometry.strides ?? pool,
        geometry.dilationRate ?? ones,
        geometry.padding ?? 'valid',
        inSpatial,
      );
    }
    case 'zeroPadding':
      return inSpatial.map((len, a) => {
        const [before, after] = geometry.zeroPadding?.[a] ?? [0, 0];
        return shift(before, after, len);
      });
    case 'cropping': {
      const windows = inSpatial.map((len, a) => {
        const [before, after] = geometry.cropping?.[a] ?? [0, 0];
        return shift(-before, -after, len);
      });
      const empty = windows.findIndex((w) => w.outLength !== null && w.outLength < 1);
      return empty >= 0 ? `cropping removes the whole input along axis ${empty}` : windows;
    }
    default:
      return null;
  }
}

/** Spatial output of a windowed layer computed from its input, or null when not computable. */
export function windowedOutputSpatial(node: LayerNode, inputShape: Shape): Dim[] | null {
  const inSpatial = spatialDims(inputShape, node.geometry.dataFormat);
  const windows = axisWindows(node.kind, node.geometry, inSpatial);
  if (windows === null || typeof windows === 'string') return null;
  return windows.map((w) => w.outLength);
}

export function product(dims: readonly Dim[]): number | null {
  let p = 1;
  for (const d of dims) {
    if (d === null) return null;
    p *= d;
  }
  return p;
}
