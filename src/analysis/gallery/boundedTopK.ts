// The running top-k per unit: a bounded min-heap each, so memory is units x k whatever the number
// of images. The order is total (value, then file, then position), so merging partial results in
// any order, from any number of workers, gives the same galleries as one sequential pass.
import type { GalleryPatch, UnitGallery } from './types';

/** Negative when `a` ranks before (is stronger than) `b`. */
export function comparePatches(a: GalleryPatch, b: GalleryPatch): number {
  if (a.value !== b.value) return b.value - a.value;
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return a.y - b.y || a.x - b.x;
}

/** Keeps the k strongest items offered to it; the root of the heap is the weakest kept. */
export class BoundedTopK {
  private readonly heap: GalleryPatch[] = [];

  constructor(readonly k: number) {
    if (!Number.isInteger(k) || k < 1)
      throw new RangeError(`top-k must be a positive integer, not ${k}`);
  }

  get size(): number {
    return this.heap.length;
  }

  /** The weakest kept item: a newcomer must beat it once the heap is full. */
  get weakest(): GalleryPatch | undefined {
    return this.heap[0];
  }

  offer(item: GalleryPatch): boolean {
    if (this.heap.length < this.k) {
      this.heap.push(item);
      this.siftUp(this.heap.length - 1);
      return true;
    }
    if (comparePatches(item, this.heap[0]) >= 0) return false;
    this.heap[0] = item;
    this.siftDown(0);
    return true;
  }

  /** Strongest first. */
  sorted(): GalleryPatch[] {
    return [...this.heap].sort(comparePatches);
  }

  // Min-heap on strength: a parent is weaker than (ranks after) its children.
  private weaker(i: number, j: number): boolean {
    return comparePatches(this.heap[i], this.heap[j]) > 0;
  }

  private siftUp(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.weaker(i, parent)) return;
      [this.heap[i], this.heap[parent]] = [this.heap[parent], this.heap[i]];
      i = parent;
    }
  }

  private siftDown(i: number): void {
    const n = this.heap.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let weakest = i;
      if (l < n && this.weaker(l, weakest)) weakest = l;
      if (r < n && this.weaker(r, weakest)) weakest = r;
      if (weakest === i) return;
      [this.heap[i], this.heap[weakest]] = [this.heap[weakest], this.heap[i]];
      i = weakest;
    }
  }
}

/** One bounded top-k per unit of a layer. */
export class LayerGalleries {
  private readonly units: BoundedTopK[];

  constructor(
    readonly unitCount: number,
    readonly k: number,
  ) {
    this.units = Array.from({ length: unitCount }, () => new BoundedTopK(k));
  }

  offer(unit: number, patch: GalleryPatch): boolean {
    const heap = this.units[unit];
    if (!heap) throw new RangeError(`unit ${unit} is outside the layer (${this.unitCount} units)`);
    return heap.offer(patch);
  }

  /** Adds another set of galleries (partial results of a worker, or a cache). */
  merge(galleries: readonly UnitGallery[]): void {
    for (const g of galleries) for (const p of g.patches) this.offer(g.unit, p);
  }

  /** Every unit, in unit order, each strongest first. */
  toGalleries(): UnitGallery[] {
    return this.units.map((heap, unit) => ({ unit, patches: heap.sorted() }));
  }
}
