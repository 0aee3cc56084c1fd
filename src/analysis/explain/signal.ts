// Inputs of 1-D models: a signal read from a CSV or JSON file, or a synthetic one (step, impulse,
// sine). A signal source is named by a string so it travels like an image path: a file path, or
// `synthetic:<kind>` with optional `?channels=..&period=..` parameters.
import { extname } from 'node:path';
import { InspectorError } from '../errors';
import { readRegularFile } from '../regularFile';

/** A signal file is text with a few numbers a step; no 1-D model's input comes near this. */
const MAX_SIGNAL_FILE_BYTES = 256e6;

export interface Signal {
  /** Row-major [length, channels]. */
  data: Float32Array;
  length: number;
  channels: number;
  /** Where it came from: a file path or `synthetic:<kind>`. */
  source: string;
}

export const SYNTHETIC_SIGNALS = ['step', 'impulse', 'sine'] as const;
export type SyntheticKind = (typeof SYNTHETIC_SIGNALS)[number];

export function isSyntheticSource(source: string): boolean {
  return source.startsWith('synthetic:');
}

/**
 * A synthetic signal of `length` steps (same value in every channel): `step` is 0 before the
 * middle and 1 from floor(length / 2); `impulse` is 1 at floor(length / 2) only; `sine` is
 * sin(2 pi t / period) with period length / 4 unless given.
 */
export function syntheticSignal(
  kind: SyntheticKind,
  length: number,
  channels = 1,
  period?: number,
): Signal {
  if (!Number.isInteger(length) || length < 1)
    throw new RangeError(`signal length must be a positive integer, got ${length}`);
  const middle = Math.floor(length / 2);
  const p = period ?? Math.max(length / 4, 2);
  const data = new Float32Array(length * channels);
  for (let t = 0; t < length; t++) {
    const v =
      kind === 'step'
        ? t >= middle
          ? 1
          : 0
        : kind === 'impulse'
          ? t === middle
            ? 1
            : 0
          : Math.sin((2 * Math.PI * t) / p);
    for (let c = 0; c < channels; c++) data[t * channels + c] = v;
  }
  return { data, length, channels, source: `synthetic:${kind}` };
}

function fromRows(rows: number[][], source: string): Signal {
  if (rows.length === 0) throw new InspectorError('image', `${source}: the signal is empty.`);
  const channels = rows[0].length;
  const bad = rows.findIndex((r) => r.length !== channels || r.some((v) => !Number.isFinite(v)));
  if (bad >= 0) {
    throw new InspectorError(
      'image',
      `${source}: step ${bad} has ${rows[bad].length} values or a non-number; every step needs ${channels} numbers.`,
    );
  }
  const data = new Float32Array(rows.length * channels);
  rows.forEach((r, t) => data.set(r, t * channels));
  return { data, length: rows.length, channels, source };
}

/** CSV: one step per line, one column per channel; a first line that is not numeric is a header. */
export function parseCsvSignal(text: string, source: string): Signal {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const cells = lines.map((l) => l.split(/[,;\t]/).map((c) => c.trim()));
  if (cells.length > 0 && cells[0].some((c) => c === '' || Number.isNaN(Number(c)))) cells.shift();
  return fromRows(
    cells.map((row) => row.map((c) => (c === '' ? NaN : Number(c)))),
    source,
  );
}

/** JSON: [v, ...] (one channel), [[v, ...], ...] (steps x channels), or { "signal": either }. */
export function parseJsonSignal(text: string, source: string): Signal {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InspectorError('image', `${source}: not valid JSON (${(error as Error).message}).`);
  }
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const o = value as Record<string, unknown>;
    value = o.signal ?? o.data ?? o.values;
  }
  if (!Array.isArray(value)) {
    throw new InspectorError(
      'image',
      `${source}: expected an array of numbers, an array of arrays, or { "signal": [...] }.`,
    );
  }
  const rows = value.map((v) =>
    Array.isArray(v) ? v.map(Number) : [typeof v === 'number' ? v : NaN],
  );
  return fromRows(rows, source);
}

function parseSynthetic(source: string, length: number, channels: number): Signal {
  const [kindPart, query = ''] = source.slice('synthetic:'.length).split('?');
  const kind = kindPart as SyntheticKind;
  if (!SYNTHETIC_SIGNALS.includes(kind)) {
    throw new InspectorError(
      'usage',
      `unknown synthetic signal '${kindPart}' (choose ${SYNTHETIC_SIGNALS.join(', ')}).`,
    );
  }
  const params = new URLSearchParams(query);
  const period = params.has('period') ? Number(params.get('period')) : undefined;
  if (period !== undefined && !(period > 0))
    throw new InspectorError('usage', `period must be positive, got '${params.get('period')}'.`);
  return { ...syntheticSignal(kind, length, channels, period), source };
}

/**
 * The signal a source names, checked against the model's input [length, channels]. A file's
 * length must match a fixed model length; with a free length (null) any length is accepted.
 */
export async function loadSignal(
  source: string,
  length: number | null,
  channels: number,
): Promise<Signal> {
  if (isSyntheticSource(source)) return parseSynthetic(source, length ?? 64, channels);
  const ext = extname(source).toLowerCase();
  if (ext !== '.csv' && ext !== '.json' && ext !== '.txt') {
    throw new InspectorError(
      'image',
      `${source}: a 1-D model takes a signal from a .csv or .json file (or a synthetic one).`,
    );
  }
  let text: string;
  try {
    text = (await readRegularFile(source, { maxBytes: MAX_SIGNAL_FILE_BYTES })).toString('utf8');
  } catch (error) {
    throw new InspectorError(
      'image',
      `${source}: cannot read the signal (${(error as Error).message}).`,
    );
  }
  const signal = ext === '.json' ? parseJsonSignal(text, source) : parseCsvSignal(text, source);
  if (signal.channels !== channels) {
    throw new InspectorError(
      'image',
      `${source}: the signal has ${signal.channels} channel(s) per step; the model takes ${channels}.`,
    );
  }
  if (length !== null && signal.length !== length) {
    throw new InspectorError(
      'image',
      `${source}: the signal has ${signal.length} steps; the model takes exactly ${length}.`,
    );
  }
  return signal;
}

/** A signal as a 1-pixel-high grey strip (first channel, min..max to 0..255), for image views. */
export function signalStrip(data: Float32Array, channels: number): Uint8ClampedArray {
  const length = data.length / channels;
  let min = Infinity;
  let max = -Infinity;
  for (let t = 0; t < length; t++) {
    min = Math.min(min, data[t * channels]);
    max = Math.max(max, data[t * channels]);
  }
  const rgba = new Uint8ClampedArray(length * 4);
  for (let t = 0; t < length; t++) {
    const v = max > min ? Math.round((255 * (data[t * channels] - min)) / (max - min)) : 128;
    rgba.set([v, v, v, 255], t * 4);
  }
  return rgba;
}
