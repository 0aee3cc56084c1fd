// On-disk cache of folder galleries, in the extension's storage folder (or any folder given).
// One file per (model file, export, layer, top-k, NMS); inside, the hashes of the weights and of the
// model's bundled code it was built with, the engine that computed it (ONNX Runtime or TensorFlow.js
// and its version: they round differently, so their patches never mix), and the content hash of every file it has seen. A changed
// hash throws the entry away; new files are processed and merged in; removed files are dropped
// (which needs a recomputation only when one of them held a place in some unit's top-k).
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FolderImage, SkippedFile, UnitGallery } from './types';
import {
  GALLERY_CACHE_VERSION,
  validateGalleryCache,
  type GalleryCacheEntry,
  type GalleryCacheKey,
} from './galleryCacheSchema';

export { GALLERY_CACHE_VERSION, type GalleryCacheEntry, type GalleryCacheKey };

export function galleryCacheFile(cacheDir: string, key: GalleryCacheKey): string {
  const slot = createHash('sha256')
    .update(JSON.stringify([key.modelFile, key.exportName, key.layer, key.topK, key.nmsIoU]))
    .digest('hex')
    .slice(0, 32);
  return join(cacheDir, 'galleries', `${slot}.json`);
}

function sameKey(a: GalleryCacheKey, b: GalleryCacheKey): boolean {
  return (Object.keys(b) as (keyof GalleryCacheKey)[]).every((k) => a[k] === b[k]);
}

export interface LoadCacheOptions {
  /** The layer's number of units: a cached unit index must be below it. */
  unitCount?: number;
  /** Where a discarded file is reported. */
  log?: (line: string) => void;
}

/**
 * The cached entry for exactly this key, or undefined: absent, built by other weights or code, or
 * invalid. An invalid file (not JSON, or not the cache format: see galleryCacheSchema) is deleted
 * with a log line, so the gallery is rebuilt and the bad file never read again.
 */
export async function loadGalleryCache(
  cacheDir: string,
  key: GalleryCacheKey,
  options: LoadCacheOptions = {},
): Promise<GalleryCacheEntry | undefined> {
  const file = galleryCacheFile(cacheDir, key);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined; // none yet
  }
  const discard = async (reason: string) => {
    options.log?.(
      `Gallery cache ${file} is invalid (${reason}): discarded, the gallery is rebuilt.`,
    );
    await rm(file, { force: true });
    return undefined;
  };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return discard(`not JSON: ${(error as Error).message}`);
  }
  const version = (data as { version?: unknown } | null)?.version;
  if (typeof version === 'number' && version < GALLERY_CACHE_VERSION) {
    return undefined; // an older format, not a damaged file: replaced by this run's save
  }
  const checked = validateGalleryCache(data, options.unitCount);
  if (!checked.valid) return discard(checked.reason);
  // A valid entry of other weights or code: the normal way a cache goes stale, replaced on save.
  return sameKey(checked.entry.key, key) ? checked.entry : undefined;
}

export async function saveGalleryCache(cacheDir: string, entry: GalleryCacheEntry): Promise<void> {
  const file = galleryCacheFile(cacheDir, entry.key);
  await mkdir(join(cacheDir, 'galleries'), { recursive: true });
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temporary, JSON.stringify(entry));
  await rename(temporary, file); // readers never see half a file
}

export interface GalleryUpdatePlan {
  /** Galleries to start from (the cache's, paths updated), empty when recomputing. */
  base: UnitGallery[];
  /** Files already in `base`. */
  known: FolderImage[];
  /** Files known to be unreadable (from the cache). */
  knownSkipped: (SkippedFile & { hash: string })[];
  /** Files to run: new or changed content. */
  toProcess: FolderImage[];
  why: 'no cache' | 'up to date' | 'new files' | 'removed files held top places';
}

/** Decides what a run must do, given the cache entry (if any) and the folder's files now. */
export function planGalleryUpdate(
  entry: GalleryCacheEntry | undefined,
  images: readonly FolderImage[],
): GalleryUpdatePlan {
  const pathOf = new Map<string, string>();
  for (const image of images) if (!pathOf.has(image.hash)) pathOf.set(image.hash, image.path);
  const unique = [...pathOf].map(([hash, path]) => ({ hash, path }));
  const fresh = (why: GalleryUpdatePlan['why']): GalleryUpdatePlan => ({
    base: [],
    known: [],
    knownSkipped: [],
    toProcess: unique,
    why,
  });
  if (!entry) return fresh('no cache');
  const removedHeldPlace = entry.units.some((u) => u.patches.some((p) => !pathOf.has(p.fileHash)));
  if (removedHeldPlace) return fresh('removed files held top places');
  const base = entry.units.map((u) => ({
    unit: u.unit,
    patches: u.patches.map((p) => ({ ...p, file: pathOf.get(p.fileHash)! })),
  }));
  const known = unique.filter((f) => f.hash in entry.processed);
  const knownSkipped = unique
    .filter((f) => f.hash in entry.skipped)
    .map((f) => {
      // The reason names the file the cache saw; it may have been renamed since.
      const { file, reason } = entry.skipped[f.hash];
      return { file: f.path, reason: reason.split(file).join(f.path), hash: f.hash };
    });
  const toProcess = unique.filter(
    (f) => !(f.hash in entry.processed) && !(f.hash in entry.skipped),
  );
  return {
    base,
    known,
    knownSkipped,
    toProcess,
    why: toProcess.length ? 'new files' : 'up to date',
  };
}
