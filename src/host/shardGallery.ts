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
import type { FolderImage, SkippedFile } from '../analysis/gallery/types';
import type { GalleryShardResult } from '../analysis/gallery/processImages';
import { runPoolJob, type GalleryPoolJob } from './galleryPool';
import { PeriodicSave } from './periodicSave';
import { errorMessage } from '../analysis/errors';

const CHECKPOINT_KIND = 'cnn-inspector-gallery-checkpoint';

export interface ShardRun extends GalleryPoolJob {
  folder: string;
  shard: { index: number; count: number };
  /** Everything of the part's key but the folder listing, which this run makes. */
  key: Omit<GalleryRunKey, 'folder'>;
  /** Where progress is saved and resumed from; none: no checkpoint. */
  checkpointFile?: string;
  /** Minimum time between two checkpoint saves (0: after every pool shard). */
  checkpointEveryMs: number;
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

/**
 * Removes the checkpoint once the run's file is written. The run's result is safe by then, so a
 * checkpoint that cannot be removed is only worth a warning (none if there is no such file).
 */
export async function removeCheckpoint(
  file: string | undefined,
  log: (line: string) => void,
): Promise<void> {
  if (!file) return;
  try {
    await rm(file, { force: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR')
      log(`could not remove the checkpoint ${file} (${errorMessage(error)})`);
  }
}

/** Runs the shard and returns its part (the checkpoint, if any, is left for the caller to remove). */
export async function runGalleryShard(run: ShardRun): Promise<GalleryPart> {
  const slice = await ShardSlice.list(run);
  const { images, unreadable } = await hashFolderImages(slice.absolutePaths(), run.signal);
  const progress = await resumeProgress(run, slice);
  await runWithCheckpoints(
    run,
    progress,
    images.filter((f) => !progress.done.has(slice.toRelative(f.path))),
  );
  const key = slice.key;
  const final = mergeBodies(key, [
    progress.body,
    {
      ...mergeBodies(key, []),
      // Links not followed belong to no slice: shard 0 lists them, so merged parts list them once.
      skipped: [...unreadable, ...(run.shard.index === 0 ? slice.notFollowed : [])].map((s) =>
        slice.relativeReason(s),
      ),
    },
  ]);
  const hashOf = new Map(images.map((f) => [slice.toRelative(f.path), f.hash]));
  return {
    kind: PART_KIND,
    schemaVersion: GALLERY_FILE_SCHEMA,
    shard: { index: run.shard.index, count: run.shard.count },
    ...key,
    files: slice.files.map((path) => ({ path, hash: hashOf.get(path) ?? null })),
    ...final,
  };
}

/** The shard's slice of the folder's sorted relative paths ('/' separators), and the part's key. */
class ShardSlice {
  private readonly relativeOf: Map<string, string>;

  private constructor(
    private readonly root: string,
    readonly files: string[],
    readonly key: GalleryRunKey,
    /** Links that were not followed (absolute paths). */
    readonly notFollowed: SkippedFile[],
  ) {
    this.relativeOf = new Map(files.map((rel) => [this.absolute(rel), rel]));
  }

  static async list(run: ShardRun): Promise<ShardSlice> {
    const root = resolve(run.folder);
    const { files: all, skipped: notFollowed } = await listRelativeImages(root);
    const key: GalleryRunKey = runKeyOf({
      ...run.key,
      folder: { fileCount: all.length, listHash: listHash(all) },
    });
    const [start, end] = shardRange(all.length, run.shard.index, run.shard.count);
    return new ShardSlice(root, all.slice(start, end), key, notFollowed);
  }

  absolutePaths(): string[] {
    return this.files.map((rel) => this.absolute(rel));
  }

  toRelative(path: string): string {
    return this.relativeOf.get(path) ?? relative(this.root, path).split(sep).join('/');
  }

  /** The skipped file by its relative path, also in the reason. */
  relativeReason(s: SkippedFile): SkippedFile {
    const rel = this.toRelative(s.file);
    return { file: rel, reason: s.reason.split(s.file).join(rel) };
  }

  private absolute(rel: string): string {
    return resolve(this.root, ...rel.split('/'));
  }
}

/** The shard's galleries and the files done so far, from the checkpoint and then each pool shard. */
interface ShardProgress {
  slice: ShardSlice;
  body: GalleryBody;
  /** Relative paths of the files done (run or skipped as undecodable). */
  done: Set<string>;
}

/** Starts from the run's checkpoint when there is one made for this shard, else from nothing. */
async function resumeProgress(run: ShardRun, slice: ShardSlice): Promise<ShardProgress> {
  const log = run.log ?? (() => {});
  const checkpoint = run.checkpointFile
    ? await loadCheckpoint(run.checkpointFile, slice.key, run.shard, new Set(slice.files), log)
    : undefined;
  const done = new Set(checkpoint?.done ?? []);
  if (checkpoint)
    log(
      `resuming from ${run.checkpointFile}: ${done.size} of ${slice.files.length} images already done`,
    );
  return { slice, body: checkpoint?.body ?? mergeBodies(slice.key, []), done };
}

/**
 * Runs the pool on the files, merging each pool shard into `progress` and saving the checkpoint at
 * most every `checkpointEveryMs`; on a failure, what finished before it is saved.
 */
async function runWithCheckpoints(
  run: ShardRun,
  progress: ShardProgress,
  files: FolderImage[],
): Promise<void> {
  const { slice } = progress;
  const log = run.log ?? (() => {});
  let checkpointFailed = false;
  const saves = new PeriodicSave(
    async () => {
      if (!run.checkpointFile) return;
      await saveCheckpoint(run.checkpointFile, {
        kind: CHECKPOINT_KIND,
        key: slice.key,
        shard: run.shard,
        done: [...progress.done].sort(byCodeUnits),
        body: progress.body,
      });
    },
    run.checkpointEveryMs,
    (error) => {
      if (checkpointFailed) return; // once is enough: the next saves fail the same way
      checkpointFailed = true;
      log(
        `could not save the checkpoint ${run.checkpointFile} (${errorMessage(error)}); the run goes on without it`,
      );
    },
  );
  const onShard = (shard: GalleryShardResult) => {
    progress.body = mergeBodies(slice.key, [progress.body, bodyOfShard(shard, slice)]);
    for (const f of shard.processed) progress.done.add(slice.toRelative(f.path));
    for (const s of shard.skipped) progress.done.add(slice.toRelative(s.file));
    void saves.due(); // the pool goes on while it is written
  };
  try {
    await runPoolJob(run, { backend: slice.key.backend, layer: slice.key.layer, files, onShard });
  } catch (error) {
    await saves.settled();
    await saves.now(); // whatever finished before the failure is kept
    throw error;
  }
  await saves.settled();
}

function bodyOfShard(shard: GalleryShardResult, slice: ShardSlice): GalleryBody {
  return {
    imageCount: shard.processed.length,
    skipped: shard.skipped.map((s) => slice.relativeReason(s)),
    histogramBins: [],
    galleries: shard.units.map((u) => ({
      unit: u.unit,
      patches: u.patches.map((p) => ({ ...p, file: slice.toRelative(p.file) })),
    })),
    unitStats: shard.unitStats,
  };
}
