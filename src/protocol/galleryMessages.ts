/**
 * Gallery messages between the extension host (or the static report) and the panel, joined into
 * HostToPanel / PanelToHost in panelProtocol.ts. Crops travel as RGBA bytes of the crop only.
 */
import type { Rect, SkippedFile, UnitRanking } from '../analysis/gallery/types';
import type { PatchCrop } from '../analysis/gallery/crops';
import type { UnitStats } from '../analysis/gallery/unitStats';

/** A patch's crop: only the pixels its receptive field covers, scaled to fit a tile. */
export type CropView = PatchCrop;

export interface ImageGalleryUnit extends UnitRanking {
  crop: CropView;
  heat: { height: number; width: number; data: Float32Array };
}

export interface ImageGalleryView {
  layer: string;
  imageName: string;
  inputHeight: number;
  inputWidth: number;
  unitCount: number;
  units: ImageGalleryUnit[];
}

export interface FolderPatchView {
  file: string;
  fileName: string;
  y: number;
  x: number;
  value: number;
  box: Rect;
  clipped: Rect | null;
  /** Absent while the crop is being made, or beyond the units whose crops were sent. */
  crop?: CropView;
}

export interface GalleryProgressView {
  done: number;
  total: number;
  skipped: number;
  rate: number;
  etaSeconds?: number;
}

export interface FolderGalleryView {
  folder: string;
  layer: string;
  topK: number;
  complete: boolean;
  imageCount: number;
  /** How the cache was used, for the status line. */
  cache: string;
  skipped: SkippedFile[];
  units: { unit: number; patches: FolderPatchView[] }[];
  /** The gallery file it was opened from, if any. */
  source?: string;
  /** Per unit, in unit order: how often it fires, mean, max, histogram (see analysis/gallery/unitStats). */
  unitStats?: UnitStats[];
}

export type GalleryToPanel =
  | { type: 'galleryState'; layers: string[]; layer: string; topK: number; folder?: string }
  | { type: 'galleryImage'; gallery: ImageGalleryView }
  | { type: 'galleryFolder'; gallery: FolderGalleryView }
  /** undefined progress: no folder run going on. */
  | { type: 'galleryProgress'; progress: GalleryProgressView | undefined; message?: string }
  | { type: 'galleryError'; message: string }
  | { type: 'showGallery' }
  /** Open a unit's feature map with the receptive field of position (y, x). */
  | { type: 'showUnit'; layer: string; unit: number; y: number; x: number };

export type GalleryToHost =
  | { type: 'galleryOpen' }
  | { type: 'galleryLayer'; layer: string }
  | { type: 'galleryPickFolder' }
  /** Open a merged gallery file (`cnn-inspector merge`) and the folder its paths are relative to. */
  | { type: 'galleryOpenFile' }
  | { type: 'galleryBuild' }
  | { type: 'galleryCancel' }
  /** Units of the folder gallery that get crops (the first `count`). */
  | { type: 'galleryUnits'; count: number }
  | { type: 'galleryOpenPatch'; file: string; layer: string; unit: number; y: number; x: number };
