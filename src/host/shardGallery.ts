/**
 * One shard of a dataset pass (`cnn-inspector gallery --shard i/n`), host side: list the folder,
 * take this shard's slice of the sorted relative paths, run the worker pool on it (the same pool
 * and per-image code as the panel's folder gallery), and return the part. Progress is saved to a
 * checkpoint file as shards of the pool finish, so a shard that is killed and rerun continues
 * where it was.
 */
import { createHash } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { relative, resolve, sep } from 'node:path';
import { hashFolderImages, listFolderImages } from '../analysis/gallery/folderImages';
import {
  GALLERY_FILE_SCHEMA,
  PART_KIND,
  byCodeUnits,
  keyMismatch,
  mergeBodies,
  runKeyOf,
  shardRange,
  type GalleryBody,
  type GalleryPart,
  type GalleryRunKey,
} from '../analysis/gallery/galleryFile';
import type { GalleryOptions, SkippedFile } from '../analysis/gallery/types';
import type { GalleryShardResult } from '../analysis/gallery/processImages';
import { GalleryPool, type GalleryPoolOptions, type GalleryProgress } from './galleryPool';
import type { WorkerClient } from './workerClient';
import type { ModelRef, WorkerConfig } from '../protocol/worker/workerProtocol';

const CHECKPOINT_KIND = 'cnn-inspector-gallery-checkpoint';

export interface ShardRun {
  folder: string;
  shard: { index: number; count: number };
  /** Everything of the part's key but the folder listing, which this run makes. */
  key: Omit<GalleryRunKey, 'folder'>;
  model: ModelRef;
  config: WorkerConfig;
  options: GalleryOptions;
  timeoutMs: number;
  pool: GalleryPoolOptions;
  /** The worker that loaded the model for the key, lent to the pool (see GalleryPoolRun). */
  warmWorker?: WorkerClient;
  /** Where progress is saved and resumed from; none: no checkpoint. */
  checkpointFile?: string;
  /** Minimum time between two checkpoint saves (0: after every pool shard). */
  checkpointEveryMs: number;
  signal?: AbortSignal;
  onProgress?: (progress: GalleryProgress) => void;
  log?: (line: string) => void;
}

interface Checkpoint {
  kind: typeof CHECKPOINT_KIND;
  key: GalleryRunKey;
  shard: { index: number; count: number };
  /** Relative paths of the files done (run or skipped as undecodable). */
  done: string[];
  body: GalleryBody;
}

/**
 * The folder's image files as sorted relative paths with '/' separators, and the links that were
 * not followed (absolute paths).
 */
export async function listRelativeImages(
  folder: string,
): Promise<{ files: string[]; skipped: SkippedFile[] }> {
  const root = resolve(folder);
  const listing = await listFolderImages(root);
  return {
    files: listing.files.map((p) => relative(root, p).split(sep).join('/')).sort(byCodeUnits),
    skipped: listing.skipped,
  };
}

export function listHash(relativePaths: readonly string[]): string {
  return createHash('sha256').update(relativePaths.join('\n')).digest('hex');
}

async function loadCheckpoint(
  file: string,
  key: GalleryRunKey,
  shard: ShardRun['shard'],
  slice: ReadonlySet<string>,
  log: (line: string) => void,
): Promise<Checkpoint | undefined> {
  let checkpoint: Checkpoint;
  try {
    checkpoint = JSON.parse(await readFile(file, 'utf8')) as Checkpoint;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      log(`${file}: unreadable checkpoint (${(error as Error).message}), starting over`);
    return undefined;
  }
  const why =
    checkpoint?.kind !== CHECKPOINT_KIND || !checkpoint.key || !checkpoint.body
      ? 'not a checkpoint'
      : checkpoint.shard?.index !== shard.index || checkpoint.shard?.count !== shard.count
        ? `made for shard ${checkpoint.shard?.index}/${checkpoint.shard?.count}`
        : keyMismatch(checkpoint.key, key)
          ? `made with another ${keyMismatch(checkpoint.key, key)!.field}`
          : !Array.isArray(checkpoint.done) || checkpoint.done.some((f) => !slice.has(f))
            ? 'lists files outside this shard'
            : undefined;
  if (why) {
    log(`${file}: ${why}, starting over`);
    return undefined;
  }
  return checkpoint;
}

