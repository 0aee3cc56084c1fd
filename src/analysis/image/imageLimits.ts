// Limits on image files, shared by the decoder (worker) and the gallery's file hashing (host),
// which must not load the decoders.

export const DEFAULT_MAX_MEGAPIXELS = 100;

/**
 * The largest file an image within the megapixel limit can be: 16-bit RGBA (8 bytes a pixel)
 * stored without compression, plus the container's overhead. A larger file is not read at all.
 */
export function maxImageFileBytes(maxMegapixels: number): number {
  return Math.ceil(maxMegapixels * 1e6 * 8 * 1.01) + 1_000_000;
}
