// What one image contributes to a layer's galleries: the ranking of its units, and per unit the
// candidate patches (local maxima of the channel, thinned by non-maximum suppression).
// Activations are [h, w, c] row-major, channels last, as the inspector reads them back.
import { unitReceptiveField, type Rect } from '../structure/unitField';
import type { LayerReceptiveField } from '../structure/receptiveField';
import type { GalleryOptions, UnitRanking } from './types';

export interface LayerMap {
  /** [h, w, c] */
  shape: number[];
  data: Float32Array;
}

export interface Candidate {
  y: number;
  x: number;
  value: number;
  box: Rect;
  clipped: Rect | null;
}

function dims(map: LayerMap): [number, number, number] {
  if (map.shape.length !== 3) {
    throw new Error(`a gallery needs an [h, w, c] layer output, not [${map.shape.join(', ')}]`);
  }
  const [h, w, c] = map.shape;
  if (map.data.length !== h * w * c) {
    throw new Error(
      `layer data has ${map.data.length} values, shape [${h}, ${w}, ${c}] needs ${h * w * c}`,
    );
  }
  return [h, w, c];
}

/**
 * Every unit of the layer with its maximum on this image and the receptive field of the position
 * of that maximum, strongest first (ties: lower unit index first).
 */
export function rankUnits(
  map: LayerMap,
  field: LayerReceptiveField,
  inputH: number,
  inputW: number,
): UnitRanking[] {
  const [h, w, c] = dims(map);
  const best = new Float32Array(c).fill(-Infinity);
  const at = new Int32Array(c);
  for (let p = 0; p < h * w; p++) {
    for (let u = 0; u < c; u++) {
      const v = map.data[p * c + u];
      if (v > best[u]) {
        best[u] = v;
        at[u] = p;
      }
    }
  }
  const ranking: UnitRanking[] = [];
  for (let u = 0; u < c; u++) {
    const y = Math.floor(at[u] / w);
    const x = at[u] % w;
    const rf = unitReceptiveField(field, y, x, inputH, inputW);
    ranking.push({ unit: u, max: best[u], y, x, box: rf.unclipped, clipped: rf.clipped });
  }
  return ranking.sort((a, b) => b.max - a.max || a.unit - b.unit);
}

/**
 * Positive local maxima of one channel: positions at least as large as every one of their 8
 * neighbours. A plateau (8-connected positions of equal value) counts once, at its first such
 * position in row-major order, whatever its shape: a V or a ring of equal values is one plateau.
 */
export function localMaxima(
  map: LayerMap,
  unit: number,
): { y: number; x: number; value: number }[] {
  const [h, w, c] = dims(map);
  const value = (y: number, x: number) => map.data[(y * w + x) * c + unit];
  const onCountedPlateau = new Uint8Array(h * w);
  const found: { y: number; x: number; value: number }[] = [];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = value(y, x);
      if (!(v > 0) || onCountedPlateau[y * w + x] || !isPeak(value, h, w, y, x)) continue;
      found.push({ y, x, value: v });
      markPlateau(value, h, w, y, x, onCountedPlateau);
    }
  }
  return found;
}

function isPeak(
  value: (y: number, x: number) => number,
  h: number,
  w: number,
  y: number,
  x: number,
): boolean {
  const v = value(y, x);
  for (let ny = Math.max(y - 1, 0); ny <= Math.min(y + 1, h - 1); ny++) {
    for (let nx = Math.max(x - 1, 0); nx <= Math.min(x + 1, w - 1); nx++) {
      if (value(ny, nx) > v) return false;
    }
  }
  return true;
}

/** Marks the 8-connected component of positions equal to (y, x), flood-filling with a stack. */
function markPlateau(
  value: (y: number, x: number) => number,
  h: number,
  w: number,
  y: number,
  x: number,
  marks: Uint8Array,
): void {
  const v = value(y, x);
  const stack = [y * w + x];
  marks[y * w + x] = 1;
  while (stack.length > 0) {
    const p = stack.pop()!;
    const py = Math.floor(p / w);
    const px = p % w;
    for (let ny = Math.max(py - 1, 0); ny <= Math.min(py + 1, h - 1); ny++) {
      for (let nx = Math.max(px - 1, 0); nx <= Math.min(px + 1, w - 1); nx++) {
        const q = ny * w + nx;
        if (!marks[q] && value(ny, nx) === v) {
          marks[q] = 1;
          stack.push(q);
        }
      }
    }
  }
}

export function iou(a: Rect | null, b: Rect | null): number {
  if (!a || !b) return 0;
  const ih = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const iw = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  if (ih <= 0 || iw <= 0) return 0;
  const inter = ih * iw;
  const area = (r: Rect) => (r[2] - r[0]) * (r[3] - r[1]);
  return inter / (area(a) + area(b) - inter);
}

/**
 * A unit's candidate patches on one image, strongest first, at most `topK`: local maxima whose
 * receptive field (the part inside the image) overlaps no stronger kept patch by more than
 * `nmsIoU`. Positions that see only padding are left out.
 */
export function unitCandidates(
  map: LayerMap,
  unit: number,
  field: LayerReceptiveField,
  inputH: number,
  inputW: number,
  options: GalleryOptions,
): Candidate[] {
  const maxima = localMaxima(map, unit).sort((a, b) => b.value - a.value || a.y - b.y || a.x - b.x);
  const kept: Candidate[] = [];
  for (const m of maxima) {
    if (kept.length >= options.topK) break;
    const rf = unitReceptiveField(field, m.y, m.x, inputH, inputW);
    if (!rf.clipped) continue;
    if (kept.some((k) => iou(k.clipped, rf.clipped) > options.nmsIoU)) continue;
    kept.push({ ...m, box: rf.unclipped, clipped: rf.clipped });
  }
  return kept;
}

/** `unitCandidates` for every unit of the layer. */
export function imageCandidates(
  map: LayerMap,
  field: LayerReceptiveField,
  inputH: number,
  inputW: number,
  options: GalleryOptions,
): Candidate[][] {
  const [, , c] = dims(map);
  const out: Candidate[][] = [];
  for (let u = 0; u < c; u++) out.push(unitCandidates(map, u, field, inputH, inputW, options));
  return out;
}
