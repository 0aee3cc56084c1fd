/**
 * The gallery as the static HTML report embeds it: the same panel messages, with typed arrays
 * turned into base64 (so the page stays one JSON blob) and back in the browser.
 */
import type { GalleryToPanel } from './galleryMessages';
import { decodeTypedArrays, encodeTypedArrays } from '../analysis/typedArrayJson';

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
