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

const PNG_CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/**
 * About how many bytes decoding an image and making the model's input from it take at the peak:
 * the file, the decoder's samples (a PNG's inflated rows at their bit depth, a JPEG's colour
 * planes), the 8-bit RGBA picture and the float RGB copy the resizing reads (12 bytes a pixel).
 * For a 100-megapixel RGB PNG: ~1.9 GB.
 */
export function decodeFootprintBytes(
  bytes: Uint8Array,
  header: { format: 'png' | 'jpeg'; width: number; height: number },
): number {
  const pixels = header.width * header.height;
  const samples =
    header.format === 'png' ? ((PNG_CHANNELS[bytes[25]] ?? 4) * Math.max(8, bytes[24])) / 8 : 3;
  return bytes.length + pixels * (samples + 4 + 12);
}
