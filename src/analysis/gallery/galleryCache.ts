// On-disk cache of folder galleries, in the extension's storage folder (or any folder given).
// One file per (model file, export, layer, top-k, NMS); inside, the hashes of the weights and of the
// model's bundled code it was built with, and the content hash of every file it has seen. A changed
// hash throws the entry away; new files are processed and merged in; removed files are dropped
// (which needs a recomputation only when one of them held a place in some unit's top-k).
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FolderImage, SkippedFile, UnitGallery } from './types';

export const GALLERY_CACHE_VERSION = 1;

export interface GalleryCacheKey {
  modelFile: string;
  exportName: string;
  layer: string;
  topK: number;
  nmsIoU: number;
  /** sha256 of the weights the layer depends on. */
  weightsHash: string;
  /** sha256 of the model file's bundled code (its imports included). */
  bundleHash: string;
}

export interface GalleryCacheEntry {
  version: number;
  key: GalleryCacheKey;
  /** Content hash -> path of every file whose patches are merged into `units`. */
  processed: Record<string, string>;
  /** Content hash -> why it was skipped (not retried until its content changes). */
  skipped: Record<string, SkippedFile>;
  units: UnitGallery[];
}

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

/** The cached entry for exactly this key, or undefined (absent, corrupt, or built by other weights/code). */
export async function loadGalleryCache(
  cacheDir: string,
  key: GalleryCacheKey,
): Promise<GalleryCacheEntry | undefined> {
  let entry: GalleryCacheEntry;
  try {
    entry = JSON.parse(
      await readFile(galleryCacheFile(cacheDir, key), 'utf8'),
    ) as GalleryCacheEntry;
  } catch {
    return undefined;
  }
  if (entry?.version !== GALLERY_CACHE_VERSION || !entry.key || !sameKey(entry.key, key))
    return undefined;
  if (!Array.isArray(entry.units) || typeof entry.processed !== 'object') return undefined;
  return entry;
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
    .map((f) => ({ ...entry.skipped[f.hash], file: f.path, hash: f.hash }));
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
