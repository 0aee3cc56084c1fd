// A convolution layer's filters as pictures and numbers: first-layer kernels as small images
// (RGB when the input has 3 channels, grey for 1), scaled over all filters together and each on
// its own; every layer's kernels as weight grids per input channel; per-filter statistics.
import { inputChannelOf, type ChannelOrder } from './channelOrder';
import type { ArrayND, LayerSpec } from './types';

/** Share of weights counted as near zero: |w| at most this fraction of the layer's largest |w|. */
export const NEAR_ZERO_FRACTION = 0.01;

export interface FilterStats {
  /** L2 norm of the filter's weights (bias excluded). */
  norm: number;
  mean: number;
  min: number;
  max: number;
  /** Share of the filter's weights with |w| <= NEAR_ZERO_FRACTION x the layer's max |w|. */
  nearZeroShare: number;
}

export interface FilterPictures {
  width: number;
  height: number;
  /** Per filter, RGBA; zero is mid grey, +-max|w| over all filters is white / black (per colour). */
  together: Uint8ClampedArray[];
  /** Per filter, RGBA scaled by the filter's own max |w|. */
  alone: Uint8ClampedArray[];
}

export interface FilterSet {
  layer: string;
  className: string;
  kernelSize: number[];
  inputChannels: number;
  filters: number;
  /** max |w| over the layer. */
  maxAbs: number;
  stats: FilterStats[];
  /** Only when the input has 1 or 3 channels and the layer is 2-D. */
  pictures?: FilterPictures;
  /** Kernel weights of filters [first, first + count): [count][inputChannels][taps]. */
  grids: { first: number; weights: Float32Array; count: number; taps: number };
}

/** Weights of filter `o` as [tap][inputChannel] (depthwise: one input channel). */
function filterWeights(
  spec: LayerSpec,
  o: number,
): { values: Float32Array; inC: number; taps: number } {
  const k = spec.kernel!;
  const rank = spec.spatialRank;
  const taps = k.shape.slice(0, rank).reduce((a, b) => a * b, 1);
  const inC = k.shape[rank];
  if (spec.op === 'depthwiseConv') {
    const dm = k.shape[rank + 1];
    const c = Math.floor(o / dm);
    return {
      values: Float32Array.from({ length: taps }, (_, t) => k.data[(t * inC + c) * dm + (o % dm)]),
      inC: 1,
      taps,
    };
  }
  const outC = k.shape[rank + 1];
  const values = new Float32Array(taps * inC);
  for (let t = 0; t < taps; t++)
    for (let c = 0; c < inC; c++) values[t * inC + c] = k.data[(t * inC + c) * outC + o];
  return { values, inC, taps };
}

function toPicture(
  values: Float32Array,
  inC: number,
  taps: number,
  scale: number,
  order: ChannelOrder,
): Uint8ClampedArray {
  const rgba = new Uint8ClampedArray(taps * 4);
  const byte = (v: number) => Math.round(127.5 + (127.5 * v) / (scale || 1));
  for (let t = 0; t < taps; t++) {
    for (let ch = 0; ch < 3; ch++)
      rgba[t * 4 + ch] = byte(values[t * inC + (inC === 3 ? inputChannelOf(ch, order) : 0)]);
    rgba[t * 4 + 3] = 255;
  }
  return rgba;
}

/**
 * Filters of a Conv1D/Conv2D/DepthwiseConv2D layer. `gridFirst` / `gridCount` choose which
 * filters' weight grids are included (all statistics are always included). `order` is the colour
 * order of the layer's 3 input channels (first layers); the pictures are drawn in RGB.
 */
export function describeFilters(
  spec: LayerSpec,
  gridFirst = 0,
  gridCount = 16,
  order: ChannelOrder = 'rgb',
): FilterSet {
  if ((spec.op !== 'conv' && spec.op !== 'depthwiseConv') || !spec.kernel) {
    throw new Error(`layer '${spec.name}' (${spec.className}) has no convolution filters`);
  }
  const k = spec.kernel;
  const rank = spec.spatialRank;
  const inChannels = k.shape[rank];
  const filters = spec.op === 'depthwiseConv' ? inChannels * k.shape[rank + 1] : k.shape[rank + 1];
  const maxAbs = largestAbs(k.data);
  const threshold = NEAR_ZERO_FRACTION * maxAbs;
  const perFilter = Array.from({ length: filters }, (_, o) => filterWeights(spec, o));
  const first = Math.max(0, Math.min(gridFirst, filters - 1));
  const count = Math.max(0, Math.min(gridCount, filters - first));
  const gridInC = perFilter[0].inC;
  const set: FilterSet = {
    layer: spec.name,
    className: spec.className,
    kernelSize: k.shape.slice(0, rank),
    inputChannels: gridInC,
    filters,
    maxAbs,
    stats: perFilter.map(({ values }) => filterStats(values, threshold)),
    grids: weightGrids(perFilter, first, count),
  };
  if (rank === 2 && (gridInC === 1 || gridInC === 3)) {
    set.pictures = {
      height: k.shape[0],
      width: k.shape[1],
      together: perFilter.map(({ values, inC, taps }) =>
        toPicture(values, inC, taps, maxAbs, order),
      ),
      alone: perFilter.map(({ values, inC, taps }) =>
        toPicture(values, inC, taps, largestAbs(values), order),
      ),
    };
  }
  return set;
}

function largestAbs(values: Float32Array): number {
  let m = 0;
  for (const w of values) m = Math.max(m, Math.abs(w));
  return m;
}

function filterStats(values: Float32Array, nearZeroThreshold: number): FilterStats {
  let sum = 0;
  let squares = 0;
  let near = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const w of values) {
    sum += w;
    squares += w * w;
    if (Math.abs(w) <= nearZeroThreshold) near++;
    min = Math.min(min, w);
    max = Math.max(max, w);
  }
  return {
    norm: Math.sqrt(squares),
    mean: sum / values.length,
    min,
    max,
    nearZeroShare: near / values.length,
  };
}

/** Filters [first, first + count) as [filter][inputChannel][tap]. */
function weightGrids(
  perFilter: { values: Float32Array; inC: number; taps: number }[],
  first: number,
  count: number,
): FilterSet['grids'] {
  const { inC: gridInC, taps: gridTaps } = perFilter[0];
  const weights = new Float32Array(count * gridInC * gridTaps);
  for (let i = 0; i < count; i++) {
    const { values, inC, taps } = perFilter[first + i];
    // stored [filter][inputChannel][tap] so each input channel's grid is contiguous
    for (let c = 0; c < inC; c++)
      for (let t = 0; t < taps; t++) weights[(i * inC + c) * taps + t] = values[t * inC + c];
  }
  return { first, weights, count, taps: gridTaps };
}

/** For each channel of a layer's output, the position and value of its strongest unit. */
export function strongestUnits(output: ArrayND): { position: number[]; value: number }[] {
  const channels = output.shape[output.shape.length - 1];
  const spatial = output.shape.slice(0, -1);
  const best = Array.from({ length: channels }, () => ({ index: -1, value: -Infinity }));
  for (let i = 0; i < output.data.length; i++) {
    const b = best[i % channels];
    if (output.data[i] > b.value) {
      b.value = output.data[i];
      b.index = Math.floor(i / channels);
    }
  }
  return best.map(({ index, value }) => ({
    position:
      spatial.length === 2
        ? [Math.floor(index / spatial[1]), index % spatial[1]]
        : spatial.length === 1
          ? [index]
          : [],
    value,
  }));
}
