// The image files of a gallery folder and their content hashes (what the cache knows them by).
import { createHash } from 'node:crypto';
import { readdir, readlink, realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { InspectorError } from '../errors';
import { DEFAULT_MAX_MEGAPIXELS, maxImageFileBytes } from '../image/imageLimits';
import { readRegularFile } from '../regularFile';
import type { FolderImage, SkippedFile } from './types';

const IMAGE_FILE = /\.(png|jpe?g)$/i;

export interface FolderListing {
  /** Image files (through the links followed), sorted by path. */
  files: string[];
  /** Links not followed and sub-folders that cannot be read, with the reason. */
  skipped: SkippedFile[];
}

/**
 * PNG and JPEG files under `folder` (sub-folders included, hidden ones not), sorted by path.
 * Symbolic links (how git-annex and DVC store datasets) are followed when their target is inside
 * the folder's tree, so the gallery reads nothing the user did not choose; a link that leaves the
 * tree, a broken one, and a folder link that repeats a folder already walked (a loop) are listed as
 * skipped with the reason. Real sub-folders are walked before linked ones, so a link never hides a
 * folder's own path.
 */
export async function listFolderImages(folder: string): Promise<FolderListing> {
  let root: string;
  try {
    root = await realpath(folder);
  } catch (error) {
    throw new InspectorError(
      'usage',
      `${folder}: cannot read the folder (${(error as Error).message}).`,
    );
  }
  const walk = new FolderWalk(folder, root);
  await walk.run();
  return {
    files: walk.files.sort(),
    skipped: walk.skipped.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0)),
  };
}

class FolderWalk {
  readonly files: string[] = [];
  readonly skipped: SkippedFile[] = [];
  /** Real paths of the folders walked: a folder link to one of them is a repeat or a loop. */
  private readonly visited = new Set<string>();
  private readonly folders: { path: string; real: string }[] = [];
  private readonly links: string[] = [];

  constructor(
    private readonly folder: string,
    private readonly root: string,
  ) {}

  async run(): Promise<void> {
    this.enter(this.folder, this.root);
    while (this.folders.length || this.links.length) {
      const next = this.folders.shift();
      if (next) await this.readFolder(next.path, next.real);
      else await this.follow(this.links.shift()!);
    }
  }

  private enter(path: string, real: string): void {
    this.visited.add(real);
    this.folders.push({ path, real });
  }

  private inside(real: string): boolean {
    return real === this.root || real.startsWith(this.root + sep);
  }

  private skip(file: string, why: string): void {
    this.skipped.push({ file, reason: `${file}: ${why}.` });
  }

  private async readFolder(path: string, real: string): Promise<void> {
    let entries;
    try {
      entries = await readdir(path, { withFileTypes: true });
    } catch (error) {
      if (path === this.folder) {
        throw new InspectorError(
          'usage',
          `${path}: cannot read the folder (${(error as Error).message}).`,
        );
      }
      this.skip(path, `cannot read the folder (${(error as Error).message})`);
      return;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const child = join(path, entry.name);
      if (entry.isDirectory()) this.enter(child, join(real, entry.name));
      else if (entry.isSymbolicLink()) this.links.push(child);
      // Anything else with an image's name (a pipe, a device) is listed, and refused when read.
      else if (IMAGE_FILE.test(entry.name)) this.files.push(child);
    }
  }

  private async follow(link: string): Promise<void> {
    let target: string;
    try {
      target = await realpath(link);
    } catch {
      // Only a link named like an image is worth a line: a broken link could be anything.
      if (IMAGE_FILE.test(link)) {
        const text = await readlink(link).catch(() => '?');
        this.skip(link, `a broken symbolic link (to ${text}, which does not exist)`);
      }
      return;
    }
    const info = await stat(target).catch(() => undefined);
    if (info?.isDirectory()) {
      if (!this.inside(target)) {
        this.skip(
          link,
          `a symbolic link to the folder ${target}, outside the folder ${this.root}: not followed`,
        );
      } else if (this.visited.has(target)) {
        this.skip(link, `a symbolic link to the folder ${target}, already included: not followed`);
      } else {
        this.enter(link, target);
      }
      return;
    }
    if (!IMAGE_FILE.test(link)) return;
    if (this.inside(target)) this.files.push(link);
    else
      this.skip(
        link,
        `a symbolic link to ${target}, outside the folder ${this.root}: not followed (for git-annex or DVC, choose a folder that holds the link targets too, such as the repository's root)`,
      );
  }
}

export function hashBytes(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Content hashes, one file at a time (memory stays one file). Files that cannot be read are
 * returned as skipped rather than failing the whole folder; so are a named pipe or a device that
 * took an image's name (reading one would block or never end) and files too large to be an image.
 */
export async function hashFolderImages(
  paths: readonly string[],
  signal?: AbortSignal,
  maxMegapixels = DEFAULT_MAX_MEGAPIXELS,
): Promise<{ images: FolderImage[]; unreadable: SkippedFile[] }> {
  const limits = {
    maxBytes: maxImageFileBytes(maxMegapixels),
    limitReason: `the most an image of at most ${maxMegapixels} megapixels takes`,
  };
  const images: FolderImage[] = [];
  const unreadable: SkippedFile[] = [];
  for (const path of paths) {
    if (signal?.aborted) throw new InspectorError('cancelled', 'Cancelled.');
    try {
      images.push({ path, hash: hashBytes(await readRegularFile(path, limits)) });
    } catch (error) {
      unreadable.push({
        file: path,
        reason: `${path}: cannot read the file (${(error as Error).message}).`,
      });
    }
  }
  return { images, unreadable };
}
