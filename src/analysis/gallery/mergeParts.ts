// `cnn-inspector merge part-*.json`: checks that the parts are the n shards of one pass (same
// model, weights, backend, layer, top-k, NMS, folder listing; every index 0..n-1 exactly once)
// and adds them up. Each refusal names the part and the field that does not match.
import { InspectorError } from '../errors';
import { HISTOGRAM_BINS } from './unitStats';
import {
  GALLERY_FILE_SCHEMA,
  GALLERY_KIND,
  PART_KIND,
  keyMismatch,
  mergedGallery,
  shardRange,
  type GalleryPart,
  type MergedGallery,
} from './galleryFile';

export interface NamedPart {
  /** The file it was read from, for messages. */
  name: string;
  part: GalleryPart;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;

type FileKind = typeof PART_KIND | typeof GALLERY_KIND;

/** The first structural problem of a parsed part or gallery file, or undefined when it looks right. */
function fileProblem(value: unknown, kind: FileKind): string | undefined {
  if (!isObject(value)) return 'not a JSON object';
  return (
    headerProblem(value, kind) ??
    passProblem(value) ??
    galleriesProblem(value.galleries, value.units as number) ??
    unitStatsProblem(value.unitStats, value.units as number)
  );
}

/** Kind, schema version, and for a part its shard and file list. */
function headerProblem(value: Record<string, unknown>, kind: FileKind): string | undefined {
  if (value.kind !== kind) {
    const what = kind === PART_KIND ? 'gallery part' : 'merged gallery file';
    return `not a ${what} (kind ${JSON.stringify(value.kind)}, expected '${kind}')`;
  }
  if (value.schemaVersion !== GALLERY_FILE_SCHEMA)
    return `schema version ${JSON.stringify(value.schemaVersion)}, this cnn-inspector reads ${GALLERY_FILE_SCHEMA}`;
  if (kind === PART_KIND) {
    const shard = value.shard;
    if (!isObject(shard) || !isCount(shard.index) || !isCount(shard.count) || shard.count < 1)
      return 'no valid "shard" {index, count}';
    if (!Array.isArray(value.files)) return 'no "files" list';
  }
  return undefined;
}

/** What the pass ran: model, tool, backend, layer, sizes, folder listing. */
function passProblem(value: Record<string, unknown>): string | undefined {
  const model = value.model;
  if (
    !isObject(model) ||
    !['file', 'exportName', 'weightsHash', 'codeHash'].every((k) => typeof model[k] === 'string')
  )
    return 'no valid "model" {file, exportName, weightsHash, codeHash}';
  for (const k of ['tool', 'backend', 'layer'])
    if (typeof value[k] !== 'string') return `no valid "${k}"`;
  for (const k of ['units', 'topK', 'imageCount']) if (!isCount(value[k])) return `no valid "${k}"`;
  if (typeof value.nmsIoU !== 'number') return 'no valid "nmsIoU"';
  if (!Array.isArray(value.inputSize) || value.inputSize.length !== 2)
    return 'no valid "inputSize"';
  const folder = value.folder;
  if (!isObject(folder) || !isCount(folder.fileCount) || typeof folder.listHash !== 'string')
    return 'no valid "folder" {fileCount, listHash}';
  if (!Array.isArray(value.skipped)) return 'no "skipped" list';
  return undefined;
}

function galleriesProblem(galleries: unknown, units: number): string | undefined {
  if (!Array.isArray(galleries) || galleries.length !== units)
    return `"galleries" must list the layer's ${units} units`;
  for (const g of galleries as unknown[]) {
    if (!isObject(g) || !isCount(g.unit) || g.unit >= units || !Array.isArray(g.patches))
      return 'a "galleries" entry is not {unit, patches}';
    if (!(g.patches as unknown[]).every(isPatch))
      return `a patch of unit ${g.unit} is not {file, value, y, x, box}`;
  }
  return undefined;
}

function isPatch(p: unknown): boolean {
  return (
    isObject(p) &&
    typeof p.file === 'string' &&
    typeof p.value === 'number' &&
    isCount(p.y) &&
    isCount(p.x) &&
    Array.isArray(p.box)
  );
}

function unitStatsProblem(unitStats: unknown, units: number): string | undefined {
  if (!Array.isArray(unitStats) || unitStats.length !== units)
    return `"unitStats" must list the layer's ${units} units`;
  for (const s of unitStats as unknown[]) {
    if (
      !isObject(s) ||
      !isCount(s.unit) ||
      typeof s.sum !== 'string' ||
      !Array.isArray(s.histogram) ||
      s.histogram.length !== HISTOGRAM_BINS
    )
      return 'a "unitStats" entry is not {unit, sum, histogram, ...}';
  }
  return undefined;
}

function parseFile(name: string, text: string, kind: FileKind) {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InspectorError('usage', `${name}: not JSON (${(error as Error).message}).`);
  }
  const problem = fileProblem(value, kind);
  if (problem) throw new InspectorError('usage', `${name}: ${problem}.`);
  return value;
}

/** Parses a part file's text, or throws naming the file and what is wrong. */
export function parsePart(name: string, text: string): GalleryPart {
  return parseFile(name, text, PART_KIND) as GalleryPart;
}

/** Parses a merged gallery file (`merge`, or `gallery` without --shard), or throws naming it. */
export function parseMergedGallery(name: string, text: string): MergedGallery {
  return parseFile(name, text, GALLERY_KIND) as MergedGallery;
}

const show = (v: unknown) => (typeof v === 'string' ? `'${v}'` : String(v));

/** Checks that the parts are exactly the shards of one pass, then merges them. */
export function mergeParts(parts: readonly NamedPart[]): MergedGallery {
  if (parts.length === 0) throw new InspectorError('usage', 'merge needs at least one part file.');
  const [first] = parts;
  const count = first.part.shard.count;
  const byIndex = new Map<number, string>();
  for (const { name, part } of parts) {
    const mismatch = keyMismatch(part, first.part);
    if (mismatch) {
      throw new InspectorError(
        'usage',
        `${name} does not belong with ${first.name}: ${mismatch.field} is ${show(mismatch.a)} there, ${show(mismatch.b)} in ${first.name}.`,
      );
    }
    if (part.shard.count !== count) {
      throw new InspectorError(
        'usage',
        `${name} does not belong with ${first.name}: it is shard ${part.shard.index}/${part.shard.count}, ${first.name} is one of ${count} shards.`,
      );
    }
    const twin = byIndex.get(part.shard.index);
    if (twin !== undefined)
      throw new InspectorError(
        'usage',
        `${name} and ${twin} are both shard ${part.shard.index}/${count}.`,
      );
    byIndex.set(part.shard.index, name);
    const [start, end] = shardRange(part.folder.fileCount, part.shard.index, count);
    if (part.files.length !== end - start)
      throw new InspectorError(
        'usage',
        `${name}: shard ${part.shard.index}/${count} of ${part.folder.fileCount} files should list ${end - start} files, it lists ${part.files.length}.`,
      );
  }
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (missing.length) {
    throw new InspectorError(
      'usage',
      `missing shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')} (got ${parts.length} of ${count} parts).`,
    );
  }
  return mergedGallery(
    first.part,
    parts.map((p) => p.part),
  );
}
