/**
 * A folder gallery from start to end, on the host side (extension or CLI): list and hash the
 * folder's images, reuse the cache, run the pool on what is new, merge its shards as they arrive,
 * and save the cache (also after a cancel: every merged shard is exact for the files it covers).
 */
import { LayerGalleries } from '../analysis/gallery/boundedTopK';
import { hashFolderImages, listFolderImages } from '../analysis/gallery/folderImages';
import {
  GALLERY_CACHE_VERSION,
  loadGalleryCache,
  planGalleryUpdate,
  saveGalleryCache,
  type GalleryCacheKey,
  type GalleryUpdatePlan,
} from '../analysis/gallery/galleryCache';
import { basename } from 'node:path';
import type {
  GalleryOptions,
  GalleryPatch,
  SkippedFile,
  UnitGallery,
} from '../analysis/gallery/types';
import type { UnitStats } from '../analysis/gallery/unitStats';
import type { CropView, FolderGalleryView } from '../protocol/galleryMessages';
import type { GalleryInfo } from '../protocol/worker/galleryProtocol';
import { GalleryPool, type GalleryPoolOptions, type GalleryProgress } from './galleryPool';
import type { ModelRef, WorkerConfig } from '../protocol/worker/workerProtocol';
import type { WorkerClient } from './workerClient';

export interface FolderGalleryRun {
  folder: string;
  /** Where the cache lives (the extension's storage folder); none: no cache. */
  cacheDir?: string;
  /** From a `galleryInfo` request on the model: layer, unit count and the hashes of the cache key. */
  info: GalleryInfo;
  model: ModelRef;
  /** The export the model resolved to (the cache key names it). */
  exportName: string;
  config: WorkerConfig;
  options: GalleryOptions;
  timeoutMs: number;
  pool: GalleryPoolOptions;
  /** The worker that answered `info`, lent to the pool as its first worker (see GalleryPoolRun). */
  warmWorker?: WorkerClient;
  signal?: AbortSignal;
  onProgress?: (progress: GalleryProgress) => void;
  /** Called after each merged shard with the galleries so far. */
  onPartial?: (partial: FolderGalleryResult) => void;
  /** Save the cache at most this often while running (default 15 s); always at the end. */
  saveIntervalMs?: number;
}

const DEFAULT_SAVE_INTERVAL_MS = 15_000;

export interface FolderGalleryResult {
  folder: string;
  layer: string;
  topK: number;
  units: UnitGallery[];
  /** Images whose patches are in the galleries. */
  imageCount: number;
  skipped: SkippedFile[];
  /** Images taken from the cache, and run now. */
  fromCache: number;
  computed: number;
  cache: GalleryUpdatePlan['why'] | 'no cache folder' | 'gallery file';
  complete: boolean;
  /** The gallery file it was read from (`cnn-inspector merge`), when not built here. */
  source?: string;
  /** Unit health over the images, when known (gallery files carry it). */
  unitStats?: UnitStats[];
}

/** The panel's (and the report's) view of a folder gallery, with the crops made so far. */
export function folderGalleryView(
  result: FolderGalleryResult,
  cropOf: (patch: GalleryPatch, unitIndex: number) => CropView | undefined,
): FolderGalleryView {
  return {
    folder: result.folder,
    layer: result.layer,
    topK: result.topK,
    complete: result.complete,
    imageCount: result.imageCount,
    cache: result.cache,
    skipped: result.skipped,
    ...(result.source ? { source: result.source } : {}),
    ...(result.unitStats ? { unitStats: result.unitStats } : {}),
    units: result.units.map((u, i) => ({
      unit: u.unit,
      patches: u.patches.map((p) => {
        const crop = cropOf(p, i);
        return {
          file: p.file,
          fileName: basename(p.file),
          y: p.y,
          x: p.x,
          value: p.value,
          box: p.box,
          clipped: p.clipped,
          ...(crop ? { crop } : {}),
        };
      }),
    })),
  };
}

