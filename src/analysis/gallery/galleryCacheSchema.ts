// What a gallery cache file must hold to be used: the shape of every field (a zod schema) and the
// facts that tie them together (unit indices in range and unique, at most top-k patches per unit,
// strongest first, every patch from a processed file). A file that breaks any of them was damaged
// or written by something else; it is discarded and the gallery rebuilt, never half-trusted.
// zod (mini build, small enough for the extension host) rather than a hand check: the schema reads
// as the format's definition, the entry's type is derived from it, and its messages name the path
// of the bad field.
import * as z from 'zod/mini';

z.config(z.locales.en());

/** 2: the key names the engine (ONNX Runtime or TensorFlow.js, and its version). */
export const GALLERY_CACHE_VERSION = 2;

const sha256 = z.string().check(z.regex(/^[0-9a-f]{64}$/, 'expected a sha256 hex digest'));
const position = z.int().check(z.nonnegative());
/** Half-open [y0, x0, y1, x1); may reach into the padding, so negative values are fine. */
const rect = z.tuple([z.number(), z.number(), z.number(), z.number()]);

const patchSchema = z.object({
  file: z.string(),
  fileHash: sha256,
  y: position,
  x: position,
  value: z.number(), // zod's number refuses NaN and the infinities
  box: rect,
  clipped: z.nullable(rect),
});

const keySchema = z.object({
  modelFile: z.string(),
  exportName: z.string(),
  layer: z.string(),
  topK: z.int().check(z.positive()),
  nmsIoU: z.number(),
  weightsHash: z.string(),
  bundleHash: z.string(),
  /** What computed the patches, with its version: engines round differently, so never mixed. */
  engine: z.string(),
});

const entrySchema = z.object({
  version: z.literal(GALLERY_CACHE_VERSION),
  key: keySchema,
  processed: z.record(sha256, z.string()),
  skipped: z.record(sha256, z.object({ file: z.string(), reason: z.string() })),
  units: z.array(z.object({ unit: position, patches: z.array(patchSchema) })),
});

export type GalleryCacheKey = z.infer<typeof keySchema>;
export type GalleryCacheEntry = z.infer<typeof entrySchema>;

export type CacheValidation =
  { valid: true; entry: GalleryCacheEntry } | { valid: false; reason: string };

function describeIssues(error: z.core.$ZodError): string {
  const shown = error.issues.slice(0, 3).map((issue) => {
    const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`));
    return `${path.join('').replace(/^\./, '') || 'the file'}: ${issue.message}`;
  });
  const more = error.issues.length > 3 ? ` (and ${error.issues.length - 3} more)` : '';
  return `${shown.join('; ')}${more}`;
}

/** The facts between fields that a schema of each field alone cannot say. */
function consistencyProblem(entry: GalleryCacheEntry, unitCount?: number): string | undefined {
  const seen = new Set<number>();
  for (const [i, { unit, patches }] of entry.units.entries()) {
    if (unitCount !== undefined && unit >= unitCount) {
      return `units[${i}].unit: ${unit} is not a unit of a layer with ${unitCount}`;
    }
    if (seen.has(unit)) return `units[${i}].unit: unit ${unit} appears twice`;
    seen.add(unit);
    if (patches.length > entry.key.topK) {
      return `units[${i}].patches: ${patches.length} patches, more than top-k ${entry.key.topK}`;
    }
    for (const [j, patch] of patches.entries()) {
      if (!(patch.fileHash in entry.processed)) {
        return `units[${i}].patches[${j}].fileHash: not among the processed files`;
      }
      if (j > 0 && patch.value > patches[j - 1].value) {
        return `units[${i}].patches[${j}].value: stronger than the patch before it`;
      }
    }
  }
  return undefined;
}

/**
 * Checks parsed JSON against the cache format. `unitCount`, when known, is the layer's number of
 * units (channels): unit indices must be below it.
 */
export function validateGalleryCache(data: unknown, unitCount?: number): CacheValidation {
  const parsed = entrySchema.safeParse(data);
  if (!parsed.success) return { valid: false, reason: describeIssues(parsed.error) };
  const problem = consistencyProblem(parsed.data, unitCount);
  return problem ? { valid: false, reason: problem } : { valid: true, entry: parsed.data };
}
