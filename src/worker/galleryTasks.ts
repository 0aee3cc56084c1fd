/**
 * The gallery requests, as the model worker runs them (dispatched from modelWorker.ts). The worker
 * keeps its loaded model between requests, so a pool worker loads the model once and then runs
 * shard after shard.
 */
import type { InspectionSession } from '../analysis/inspectionSession';
import { InspectorError, errorMessage } from '../analysis/errors';
import { decodeImageFile } from '../analysis/image/decodeImage';
import { toModelInput } from '../analysis/image/toModelInput';
import { defaultGalleryLayer, galleryLayerNames } from '../analysis/gallery/chooseLayer';
import { rankUnits } from '../analysis/gallery/imagePatches';
import { channelOf, cropPatch } from '../analysis/gallery/crops';
import { weightsHashUpTo } from '../analysis/gallery/layerProbe';
import { checkGalleryLayer, processImages } from '../analysis/gallery/processImages';
import type {
  CropResult,
  GalleryRequest,
  GalleryResults,
  ImageGallery,
} from '../protocol/worker/galleryProtocol';
import { decodeBudget } from './workerMemory';

export interface GalleryWorkerContext {
  session(progress: (m: string) => void): Promise<InspectionSession>;
  /** Runs the image through the whole model (the panel's current image), if not done yet. */
  ensureImage(inputSource: string, progress: (m: string) => void): Promise<InspectionSession>;
}

export interface TaskOutput {
  result: GalleryResults[GalleryRequest['type']];
  transfer: ArrayBuffer[];
}

/** Weights hashes per session and layer: hashing VGG's conv weights takes a moment. */
const weightHashes = new WeakMap<InspectionSession, Map<string, string>>();

function weightsHash(session: InspectionSession, layer: string): string {
  let byLayer = weightHashes.get(session);
  if (!byLayer) weightHashes.set(session, (byLayer = new Map()));
  let hash = byLayer.get(layer);
  if (!hash) byLayer.set(layer, (hash = weightsHashUpTo(session.layersModel, layer)));
  return hash;
}

type Task<T extends GalleryRequest['type']> = Extract<GalleryRequest, { type: T }>;

export async function runGalleryTask(
  request: GalleryRequest,
  context: GalleryWorkerContext,
  progress: (m: string) => void,
): Promise<TaskOutput> {
  switch (request.type) {
    case 'galleryInfo':
      return galleryInfo(request, await context.session(progress));
    case 'galleryShard': {
      const session = await context.session(progress);
      const result = await processImages(session, request.layer, request.files, request.options, {
        maxMegapixels: request.config.maxImageMegapixels,
        memory: decodeBudget(),
      });
      return { result, transfer: [] };
    }
    case 'imageGallery':
      return imageGallery(request, await context.ensureImage(request.inputSource, progress));
    case 'galleryCrops':
      return galleryCrops(request, await context.session(progress));
    default:
      return request satisfies never;
  }
}

/** The gallery's layer (asked for, or the default one), its units and its receptive field. */
function galleryInfo(request: Task<'galleryInfo'>, session: InspectionSession): TaskOutput {
  const layer = request.layer ?? (session.structure && defaultGalleryLayer(session.structure));
  if (!layer) {
    throw new InspectorError(
      'layer',
      `${session.summary.file}: the model has no 2-D convolution or pooling layer with a receptive field, so no gallery.`,
    );
  }
  const row = checkGalleryLayer(session, layer);
  const { height, width } = session.imageInputSize();
  return {
    result: {
      layer,
      layers: galleryLayerNames(session.structure!),
      units: row.outputShape![2] as number,
      inputHeight: height,
      inputWidth: width,
      field: row.receptiveField,
      weightsHash: weightsHash(session, layer),
      bundleHash: session.bundleHash,
      backend: session.backend,
      engine: session.engineVersion,
    },
    transfer: [],
  };
}

/** The units the panel's input excites most, each with its crop and heat map. */
function imageGallery(request: Task<'imageGallery'>, session: InspectionSession): TaskOutput {
  const row = checkGalleryLayer(session, request.layer);
  const map = session.layer(request.layer);
  const { width, height, rgba } = session.currentImage!.input;
  const ranked = rankUnits(map, row.receptiveField, height, width).slice(0, request.count);
  const units = ranked.map((r) => ({
    ...r,
    crop: cropPatch({ width, height, rgba }, r.box, r.clipped, request.maxSide),
    heat: channelOf(map, r.unit),
  }));
  const result: ImageGallery = {
    layer: request.layer,
    inputSource: request.inputSource,
    inputHeight: height,
    inputWidth: width,
    unitCount: map.shape[2],
    units,
  };
  const transfer = units.flatMap((u) => [u.crop.rgba.buffer, u.heat.data.buffer] as ArrayBuffer[]);
  return { result, transfer };
}

/** Crops of a folder gallery's patches; each file decoded once, however many patches it has. */
async function galleryCrops(
  request: Task<'galleryCrops'>,
  session: InspectionSession,
): Promise<TaskOutput> {
  const size = session.imageInputSize();
  const decodeOptions = {
    maxMegapixels: request.config.maxImageMegapixels,
    memory: decodeBudget(),
  };
  const crops: CropResult[] = [];
  const byFile = new Map<string, number[]>();
  request.patches.forEach((p, i) => byFile.set(p.file, [...(byFile.get(p.file) ?? []), i]));
  for (const [file, indices] of byFile) {
    let display: Uint8ClampedArray | undefined;
    let error: string | undefined;
    try {
      const decoded = await decodeImageFile(file, decodeOptions);
      display = toModelInput(decoded, size.height, size.width, size.channels).display;
    } catch (e) {
      error = errorMessage(e);
    }
    // A file that cannot be read gets an empty crop with its error.
    const picture = display
      ? { width: size.width, height: size.height, rgba: display }
      : { width: 0, height: 0, rgba: new Uint8ClampedArray(0) };
    for (const i of indices) {
      const p = request.patches[i];
      const crop = cropPatch(picture, p.box, display ? p.clipped : null, request.maxSide);
      crops[i] = { ...crop, file, ...(error ? { error } : {}) };
    }
  }
  return { result: crops, transfer: crops.map((c) => c.rgba.buffer as ArrayBuffer) };
}
