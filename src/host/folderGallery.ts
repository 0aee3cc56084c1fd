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
import type { GalleryPatch, SkippedFile, UnitGallery } from '../analysis/gallery/types';
import type { UnitStats } from '../analysis/gallery/unitStats';
import type { CropView, FolderGalleryView } from '../protocol/galleryMessages';
import type { GalleryInfo } from '../protocol/worker/galleryProtocol';
import type { GalleryShardResult } from '../analysis/gallery/processImages';
import { runPoolJob, type GalleryPoolJob } from './galleryPool';
import { PeriodicSave } from './periodicSave';
import { errorMessage } from '../analysis/errors';

export interface FolderGalleryRun extends GalleryPoolJob {
  folder: string;
  /** Where the cache lives (the extension's storage folder); none: no cache. */
  cacheDir?: string;
  /** From a `galleryInfo` request on the model: layer, unit count and the hashes of the cache key. */
  info: GalleryInfo;
  /** The export the model resolved to (the cache key names it). */
  exportName: string;
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
  const key = cacheKeyOf(run);
  const entry = run.cacheDir
    ? await loadGalleryCache(run.cacheDir, key, { unitCount: run.info.units, log: run.pool.log })
    : undefined;
  const plan = planGalleryUpdate(entry, images);
  const state = new FolderGalleryState(run, plan, {
    unlisted: [...listing.skipped, ...unreadable],
    pathsOf: pathsByHash(images),
  });
  const saves = new PeriodicSave(
    () => writeCache(run, key, state, entry !== undefined),
    run.saveIntervalMs ?? DEFAULT_SAVE_INTERVAL_MS,
    (error) => run.pool.log?.(`Could not save the gallery cache: ${errorMessage(error)}`),
  );
  try {
    await runPoolJob(run, {
      backend: run.info.backend,
      layer: run.info.layer,
      files: plan.toProcess,
      onShard: (shard) => {
        state.merge(shard);
        run.onPartial?.(state.snapshot(false));
        return saves.due();
      },
    });
  } finally {
    await saves.now();
  }
  return state.snapshot(true);
}

function cacheKeyOf(run: FolderGalleryRun): GalleryCacheKey {
  return {
    modelFile: run.model.file,
    exportName: run.exportName,
    layer: run.info.layer,
    topK: run.options.topK,
    nmsIoU: run.options.nmsIoU,
    weightsHash: run.info.weightsHash,
    bundleHash: run.info.bundleHash,
    engine: run.info.engine,
  };
}

/** The galleries and the files done so far: the cache's part, then each shard as it arrives. */
class FolderGalleryState {
  private readonly galleries: LayerGalleries;
  /** Path of each content hash whose patches are in the galleries. */
  readonly processed: Map<string, string>;
  readonly skipped: Map<string, SkippedFile & { hash: string }>;
  /** Images run now (not taken from the cache). */
  computed = 0;

  constructor(
    private readonly run: FolderGalleryRun,
    private readonly plan: GalleryUpdatePlan,
    /** Files skipped before hashing, and the folder's paths of each hash. */
    private readonly listing: { unlisted: SkippedFile[]; pathsOf: Map<string, string[]> },
  ) {
    this.galleries = new LayerGalleries(run.info.units, run.options.topK);
    this.galleries.merge(plan.base);
    this.processed = new Map(plan.known.map((f) => [f.hash, f.path]));
    this.skipped = new Map(plan.knownSkipped.map((s) => [s.hash, s]));
  }

  merge(shard: GalleryShardResult): void {
    this.galleries.merge(shard.units);
    for (const f of shard.processed) this.processed.set(f.hash, f.path);
    for (const s of shard.skipped) this.skipped.set(s.hash, s);
    this.computed += shard.processed.length + shard.skipped.length;
  }

  units(): UnitGallery[] {
    return this.galleries.toGalleries();
  }

  snapshot(complete: boolean): FolderGalleryResult {
    const { run, plan, listing } = this;
    return {
      folder: run.folder,
      layer: run.info.layer,
      topK: run.options.topK,
      units: this.units(),
      imageCount: this.processed.size,
      skipped: [
        ...listing.unlisted,
        ...[...this.skipped.values()].flatMap((s) => everyCopy(s, listing.pathsOf.get(s.hash))),
      ].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0)),
      fromCache: plan.known.length,
      computed: this.computed,
      cache: run.cacheDir ? plan.why : 'no cache folder',
      complete,
    };
  }
}

/** Saves the cache, unless nothing was run on a cache that was there. */
async function writeCache(
  run: FolderGalleryRun,
  key: GalleryCacheKey,
  state: FolderGalleryState,
  hadCache: boolean,
): Promise<void> {
  if (!run.cacheDir || (state.computed === 0 && hadCache)) return;
  await saveGalleryCache(run.cacheDir, {
    version: GALLERY_CACHE_VERSION,
    key,
    processed: Object.fromEntries(state.processed),
    skipped: Object.fromEntries(
      [...state.skipped].map(([h, s]) => [h, { file: s.file, reason: s.reason }]),
    ),
    units: state.units(),
  });
}
