/**
 * The gallery as the static HTML report embeds it: the same panel messages, with typed arrays
 * turned into base64 (so the page stays one JSON blob) and back in the browser.
 */
import type { GalleryToPanel } from './galleryMessages';

type Encoded = { $u8c: string } | { $f32: string };

/** Deep copy with Uint8ClampedArray / Float32Array as base64 (`toBase64` is Buffer's in Node). */
export function encodeTypedArrays(
  value: unknown,
  toBase64: (bytes: Uint8Array) => string,
): unknown {
  if (value instanceof Uint8ClampedArray)
    return { $u8c: toBase64(new Uint8Array(value.buffer, value.byteOffset, value.byteLength)) };
  if (value instanceof Float32Array)
    return { $f32: toBase64(new Uint8Array(value.buffer, value.byteOffset, value.byteLength)) };
  if (Array.isArray(value)) return value.map((v) => encodeTypedArrays(v, toBase64));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, encodeTypedArrays(v, toBase64)]),
    );
  }
  return value;
}

export function decodeTypedArrays(
  value: unknown,
  fromBase64: (text: string) => Uint8Array,
): unknown {
  if (Array.isArray(value)) return value.map((v) => decodeTypedArrays(v, fromBase64));
  if (value && typeof value === 'object') {
    const e = value as Partial<{ $u8c: string; $f32: string }>;
    if (typeof e.$u8c === 'string') return new Uint8ClampedArray(fromBase64(e.$u8c));
    if (typeof e.$f32 === 'string') {
      const bytes = fromBase64(e.$f32).slice(); // aligned copy
      return new Float32Array(bytes.buffer, 0, bytes.byteLength / 4);
    }
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, decodeTypedArrays(v, fromBase64)]),
    );
  }
  return value;
}

/** Panel messages replayed by the report, encoded. */
export interface ReportGallery {
  messages: unknown[];
}

export function encodeReportGallery(
  messages: GalleryToPanel[],
  toBase64: (bytes: Uint8Array) => string,
): ReportGallery {
  return { messages: messages.map((m) => encodeTypedArrays(m, toBase64)) };
}

export function decodeReportGallery(
  gallery: ReportGallery,
  fromBase64: (text: string) => Uint8Array,
): GalleryToPanel[] {
  return gallery.messages.map((m) => decodeTypedArrays(m, fromBase64) as GalleryToPanel);
}

export type { Encoded };