async function saveCheckpoint(file: string, checkpoint: Checkpoint): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(checkpoint));
  await rename(temporary, file); // a kill never leaves half a checkpoint
}

export async function removeCheckpoint(file: string | undefined): Promise<void> {
  if (file) await rm(file, { force: true });
}

/** Runs the shard and returns its part (the checkpoint, if any, is left for the caller to remove). */
export async function runGalleryShard(run: ShardRun): Promise<GalleryPart> {
  const log = run.log ?? (() => {});
  const root = resolve(run.folder);
  const { files: all, skipped: notFollowed } = await listRelativeImages(root);
  const key: GalleryRunKey = runKeyOf({
    ...run.key,
    folder: { fileCount: all.length, listHash: listHash(all) },
  });
  const [start, end] = shardRange(all.length, run.shard.index, run.shard.count);
  const slice = all.slice(start, end);
  const absolute = (rel: string) => resolve(root, ...rel.split('/'));
  const relativeOf = new Map(slice.map((rel) => [absolute(rel), rel]));
  const toRelative = (path: string) =>
    relativeOf.get(path) ?? relative(root, path).split(sep).join('/');
  const { images, unreadable } = await hashFolderImages(slice.map(absolute), run.signal);
  const hashOf = new Map(images.map((f) => [toRelative(f.path), f.hash]));
  const files = slice.map((path) => ({ path, hash: hashOf.get(path) ?? null }));
  const relativeReason = (s: SkippedFile): SkippedFile => {
    const rel = toRelative(s.file);
    return { file: rel, reason: s.reason.split(s.file).join(rel) };
  };

  const checkpoint = run.checkpointFile
    ? await loadCheckpoint(run.checkpointFile, key, run.shard, new Set(slice), log)
    : undefined;
  let body: GalleryBody = checkpoint?.body ?? mergeBodies(key, []);
  const done = new Set(checkpoint?.done ?? []);
  if (checkpoint)
    log(`resuming from ${run.checkpointFile}: ${done.size} of ${slice.length} images already done`);
  const toRun = images.filter((f) => !done.has(toRelative(f.path)));

  let lastSave = Date.now();
  const save = async () => {
    if (!run.checkpointFile) return;
    await saveCheckpoint(run.checkpointFile, {
      kind: CHECKPOINT_KIND,
      key,
      shard: run.shard,
      done: [...done].sort(byCodeUnits),
      body,
    });
    lastSave = Date.now();
  };
  let saving: Promise<void> = Promise.resolve();
  const onShard = (shard: GalleryShardResult) => {
    body = mergeBodies(key, [body, bodyOfShard(shard, toRelative, relativeReason)]);
    for (const f of shard.processed) done.add(toRelative(f.path));
    for (const s of shard.skipped) done.add(toRelative(s.file));
    if (Date.now() - lastSave >= run.checkpointEveryMs) saving = saving.then(save);
  };
  try {
    await new GalleryPool(run.pool).run({
      backend: key.backend,
      config: run.config,
      model: run.model,
      layer: key.layer,
      files: toRun,
      options: run.options,
      timeoutMs: run.timeoutMs,
      warmWorker: run.warmWorker,
      signal: run.signal,
      onProgress: run.onProgress,
      onShard,
    });
  } catch (error) {
    await saving;
    await save(); // whatever finished before the failure is kept
    throw error;
  }
  await saving;
  const final = mergeBodies(key, [
    body,
    {
      ...mergeBodies(key, []),
      // Links not followed belong to no slice: shard 0 lists them, so merged parts list them once.
      skipped: [...unreadable, ...(run.shard.index === 0 ? notFollowed : [])].map(relativeReason),
    },
  ]);
  return {
    kind: PART_KIND,
    schemaVersion: GALLERY_FILE_SCHEMA,
    shard: { index: run.shard.index, count: run.shard.count },
    ...key,
    files,
    ...final,
  };
}

function bodyOfShard(
  shard: GalleryShardResult,
  toRelative: (path: string) => string,
  relativeReason: (s: SkippedFile) => SkippedFile,
): GalleryBody {
  return {
    imageCount: shard.processed.length,
    skipped: shard.skipped.map(relativeReason),
    histogramBins: [],
    galleries: shard.units.map((u) => ({
      unit: u.unit,
      patches: u.patches.map((p) => ({ ...p, file: toRelative(p.file) })),
    })),
    unitStats: shard.unitStats,
  };
}