/** The folder's paths of each content hash (identical files are run once, but each is listed). */
function pathsByHash(images: readonly { path: string; hash: string }[]): Map<string, string[]> {
  const paths = new Map<string, string[]>();
  for (const { path, hash } of images) paths.set(hash, [...(paths.get(hash) ?? []), path]);
  return paths;
}

/** A skipped file and every identical copy of it, each with the reason naming that copy. */
function everyCopy(
  skipped: SkippedFile,
  copies: readonly string[] = [skipped.file],
): SkippedFile[] {
  return copies.map((file) => ({ file, reason: skipped.reason.split(skipped.file).join(file) }));
}

export async function buildFolderGallery(run: FolderGalleryRun): Promise<FolderGalleryResult> {
  const listing = await listFolderImages(run.folder);
  const { images, unreadable } = await hashFolderImages(listing.files, run.signal);
  const pathsOf = pathsByHash(images);
  const key: GalleryCacheKey = {
    modelFile: run.model.file,
    exportName: run.exportName,
    layer: run.info.layer,
    topK: run.options.topK,
    nmsIoU: run.options.nmsIoU,
    weightsHash: run.info.weightsHash,
    bundleHash: run.info.bundleHash,
    engine: run.info.engine,
  };
  const entry = run.cacheDir
    ? await loadGalleryCache(run.cacheDir, key, { unitCount: run.info.units, log: run.pool.log })
    : undefined;
  const plan = planGalleryUpdate(entry, images);
  const galleries = new LayerGalleries(run.info.units, run.options.topK);
  galleries.merge(plan.base);
  const processed = new Map(plan.known.map((f) => [f.hash, f.path]));
  const skipped = new Map(plan.knownSkipped.map((s) => [s.hash, s]));
  let computed = 0;
  const snapshot = (complete: boolean): FolderGalleryResult => ({
    folder: run.folder,
    layer: run.info.layer,
    topK: run.options.topK,
    units: galleries.toGalleries(),
    imageCount: processed.size,
    skipped: [
      ...listing.skipped,
      ...unreadable,
      ...[...skipped.values()].flatMap((s) => everyCopy(s, pathsOf.get(s.hash))),
    ].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0)),
    fromCache: plan.known.length,
    computed,
    cache: run.cacheDir ? plan.why : 'no cache folder',
    complete,
  });
  const writeCache = async () => {
    if (!run.cacheDir || (computed === 0 && entry)) return;
    await saveGalleryCache(run.cacheDir, {
      version: GALLERY_CACHE_VERSION,
      key,
      processed: Object.fromEntries(processed),
      skipped: Object.fromEntries(
        [...skipped].map(([h, s]) => [h, { file: s.file, reason: s.reason }]),
      ),
      units: galleries.toGalleries(),
    });
  };
  // Saves run one after the other; while the pool runs, at most one per interval, so a run that is
  // killed (the editor closed, the process ended) keeps what it had computed until shortly before.
  let saving = Promise.resolve();
  let lastSave = Date.now();
  const save = () => {
    lastSave = Date.now();
    saving = saving.then(writeCache).catch((error: unknown) => {
      run.pool.log?.(`Could not save the gallery cache: ${(error as Error).message}`);
    });
    return saving;
  };
  const saveInterval = run.saveIntervalMs ?? DEFAULT_SAVE_INTERVAL_MS;
  try {
    await new GalleryPool(run.pool).run({
      backend: run.info.backend,
      config: run.config,
      model: run.model,
      layer: run.info.layer,
      files: plan.toProcess,
      options: run.options,
      timeoutMs: run.timeoutMs,
      warmWorker: run.warmWorker,
      signal: run.signal,
      onProgress: run.onProgress,
      onShard: (shard) => {
        galleries.merge(shard.units);
        for (const f of shard.processed) processed.set(f.hash, f.path);
        for (const s of shard.skipped) skipped.set(s.hash, s);
        computed += shard.processed.length + shard.skipped.length;
        run.onPartial?.(snapshot(false));
        if (Date.now() - lastSave >= saveInterval) return save();
      },
    });
  } finally {
    await save();
  }
  return snapshot(true);
}
