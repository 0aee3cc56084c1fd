// "What the unit wants" is judged against real inputs: the channel's largest activation on the
// optimised input, on the current input, and on the top patches of a folder gallery of the same
// layer (each patch value is the channel's activation at the strongest position of a gallery
// image, the same measure as the other two).
import { isAbsolute, relative } from 'node:path';

export interface GalleryComparison {
  /** The folder the gallery was built from. */
  folder: string;
  layer: string;
  /** The unit's top patches, strongest first: the source image (relative to the folder) and the value. */
  topPatches: { file: string; value: number }[];
  /** The optimised input's activation divided by the strongest patch's (null without patches). */
  ratioToStrongest: number | null;
}

/**
 * The comparison with a gallery of `layer`, or undefined when the gallery is of another layer or
 * has no entry for the channel.
 */
export function compareWithGallery(
  gallery: {
    folder: string;
    layer: string;
    units: { unit: number; patches: { file: string; value: number }[] }[];
  },
  layer: string,
  channel: number,
  activation: number,
): GalleryComparison | undefined {
  if (gallery.layer !== layer) return undefined;
  const unit = gallery.units.find((u) => u.unit === channel);
  if (!unit) return undefined;
  const topPatches = unit.patches.map((p) => ({
    file: isAbsolute(p.file) ? relative(gallery.folder, p.file) : p.file,
    value: p.value,
  }));
  const strongest = topPatches[0]?.value;
  return {
    folder: gallery.folder,
    layer,
    topPatches,
    ratioToStrongest: strongest ? activation / strongest : null,
  };
}
