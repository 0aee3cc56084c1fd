// The files of a sharded dataset pass: one part per shard (`cnn-inspector gallery --shard i/n`)
// and the merged gallery (`cnn-inspector merge`, or `gallery` without --shard, which is the merge
// of its one part, so both write the same bytes). A part says what it was computed with (model
// code and weights hashes, backend, layer, top-k, NMS, the folder's listing) so that merge can
// refuse parts that do not belong together; paths are relative to the folder, so a merged file
// is portable. Merging is exact: top-k with a total order, unit statistics with exact sums.
import { LayerGalleries } from './boundedTopK';
import { histogramBinLabels, UnitStatsAccumulator, type UnitStats } from './unitStats';
import type { SkippedFile, UnitGallery } from './types';

export const GALLERY_FILE_SCHEMA = 1;
export const PART_KIND = 'cnn-inspector-gallery-part';
export const GALLERY_KIND = 'cnn-inspector-gallery';

/** What every part of one pass must agree on. */
export interface GalleryRunKey {
  /** `cnn-inspector <version>`: the code that ran the pass. */
  tool: string;
  model: { file: string; exportName: string; weightsHash: string; codeHash: string };
  backend: string;
  layer: string;
  units: number;
  /** [height, width] of the model input: the boxes' coordinate system. */
  inputSize: [number, number];
  topK: number;
  nmsIoU: number;
  /** The folder as every shard listed it: number of image files and sha256 of their sorted paths. */
  folder: { fileCount: number; listHash: string };
}

export interface GalleryBody {
  /** Images whose patches and statistics are included. */
  imageCount: number;
  /** Paths relative to the folder, sorted. */
  skipped: SkippedFile[];
  histogramBins: string[];
  galleries: UnitGallery[];
  unitStats: UnitStats[];
}

export interface GalleryPart extends GalleryRunKey, GalleryBody {
  kind: typeof PART_KIND;
  schemaVersion: number;
  shard: { index: number; count: number };
  /** The shard's slice of the folder: relative paths and content hashes (null: unreadable). */
  files: { path: string; hash: string | null }[];
}

export interface MergedGallery extends GalleryRunKey, GalleryBody {
  kind: typeof GALLERY_KIND;
  schemaVersion: number;
}

/** Compares two strings by UTF-16 code units: the same order on every machine and locale. */
export function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The half-open range [start, end) of sorted files that shard `index` of `count` takes. */
export function shardRange(fileCount: number, index: number, count: number): [number, number] {
  return [Math.floor((index * fileCount) / count), Math.floor(((index + 1) * fileCount) / count)];
}

/** Parses `i/n` (0 <= i < n). */
export function parseShard(text: string): { index: number; count: number } {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = match ? Number(match[1]) : NaN;
  const count = match ? Number(match[2]) : NaN;
  if (!match || !(count >= 1) || !(index < count))
    throw new RangeError(`--shard must be i/n with 0 <= i < n (e.g. 0/4), not '${text}'`);
  return { index, count };
}

/** A fresh object with the key's fields in a fixed order (so files compare byte for byte). */
export function runKeyOf(key: GalleryRunKey): GalleryRunKey {
  return {
    tool: key.tool,
    model: {
      file: key.model.file,
      exportName: key.model.exportName,
      weightsHash: key.model.weightsHash,
      codeHash: key.model.codeHash,
    },
    backend: key.backend,
    layer: key.layer,
    units: key.units,
    inputSize: [key.inputSize[0], key.inputSize[1]],
    topK: key.topK,
    nmsIoU: key.nmsIoU,
    folder: { fileCount: key.folder.fileCount, listHash: key.folder.listHash },
  };
}

/** The first field (dotted path) where two keys differ, with both values; undefined if equal. */
export function keyMismatch(
  a: GalleryRunKey,
  b: GalleryRunKey,
): { field: string; a: unknown; b: unknown } | undefined {
  const flat = (key: GalleryRunKey): [string, unknown][] => {
    const k = runKeyOf(key);
    return [
      ['tool', k.tool],
      ['model.file', k.model.file],
      ['model.exportName', k.model.exportName],
      ['model.codeHash', k.model.codeHash],
      ['model.weightsHash', k.model.weightsHash],
      ['backend', k.backend],
      ['layer', k.layer],
      ['units', k.units],
      ['inputSize', k.inputSize.join('x')],
      ['topK', k.topK],
      ['nmsIoU', k.nmsIoU],
      ['folder.fileCount', k.folder.fileCount],
      ['folder.listHash', k.folder.listHash],
    ];
  };
  const fb = new Map(flat(b));
  for (const [field, value] of flat(a)) {
    if (fb.get(field) !== value) return { field, a: value, b: fb.get(field) };
  }
  return undefined;
}

/** Galleries and statistics of several bodies added together, in a canonical form. */
export function mergeBodies(key: GalleryRunKey, bodies: readonly GalleryBody[]): GalleryBody {
  const galleries = new LayerGalleries(key.units, key.topK);
  const stats = new UnitStatsAccumulator(key.units);
  const skipped: SkippedFile[] = [];
  let imageCount = 0;
  for (const body of bodies) {
    galleries.merge(body.galleries);
    stats.merge(body.unitStats);
    skipped.push(...body.skipped);
    imageCount += body.imageCount;
  }
  return {
    imageCount,
    skipped: skipped
      .sort((a, b) => byCodeUnits(a.file, b.file))
      .map((s) => ({ file: s.file, reason: s.reason })),
    histogramBins: histogramBinLabels(),
    galleries: galleries.toGalleries().map((g) => ({
      unit: g.unit,
      patches: g.patches.map((p) => ({
        file: p.file,
        fileHash: p.fileHash,
        y: p.y,
        x: p.x,
        value: p.value,
        box: p.box,
        clipped: p.clipped,
      })),
    })),
    unitStats: stats.toStats(),
  };
}

export function mergedGallery(key: GalleryRunKey, bodies: readonly GalleryBody[]): MergedGallery {
  return {
    kind: GALLERY_KIND,
    schemaVersion: GALLERY_FILE_SCHEMA,
    ...runKeyOf(key),
    ...mergeBodies(key, bodies),
  };
}

/** JSON with one field per line but arrays of numbers or strings on one line (boxes, histograms). */
function compactJson(value: unknown, indent: string): string {
  if (Array.isArray(value)) {
    if (value.every((v) => v === null || typeof v !== 'object'))
      return `[${value.map((v) => JSON.stringify(v)).join(', ')}]`;
    const inner = indent + ' ';
    return `[\n${value.map((v) => inner + compactJson(v, inner)).join(',\n')}\n${indent}]`;
  }
  if (value !== null && typeof value === 'object') {
    const inner = indent + ' ';
    const fields = Object.entries(value).filter(([, v]) => v !== undefined);
    if (fields.length === 0) return '{}';
    return `{\n${fields.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${compactJson(v, inner)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}

/** What every command writes: compact JSON with a final newline. */
export function galleryFileText(value: GalleryPart | MergedGallery): string {
  return `${compactJson(value, '')}\n`;
}
