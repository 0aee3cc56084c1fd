// Occlusion sensitivity (Zeiler & Fergus 2014, section 4.2): a window filled with a constant slides
// over the model input, and each position records how much the class score (before softmax)
// drops: score(x) - score(x occluded). Forward passes only, batched, so it works for any model
// with a class output; it reports progress and stops between batches when cancelled. A 1-D input
// ([steps, channels]) is occluded as a picture one row high (window and stride [1, n]).
import type * as tfType from '@tensorflow/tfjs';
import { InspectorError } from '../errors';
import { classScores, yieldToEvents, type ClassHead } from './classChain';
import type { ArrayND } from './types';

export interface OcclusionOptions {
  window: [number, number];
  stride: [number, number];
  /** The value written into the model input (after preprocessing) inside the window. */
  fill: number;
}

export interface LongRun {
  onProgress?: (done: number, total: number) => void;
  isCancelled?: () => boolean;
}

export interface OcclusionResult extends OcclusionOptions {
  rows: number;
  cols: number;
  /** [rows * cols] score(x) - score(x occluded), row-major over window positions. */
  values: Float32Array;
  /** [h * w] per input pixel: the mean drop over the windows that cover it (0 where none does). */
  perPixel: Float32Array;
  score: number;
}

/** Window positions along each axis: windows that fit inside the input. */
export function occlusionGrid(
  height: number,
  width: number,
  options: Pick<OcclusionOptions, 'window' | 'stride'>,
): { rows: number; cols: number } {
  const [wh, ww] = options.window;
  const [sh, sw] = options.stride;
  for (const [name, v] of [
    ['window', wh],
    ['window', ww],
    ['stride', sh],
    ['stride', sw],
  ] as const) {
    if (!Number.isInteger(v) || v < 1)
      throw new InspectorError(
        'usage',
        `The occlusion ${name} must be a positive whole number of pixels, got ${v}.`,
      );
  }
  if (wh > height || ww > width) {
    throw new InspectorError(
      'usage',
      `The occlusion window ${wh}x${ww} is larger than the input (${height}x${width}).`,
    );
  }
  return { rows: Math.floor((height - wh) / sh) + 1, cols: Math.floor((width - ww) / sw) + 1 };
}

/** Batch size that keeps a batch of inputs near 4 million floats. */
const batchFor = (inputSize: number) => Math.max(1, Math.min(64, Math.floor(4e6 / inputSize)));

export async function occlusionSensitivity(
  tf: typeof tfType,
  head: ClassHead,
  input: ArrayND,
  classIndex: number,
  options: OcclusionOptions,
  run: LongRun = {},
): Promise<OcclusionResult> {
  // a 1-D input [steps, channels] is a picture one row high: the window slides along the steps
  const [h, w, c] = input.shape.length === 2 ? [1, ...input.shape] : input.shape;
  const { rows, cols } = occlusionGrid(h, w, options);
  const [wh, ww] = options.window;
  const [sh, sw] = options.stride;
  const total = rows * cols;
  const score = await scoreOf(tf, head, [input.data], input.shape, classIndex);
  const values = new Float32Array(total);
  const batch = batchFor(input.data.length);
  for (let start = 0; start < total; start += batch) {
    if (run.isCancelled?.()) throw new InspectorError('cancelled', 'Occlusion was cancelled.');
    const items: Float32Array[] = [];
    for (let p = start; p < Math.min(total, start + batch); p++) {
      const y0 = Math.floor(p / cols) * sh;
      const x0 = (p % cols) * sw;
      const occluded = Float32Array.from(input.data);
      for (let y = y0; y < y0 + wh; y++)
        occluded.fill(options.fill, (y * w + x0) * c, (y * w + x0 + ww) * c);
      items.push(occluded);
    }
    const scores = await scoreOf(tf, head, items, input.shape, classIndex);
    scores.forEach((s, i) => (values[start + i] = score[0] - s));
    run.onProgress?.(Math.min(total, start + batch), total);
    await yieldToEvents();
  }
  return {
    ...options,
    rows,
    cols,
    values,
    perPixel: perPixelMean(values, rows, cols, h, w, options),
    score: score[0],
  };
}

async function scoreOf(
  tf: typeof tfType,
  head: ClassHead,
  items: Float32Array[],
  shape: number[],
  classIndex: number,
): Promise<number[]> {
  const size = items[0].length;
  const data = new Float32Array(items.length * size);
  items.forEach((item, i) => data.set(item, i * size));
  const batch = tf.tensor(data, [items.length, ...shape]);
  try {
    const scores = await classScores(tf, head, batch);
    return items.map((_, i) => scores[i * head.classes + classIndex]);
  } finally {
    batch.dispose();
  }
}

function perPixelMean(
  values: Float32Array,
  rows: number,
  cols: number,
  h: number,
  w: number,
  options: OcclusionOptions,
): Float32Array {
  const sum = new Float32Array(h * w);
  const count = new Uint32Array(h * w);
  for (let r = 0; r < rows; r++)
    for (let q = 0; q < cols; q++) {
      const y0 = r * options.stride[0];
      const x0 = q * options.stride[1];
      for (let y = y0; y < y0 + options.window[0]; y++)
        for (let x = x0; x < x0 + options.window[1]; x++) {
          sum[y * w + x] += values[r * cols + q];
          count[y * w + x]++;
        }
    }
  return sum.map((s, i) => (count[i] ? s / count[i] : 0));
}
