// The per-file loop of a folder gallery, run inside each pool worker on its share of the files:
// one forward pass to the layer per image, candidates per unit, a bounded top-k per unit. Nothing
// but the top-k survives an image, so memory does not grow with the number of files.
import type { InspectionSession } from '../inspectionSession';
import type { DecodeOptions } from '../image/decodeImage';
import { InspectorError } from '../errors';
import { LayerGalleries } from './boundedTopK';
import { galleryLayer } from './chooseLayer';
import { imageCandidates, type LayerMap } from './imagePatches';
import type { Tensor } from '@tensorflow/tfjs';
import { computeLayerForImage } from './layerProbe';
import { UnitStatsAccumulator, type UnitStats } from './unitStats';
import type { FolderImage, GalleryOptions, SkippedFile, UnitGallery } from './types';

export interface GalleryShardResult {
  units: UnitGallery[];
  /** Unit health over the processed files (mergeable exactly with other shards'). */
  unitStats: UnitStats[];
  /** Files whose patches are in `units` (read and run). */
  processed: FolderImage[];
  /** Files that could not be read or decoded, with the reason; the run went on without them. */
  skipped: (SkippedFile & { hash: string })[];
}

export function checkGalleryLayer(session: InspectionSession, layerName: string) {
  if (!session.structure) {
    throw new InspectorError(
      'layer',
      `${session.summary.file}: no receptive fields for this model (${session.structureError ?? 'structure analysis failed'}), so no gallery.`,
    );
  }
  const found = galleryLayer(session.structure, layerName);
  if ('error' in found)
    throw new InspectorError('layer', `${session.summary.file}: ${found.error}.`);
  return found.layer;
}

export async function processImages(
  session: InspectionSession,
  layerName: string,
  files: readonly FolderImage[],
  options: GalleryOptions,
  decodeOptions: DecodeOptions = {},
  signal?: AbortSignal,
): Promise<GalleryShardResult> {
  const layer = checkGalleryLayer(session, layerName);
  const { height, width } = session.imageInputSize();
  const units = layer.outputShape?.[2];
  if (typeof units !== 'number')
    throw new InspectorError('layer', `Layer '${layerName}' has a free channel count.`);
  const galleries = new LayerGalleries(units, options.topK);
  const stats = new UnitStatsAccumulator(units);
  const processed: FolderImage[] = [];
  const skipped: GalleryShardResult['skipped'] = [];
  const batch = session.runsBatches ? Math.max(1, options.batch ?? 1) : 1;
  const skip = (file: FolderImage, error: unknown) => {
    // A bad file is the file's problem, not the run's; anything else (the model) stops the run.
    if (!(error instanceof InspectorError && error.kind === 'image')) throw error;
    skipped.push({ file: file.path, hash: file.hash, reason: error.message });
  };
  const maps: { file: FolderImage; map: LayerMap }[] = [];
  for (let start = 0; start < files.length; start += batch) {
    if (signal?.aborted) throw new InspectorError('cancelled', 'Cancelled.');
    const group = files.slice(start, start + batch);
    maps.length = 0;
    if (group.length === 1) {
      try {
        maps.push({
          file: group[0],
          map: (await computeLayerForImage(session, group[0].path, layerName, decodeOptions)).map,
        });
      } catch (error) {
        skip(group[0], error);
      }
    } else {
      maps.push(...(await layerForImages(session, group, layerName, decodeOptions, skip)));
    }
    for (const { file, map } of maps) offerImage(file, map);
  }
  return { units: galleries.toGalleries(), unitStats: stats.toStats(), processed, skipped };

  function offerImage(file: FolderImage, map: LayerMap): void {
    try {
      stats.addImage(map);
    } catch (error) {
      throw new InspectorError(
        'layer',
        `${file.path}: layer '${layerName}': ${(error as Error).message}, so no unit statistics.`,
      );
    }
    const perUnit = imageCandidates(map, layer.receptiveField, height, width, options);
    perUnit.forEach((candidates, unit) => {
      for (const c of candidates)
        galleries.offer(unit, { file: file.path, fileHash: file.hash, ...c });
    });
    processed.push(file);
  }
}

/** The layer's map of each readable image of `group`, from one native call, in order. */
async function layerForImages(
  session: InspectionSession,
  group: readonly FolderImage[],
  layerName: string,
  decodeOptions: DecodeOptions,
  skip: (file: FolderImage, error: unknown) => void,
): Promise<{ file: FolderImage; map: LayerMap }[]> {
  const ready: { file: FolderImage; input: Tensor }[] = [];
  try {
    for (const file of group) {
      try {
        ready.push({ file, input: (await session.prepareImage(file.path, decodeOptions)).input });
      } catch (error) {
        skip(file, error);
      }
    }
    const outputs = await session.nativeLayerBatch(
      ready.map((r) => r.input),
      layerName,
    );
    return (outputs ?? []).map((o, i) => ({
      file: ready[i].file,
      map: { shape: o.shape, data: o.data },
    }));
  } finally {
    for (const r of ready) r.input.dispose();
  }
}
