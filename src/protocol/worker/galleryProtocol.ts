/**
 * Worker requests of the max-activation galleries (joined into WorkerRequest in workerProtocol.ts).
 * The folder gallery's pool workers get `galleryShard`s, each a few files; the panel's model worker
 * answers `galleryInfo`, `imageGallery` and `galleryCrops`. Crops travel as transferable RGBA bytes.
 */
import type { ModelRef, WorkerConfig } from './workerConfig';
import type { LayerReceptiveField } from '../../analysis/structure/receptiveField';
import type { FolderImage, GalleryOptions, Rect, UnitRanking } from '../../analysis/gallery/types';
import type { PatchCrop } from '../../analysis/gallery/crops';
import type { GalleryShardResult } from '../../analysis/gallery/processImages';

export type GalleryRequest =
  | { id: number; type: 'galleryInfo'; config: WorkerConfig; model: ModelRef; layer?: string }
  | {
      id: number;
      type: 'galleryShard';
      config: WorkerConfig;
      model: ModelRef;
      layer: string;
      files: FolderImage[];
      options: GalleryOptions;
    }
  | {
      id: number;
      type: 'imageGallery';
      config: WorkerConfig;
      model: ModelRef;
      inputSource: string;
      layer: string;
      /** Top units returned (all units are ranked). */
      count: number;
      maxSide: number;
    }
  | {
      id: number;
      type: 'galleryCrops';
      config: WorkerConfig;
      model: ModelRef;
      patches: { file: string; box: Rect; clipped: Rect | null }[];
      maxSide: number;
    };

export interface GalleryInfo {
  /** The layer asked for, else the default one (pool5, last pooling, last convolution). */
  layer: string;
  /** Every layer a gallery can be built for. */
  layers: string[];
  units: number;
  inputHeight: number;
  inputWidth: number;
  field: LayerReceptiveField;
  weightsHash: string;
  bundleHash: string;
  /** What computes the gallery's layer: `onnxruntime` or the TensorFlow.js backend. */
  backend: string;
  /** The same with its version (`onnxruntime 1.30.0`, `tfjs 4.22.0 wasm`): the cache key has it. */
  engine: string;
}

export interface RankedUnit extends UnitRanking {
  crop: PatchCrop;
  /** The unit's channel on the image, for a small heat overlay. */
  heat: { height: number; width: number; data: Float32Array };
}

export interface ImageGallery {
  layer: string;
  inputSource: string;
  inputHeight: number;
  inputWidth: number;
  unitCount: number;
  /** The `count` strongest units, strongest first. */
  units: RankedUnit[];
}

export type CropResult = PatchCrop & { file: string; error?: string };

export interface GalleryResults {
  galleryInfo: GalleryInfo;
  galleryShard: GalleryShardResult;
  imageGallery: ImageGallery;
  galleryCrops: CropResult[];
}
