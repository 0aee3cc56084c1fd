// Reads a layer's serialised config (tfjs getConfig(), Keras-style names) into LayerGeometry.
import type { DataFormat, LayerGeometry, StructureKind, PaddingMode } from './types';
import { dilationThatRuns } from './whatRuns';

type Config = Record<string, unknown>;

function isNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** A number or per-axis list, as Keras accepts them, to an array of length `rank`. */
export function perAxis(value: unknown, rank: number): number[] | undefined {
  if (isNumber(value)) return new Array(rank).fill(value);
  if (Array.isArray(value) && value.every(isNumber)) {
    if (value.length === rank) return [...value];
    if (value.length === 1) return new Array(rank).fill(value[0]);
  }
  return undefined;
}

/**
 * Keras padding/cropping amounts to per-axis [before, after] pairs. Accepted forms: n (all sides);
 * for 1-D layers [before, after]; for 2-D layers [h, w] (symmetric) or [[top, bottom], [left, right]].
 */
export function perAxisPairs(value: unknown, rank: number): [number, number][] | undefined {
  if (isNumber(value)) return new Array(rank).fill(0).map(() => [value, value]);
  if (!Array.isArray(value)) return undefined;
  if (rank === 1 && value.length === 2 && value.every(isNumber)) return [[value[0], value[1]]];
  if (value.length === rank && value.every(isNumber)) return value.map((v) => [v, v]);
  if (
    value.length === rank &&
    value.every((p) => Array.isArray(p) && p.length === 2 && p.every(isNumber))
  ) {
    return value.map((p) => [p[0], p[1]]);
  }
  return undefined;
}

function dataFormatOf(config: Config): DataFormat {
  const f = config.dataFormat ?? config.data_format;
  return f === 'channelsFirst' || f === 'channels_first' ? 'channelsFirst' : 'channelsLast';
}

function paddingModeOf(value: unknown): PaddingMode | undefined {
  if (typeof value !== 'string') return undefined;
  const mode = value.toLowerCase();
  return mode === 'valid' || mode === 'same' || mode === 'causal' ? mode : undefined;
}

/** 1 or 2 from a class name ending in 1D/2D/3D; otherwise from the input rank (channels excluded). */
export function spatialRankOf(className: string, inputRank: number | undefined): number {
  const m = /([123])D(Transpose)?$/.exec(className);
  if (m) return Number(m[1]);
  return inputRank === undefined ? 0 : Math.max(inputRank - 1, 0);
}

function axisList(value: unknown): number[] | undefined {
  if (isNumber(value)) return [value];
  if (Array.isArray(value) && value.every(isNumber)) return [...value];
  return undefined;
}

/** The dilation that runs, and the configured one when it is ignored. */
function setDilation(g: LayerGeometry, className: string, configured: number[] | undefined): void {
  if (!configured) return;
  const runs = dilationThatRuns(className, configured);
  g.dilationRate = runs.dilation;
  if (runs.note) {
    g.configuredDilationRate = configured;
    g.ignoredConfig = runs.note;
  }
}

/** Normalised geometry of a layer; `inputRank` is its first input's rank without batch. */
export function geometryFromConfig(
  className: string,
  kind: StructureKind,
  config: Config,
  inputRank: number | undefined,
): LayerGeometry {
  const rank = spatialRankOf(className, inputRank);
  const g: LayerGeometry = { dataFormat: dataFormatOf(config), spatialRank: rank };
  switch (kind) {
    case 'conv':
    case 'depthwiseConv':
    case 'separableConv':
    case 'transposedConv':
      setConvGeometry(g, className, kind, config);
      break;
    case 'pooling':
      setPoolingGeometry(g, className, config);
      break;
    case 'zeroPadding':
      setDefined(g, 'zeroPadding', perAxisPairs(config.padding ?? 1, rank));
      break;
    case 'cropping':
      setDefined(g, 'cropping', perAxisPairs(config.cropping ?? 0, rank));
      break;
    case 'dense':
      if (isNumber(config.units)) g.units = config.units;
      break;
    case 'merge':
    case 'elementwise':
      setDefined(g, 'axis', axisList(config.axis));
      break;
    case 'reshape':
      setDefined(g, 'targetShape', axisList(config.targetShape ?? config.target_shape));
      break;
    case 'permute':
      setDefined(g, 'permuteDims', axisList(config.dims));
      break;
    case 'spatialUnsupported':
      setDefined(
        g,
        'upSamplingSize',
        /^UpSampling/.test(className) ? perAxis(config.size, rank) : undefined,
      );
      break;
    default:
      break;
  }
  return g;
}

function setDefined<K extends keyof LayerGeometry>(
  g: LayerGeometry,
  key: K,
  value: LayerGeometry[K] | undefined,
): void {
  if (value !== undefined) g[key] = value;
}

/** Kernel, strides, dilation, padding, filters, groups and depth multiplier of a convolution. */
function setConvGeometry(
  g: LayerGeometry,
  className: string,
  kind: 'conv' | 'depthwiseConv' | 'separableConv' | 'transposedConv',
  config: Config,
): void {
  const rank = g.spatialRank;
  setDefined(g, 'kernelSize', perAxis(config.kernelSize ?? config.kernel_size, rank));
  setDefined(g, 'strides', perAxis(config.strides ?? 1, rank));
  setDilation(g, className, perAxis(config.dilationRate ?? config.dilation_rate ?? 1, rank));
  setDefined(g, 'padding', paddingModeOf(config.padding ?? 'valid'));
  if (isNumber(config.filters)) g.filters = config.filters;
  if (isNumber(config.groups)) g.groups = config.groups;
  if (kind !== 'conv' && kind !== 'transposedConv') {
    const dm = config.depthMultiplier ?? config.depth_multiplier ?? 1;
    if (isNumber(dm)) g.depthMultiplier = dm;
  }
}

/** Window, strides (the window by default), padding and, if configured, dilation of a pooling. */
function setPoolingGeometry(g: LayerGeometry, className: string, config: Config): void {
  const rank = g.spatialRank;
  const pool = perAxis(config.poolSize ?? config.pool_size ?? 2, rank);
  setDefined(g, 'poolSize', pool);
  setDefined(g, 'strides', perAxis(config.strides ?? pool, rank) ?? pool);
  setDefined(g, 'padding', paddingModeOf(config.padding ?? 'valid'));
  // Keras' pooling layers have no dilation; the ONNX import's dilated max pooling has.
  if (config.dilationRate !== undefined)
    setDilation(g, className, perAxis(config.dilationRate, rank));
}
