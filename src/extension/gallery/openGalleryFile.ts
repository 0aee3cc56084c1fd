/**
 * Opening a merged gallery file (`cnn-inspector merge`, or `gallery` without --shard) in a panel:
 * run on a cluster, browse at the desk. The file's paths are relative; they are resolved against a
 * folder the user chooses (by default the file's own folder). The panel's model must have the
 * layer, with the same number of units and input size; other weights are allowed but said.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { InspectorError } from '../../analysis/errors';
import { pickFileDialog, pickFolderDialog } from '../openDialogs';
import { parseMergedGallery } from '../../analysis/gallery/mergeParts';
import type { MergedGallery } from '../../analysis/gallery/galleryFile';
import type { GalleryInfo } from '../../protocol/worker/galleryProtocol';
import type { FolderGalleryResult } from '../../host/folderGallery';

/** A folder of images to build a gallery from. */
export const pickGalleryFolder = () => pickFolderDialog('Folder of images for the gallery');

export const pickGalleryFile = () =>
  pickFileDialog('Gallery file (cnn-inspector merge)', { 'Gallery JSON': ['json'] });

export const pickImageFolder = (galleryFile: string) =>
  pickFolderDialog(
    "Folder of the gallery's images (its paths are relative to it)",
    dirname(galleryFile),
  );

export async function readGalleryFile(file: string): Promise<MergedGallery> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new InspectorError('usage', `${file}: cannot read (${(error as Error).message}).`);
  }
  return parseMergedGallery(file, text);
}

/** Throws when the file cannot describe this model's layer; returns notes for the status line. */
export function checkAgainstModel(
  file: string,
  gallery: MergedGallery,
  info: GalleryInfo,
): string[] {
  const name = basename(file);
  if (gallery.units !== info.units)
    throw new InspectorError(
      'layer',
      `${name}: layer '${gallery.layer}' has ${gallery.units} units there, ${info.units} in this model.`,
    );
  const [h, w] = gallery.inputSize;
  if (h !== info.inputHeight || w !== info.inputWidth)
    throw new InspectorError(
      'layer',
      `${name}: made for ${h}x${w} inputs, this model takes ${info.inputHeight}x${info.inputWidth}.`,
    );
  const notes: string[] = [];
  if (gallery.model.weightsHash !== info.weightsHash)
    notes.push(`made with other weights than this model's (${gallery.model.file})`);
  return notes;
}

/** The file's galleries as a finished folder gallery, paths resolved against `folder`. */
export function galleryFileResult(
  file: string,
  gallery: MergedGallery,
  folder: string,
): FolderGalleryResult {
  const absolute = (rel: string) => join(folder, ...rel.split('/'));
  return {
    folder,
    layer: gallery.layer,
    topK: gallery.topK,
    units: gallery.galleries.map((g) => ({
      unit: g.unit,
      patches: g.patches.map((p) => ({ ...p, file: absolute(p.file) })),
    })),
    imageCount: gallery.imageCount,
    skipped: gallery.skipped.map((s) => ({ file: absolute(s.file), reason: s.reason })),
    fromCache: 0,
    computed: 0,
    cache: 'gallery file',
    complete: true,
    source: file,
    unitStats: gallery.unitStats,
  };
}
