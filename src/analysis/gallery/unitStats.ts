// Unit health, in the same pass as the gallery: per unit (channel) of the layer, how often it is
// positive, its mean, minimum and maximum, and a small histogram of its values. Every field is a
// count, an exact sum (see exactSum.ts), a minimum or a maximum, so partial statistics of any
// split of the images merge into exactly the statistics of one pass over all of them.
import { ExactSum } from './exactSum';
import type { LayerMap } from './imagePatches';

/** Histogram edges: < 0, = 0, (0, 2^-8), then [2^k, 2^(k+1)) for k = -8..7, then [2^8, inf). */
export const HISTOGRAM_LOW_EXPONENT = -8;
export const HISTOGRAM_HIGH_EXPONENT = 8;
const POSITIVE_BINS = HISTOGRAM_HIGH_EXPONENT - HISTOGRAM_LOW_EXPONENT + 2;
export const HISTOGRAM_BINS = 2 + POSITIVE_BINS;

/** Human-readable bin labels, in histogram order. */
export function histogramBinLabels(): string[] {
  const labels = ['<0', '0', `(0,2^${HISTOGRAM_LOW_EXPONENT})`];
  for (let k = HISTOGRAM_LOW_EXPONENT; k < HISTOGRAM_HIGH_EXPONENT; k++)
    labels.push(`[2^${k},2^${k + 1})`);
  labels.push(`[2^${HISTOGRAM_HIGH_EXPONENT},inf)`);
  return labels;
}

/** One unit's statistics as they are stored (JSON) and merged. */
export interface UnitStats {
  unit: number;
  /** Images seen, and how many of them had a maximum > 0 somewhere. */
  images: number;
  imagesPositive: number;
  /** Positions seen (images x height x width), and how many were > 0. */
  positions: number;
  positionsPositive: number;
  /** Mean over every position of every image; the exact sum it comes from. */
  mean: number;
  sum: string;
  min: number;
  max: number;
  /** Counts per bin of `histogramBinLabels()`. */
  histogram: number[];
}

/** Bin of a positive float32 value, from its exponent bits: no log, no rounding at the edges. */
function positiveBin(bits: number): number {
  const exponent = ((bits >>> 23) & 0xff) - 127; // subnormals (0) fall in the lowest bin anyway
  if (exponent < HISTOGRAM_LOW_EXPONENT) return 2;
  if (exponent >= HISTOGRAM_HIGH_EXPONENT) return HISTOGRAM_BINS - 1;
  return 3 + exponent - HISTOGRAM_LOW_EXPONENT;
}

export class UnitStatsAccumulator {
  private readonly images: Float64Array;
  private readonly imagesPositive: Float64Array;
  private readonly positions: Float64Array;
  private readonly positionsPositive: Float64Array;
  private readonly min: Float64Array;
  private readonly max: Float64Array;
  private readonly histogram: Float64Array;
  private readonly sums: ExactSum[];

  constructor(readonly unitCount: number) {
    this.images = new Float64Array(unitCount);
    this.imagesPositive = new Float64Array(unitCount);
    this.positions = new Float64Array(unitCount);
    this.positionsPositive = new Float64Array(unitCount);
    this.min = new Float64Array(unitCount).fill(Infinity);
    this.max = new Float64Array(unitCount).fill(-Infinity);
    this.histogram = new Float64Array(unitCount * HISTOGRAM_BINS);
    this.sums = Array.from({ length: unitCount }, () => new ExactSum());
  }

  /**
   * Adds one image's [h, w, c] map. The image's own sum per unit is taken in float64 in
   * row-major order (the same whichever shard runs it) and then added exactly.
   * Throws on a NaN or infinite activation, which would make every statistic meaningless.
   */
  addImage(map: LayerMap): void {
    const [h, w, c] = map.shape;
    if (c !== this.unitCount)
      throw new RangeError(`the map has ${c} channels, the statistics ${this.unitCount} units`);
    const data = map.data;
    const bits = new Uint32Array(data.buffer, data.byteOffset, data.length);
    const imageSum = new Float64Array(c);
    const imageMax = new Float64Array(c).fill(-Infinity);
    for (let p = 0; p < h * w; p++) {
      for (let u = 0; u < c; u++) {
        const i = p * c + u;
        const v = data[i];
        imageSum[u] += v;
        if (v > imageMax[u]) imageMax[u] = v;
        if (v < this.min[u]) this.min[u] = v;
        let bin: number;
        if (v > 0) {
          this.positionsPositive[u]++;
          bin = positiveBin(bits[i]);
        } else bin = v < 0 ? 0 : 1;
        this.histogram[u * HISTOGRAM_BINS + bin]++;
      }
    }
    for (let u = 0; u < c; u++) {
      if (!Number.isFinite(imageSum[u]))
        throw new RangeError(`unit ${u} has a NaN or infinite activation`);
      this.sums[u].add(imageSum[u]);
      this.images[u]++;
      this.positions[u] += h * w;
      if (imageMax[u] > 0) this.imagesPositive[u]++;
      if (imageMax[u] > this.max[u]) this.max[u] = imageMax[u];
    }
  }

  /** Adds statistics computed elsewhere (another worker, shard or checkpoint). */
  merge(stats: readonly UnitStats[]): void {
    for (const s of stats) {
      const u = s.unit;
      if (!(u >= 0 && u < this.unitCount) || s.histogram.length !== HISTOGRAM_BINS)
        throw new RangeError(`unit statistics for unit ${u} do not fit this layer`);
      this.images[u] += s.images;
      this.imagesPositive[u] += s.imagesPositive;
      this.positions[u] += s.positions;
      this.positionsPositive[u] += s.positionsPositive;
      if (s.images > 0) {
        this.min[u] = Math.min(this.min[u], s.min);
        this.max[u] = Math.max(this.max[u], s.max);
      }
      this.sums[u].addSum(ExactSum.parse(s.sum));
      for (let b = 0; b < HISTOGRAM_BINS; b++)
        this.histogram[u * HISTOGRAM_BINS + b] += s.histogram[b];
    }
  }

  /** Every unit in unit order; min, max and mean are 0 for a unit that has seen no image. */
  toStats(): UnitStats[] {
    return Array.from({ length: this.unitCount }, (_, u) => {
      const seen = this.images[u] > 0;
      return {
        unit: u,
        images: this.images[u],
        imagesPositive: this.imagesPositive[u],
        positions: this.positions[u],
        positionsPositive: this.positionsPositive[u],
        mean: seen ? this.sums[u].toNumber() / this.positions[u] : 0,
        sum: this.sums[u].toString(),
        min: seen ? this.min[u] : 0,
        max: seen ? this.max[u] : 0,
        histogram: Array.from(
          this.histogram.subarray(u * HISTOGRAM_BINS, (u + 1) * HISTOGRAM_BINS),
        ),
      };
    });
  }
}

/** Never positive on any image: the unit contributes nothing to later layers on this data. */
export function isDeadUnit(s: UnitStats): boolean {
  return s.images > 0 && s.imagesPositive === 0;
}

/** Positive at every position of every image: its ReLU never cuts, the unit acts linearly. */
export function isAlwaysOnUnit(s: UnitStats): boolean {
  return s.positions > 0 && s.positionsPositive === s.positions;
}
