/**
 * Colour lookup tables. The perceptually uniform maps come from d3-scale-chromatic (the matplotlib
 * maps, well kept and exact) rather than hand-copied tables; each is sampled once into 256 RGB
 * entries so drawing is a table lookup per pixel.
 */
import {
  interpolateCividis,
  interpolateInferno,
  interpolateMagma,
  interpolatePlasma,
  interpolateRdBu,
  interpolateViridis,
} from 'd3-scale-chromatic';
import type { SequentialColormap } from '../src/protocol/panelProtocol';

export type Lut = Uint8Array; // 256 * 3

const interpolators: Record<SequentialColormap | 'diverging', (t: number) => string> = {
  viridis: interpolateViridis,
  magma: interpolateMagma,
  inferno: interpolateInferno,
  plasma: interpolatePlasma,
  cividis: interpolateCividis,
  gray: (t) => {
    const v = Math.round(t * 255);
    return `rgb(${v}, ${v}, ${v})`;
  },
  // Blue for negative, white at zero, red for positive.
  diverging: (t) => interpolateRdBu(1 - t),
};

const cache = new Map<string, Lut>();

export function lut(name: SequentialColormap | 'diverging'): Lut {
  const cached = cache.get(name);
  if (cached) return cached;
  const table = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    const [r, g, b] = parseColor(interpolators[name](i / 255));
    table.set([r, g, b], i * 3);
  }
  cache.set(name, table);
  return table;
}

function parseColor(css: string): [number, number, number] {
  if (css.startsWith('#')) {
    const n = parseInt(css.slice(1), 16);
    return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  }
  const parts = css.match(/\d+(\.\d+)?/g)?.map(Number) ?? [0, 0, 0];
  return [parts[0], parts[1], parts[2]];
}

/** Value range to colour-table index; the diverging map is centred on zero. */
export interface ColorScale {
  name: SequentialColormap | 'diverging';
  low: number;
  high: number;
}

export function scaleFor(min: number, max: number, sequential: SequentialColormap): ColorScale {
  if (min < 0) {
    const bound = Math.max(Math.abs(min), Math.abs(max)) || 1;
    return { name: 'diverging', low: -bound, high: bound };
  }
  return { name: sequential, low: min, high: max > min ? max : min + 1 };
}

export function lutIndex(scale: ColorScale, value: number): number {
  const t = (value - scale.low) / (scale.high - scale.low);
  return Math.max(0, Math.min(255, Math.round(t * 255)));
}

export function cssColor(scale: ColorScale, value: number): string {
  const i = lutIndex(scale, value) * 3;
  const table = lut(scale.name);
  return `rgb(${table[i]}, ${table[i + 1]}, ${table[i + 2]})`;
}
