// The image files of a gallery folder and their content hashes (what the cache knows them by).
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { InspectorError } from '../errors';
import { DEFAULT_MAX_MEGAPIXELS, maxImageFileBytes } from '../image/imageLimits';
import { readRegularFile } from '../regularFile';
import type { FolderImage, SkippedFile } from './types';

const IMAGE_FILE = /\.(png|jpe?g)$/i;

/** PNG and JPEG files under `folder` (sub-folders included, hidden ones not), sorted by path. */
export async function listFolderImages(folder: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(folder, { withFileTypes: true, recursive: true });
  } catch (error) {
    throw new InspectorError(
      'usage',
      `${folder}: cannot read the folder (${(error as Error).message}).`,
    );
  }
  const files = entries
    .filter((e) => e.isFile() && IMAGE_FILE.test(e.name))
    .map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name))
    .filter(
      (p) =>
        !p
          .slice(folder.length)
          .split(/[\\/]/)
          .some((part) => part.startsWith('.')),
    );
  return files.sort();
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
