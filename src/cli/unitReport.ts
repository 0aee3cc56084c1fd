/**
 * `--unit layer:channel[:y:x]` (or `layer:channel[:t]` for 1-D models): the unit's projections as
 * PNG files next to the JSON report and its convolution arithmetic as numbers in the JSON.
 */
import { writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InspectorError } from '../analysis/errors';
import type { RequestOptions, WorkerClient } from '../host/workerClient';
import type { ModelRef, WorkerConfig } from '../protocol/worker/workerProtocol';
import type { ArithmeticResult, ProjectionResult } from '../analysis/explain/explainSession';
import { encodePng, projectionPicture } from '../analysis/explain/projectionImage';
import { cropPicture } from '../analysis/image/rgbaPicture';

export interface UnitArgument {
  layer: string;
  channel: number;
  position?: number[];
}

/** Parses `layer:channel[:y:x]`; the layer name may itself contain ':' (the numbers are taken from the end). */
export function parseUnitArgument(text: string): UnitArgument {
  const parts = text.split(':');
  const numbers: number[] = [];
  while (parts.length > 1 && /^\d+$/.test(parts[parts.length - 1]) && numbers.length < 3) {
    numbers.unshift(Number(parts.pop()));
  }
  const layer = parts.join(':');
  if (!layer || numbers.length === 0) {
    throw new InspectorError(
      'usage',
      `--unit '${text}': expected layer:channel, layer:channel:y:x or layer:channel:t.`,
    );
  }
  const [channel, ...position] = numbers;
  return position.length ? { layer, channel, position } : { layer, channel };
}

const MAX_NAME_PART = 100;

/**
 * A layer name as part of a file name: TF.js allows any text ('block1/conv1' is common in converted
 * models), so path separators, '..' and other characters that are not letters, digits, '.', '_' or
 * '-' become '_', and long names are cut.
 */
export function safeFileNamePart(name: string): string {
  const safe = name
    .replace(/[^\p{L}\p{N}._-]/gu, '_')
    .replace(/\.{2,}/g, (dots) => '_'.repeat(dots.length))
    .slice(0, MAX_NAME_PART);
  return safe || '_';
}

export interface UnitReportJson {
  layer: string;
  channel: number;
  /** [y, x], [t] or [] (vector layers); the strongest in the channel when not given. */
  position: number[];
  value: number;
  /** Half-open input rectangle [y0, x0, y1, x1] (1-D: [t0, t1]) of the receptive field, clipped. */
  receptiveField: number[] | null;
  projections: {
    method: string;
    /** PNG files (2-D inputs), relative to the JSON report. */
    png?: string;
    cropPng?: string;
    /** 1-D inputs: the projection's values, [length][channels] flattened. */
    values?: number[];
    notes: string[];
  }[];
  notInvertible?: { layer: string; className: string; reason: string };
  arithmetic?: Omit<ArithmeticResult, 'terms' | 'padded'> & {
    padded: number[];
    terms: {
      inputChannel: number;
      inputs: number[];
      weights: number[];
      products: number[];
      sum: number;
    }[];
  };
  /** Why there is no arithmetic (the layer is not a convolution or pooling layer). */
  arithmeticError?: string;
}

export async function buildUnitReport(
  client: WorkerClient,
  config: WorkerConfig,
  model: ModelRef,
  inputSource: string,
  unit: UnitArgument,
  jsonPath: string,
  options: RequestOptions,
): Promise<UnitReportJson> {
  const base = { config, model, inputSource, layerName: unit.layer };
  const result = await client.request(
    { type: 'explainProjections', ...base, channel: unit.channel, position: unit.position },
    options,
  );
  const report: UnitReportJson = {
    layer: result.unit.layer,
    channel: result.unit.channel,
    position: result.unit.position,
    value: result.value,
    receptiveField: result.field,
    projections: writeProjections(result, unit.layer, jsonPath),
    ...(result.notInvertible ? { notInvertible: result.notInvertible } : {}),
  };
  try {
    const a = await client.request(
      {
        type: 'explainArithmetic',
        ...base,
        position: result.unit.position,
        channel: result.unit.channel,
      },
      options,
    );
    report.arithmetic = arithmeticJson(a);
  } catch (error) {
    if (!(error instanceof InspectorError) || error.kind !== 'layer') throw error;
    report.arithmeticError = error.message;
  }
  return report;
}

/**
 * 2-D inputs: each projection as a PNG file next to the JSON report, and cropped to the receptive
 * field; 1-D inputs: the projection's values.
 */
function writeProjections(
  result: ProjectionResult,
  layerName: string,
  jsonPath: string,
): UnitReportJson['projections'] {
  const folder = dirname(jsonPath);
  const stem = join(
    folder,
    `${basename(jsonPath).replace(/\.json$/i, '')}.${safeFileNamePart(layerName)}-${[result.unit.channel, ...result.unit.position].join('-')}`,
  );
  const writeInFolder = (path: string, bytes: Uint8Array) => {
    if (dirname(path) !== folder) {
      throw new InspectorError('usage', `${path}: refusing to write outside ${folder}.`);
    }
    writeFileSync(path, bytes);
  };
  return result.projections.map((p) => {
    const notes = p.notes;
    if (p.values.shape.length !== 3)
      return { method: p.method, values: Array.from(p.values.data), notes };
    const picture = projectionPicture(p.values, result.channelOrder);
    const png = `${stem}.${p.method}.png`;
    writeInFolder(png, encodePng(picture));
    const entry: UnitReportJson['projections'][number] = {
      method: p.method,
      png: basename(png),
      notes,
    };
    if (result.field && result.field.length === 4) {
      const cropPng = `${stem}.${p.method}.crop.png`;
      writeInFolder(cropPng, encodePng(cropPicture(picture, result.field)));
      entry.cropPng = basename(cropPng);
    }
    return entry;
  });
}

/** The arithmetic with plain arrays (JSON has no typed arrays). */
function arithmeticJson(a: ArithmeticResult): NonNullable<UnitReportJson['arithmetic']> {
  return {
    ...a,
    padded: Array.from(a.padded),
    terms: a.terms.map((t) => ({
      inputChannel: t.inputChannel,
      inputs: Array.from(t.inputs),
      weights: Array.from(t.weights),
      products: Array.from(t.products),
      sum: t.sum,
    })),
  };
}
