// Plain data of the max-activation galleries: nothing here holds a tensor, so it crosses worker,
// webview and JSON boundaries as it is. Boxes are half-open input-pixel rectangles [y0, x0, y1, x1)
// in the coordinates of the model input (the image after resizing to the model's size).
import type { Rect } from '../structure/unitField';

export type { Rect };

/** One unit (channel) of a layer on one image: its strongest position and what it looks at. */
export interface UnitRanking {
  unit: number;
  /** The channel's maximum activation on the image. */
  max: number;
  /** Position of the maximum in the layer's output (first in row-major order on ties). */
  y: number;
  x: number;
  /** Receptive field of that position, may reach into the padding. */
  box: Rect;
  /** The part of `box` inside the image (null when the position sees padding only). */
  clipped: Rect | null;
}

/** One image patch in a unit's folder gallery. */
export interface GalleryPatch {
  file: string;
  /** sha256 of the file's bytes: what the cache knows the file by. */
  fileHash: string;
  y: number;
  x: number;
  value: number;
  box: Rect;
  clipped: Rect | null;
}

export interface UnitGallery {
  unit: number;
  /** Strongest first; at most top-k. */
  patches: GalleryPatch[];
}

export interface SkippedFile {
  file: string;
  reason: string;
}

export interface GalleryOptions {
  /** Patches kept per unit. */
  topK: number;
  /**
   * Non-maximum suppression inside one image: a candidate whose box overlaps an accepted,
   * stronger box of the same unit and image by more than this intersection-over-union is dropped.
   */
  nmsIoU: number;
  /**
   * Images per native call (ONNX Runtime, translated models; 1 when absent). The galleries do not
   * depend on it, only the speed: see scripts/benchmarkNativeGallery.ts.
   */
  batch?: number;
}

export const DEFAULT_GALLERY_OPTIONS: GalleryOptions = { topK: 9, nmsIoU: 0.3 };

/** An image file of the folder, known by its content. */
export interface FolderImage {
  path: string;
  hash: string;
}
