/**
 * The Structure view's table as data: rows, display text, sorting and the CSV / Markdown / JSON
 * exports. No DOM here, so the unit tests can check every cell against hand-derived numbers.
 */
import {
  structureLayerJson,
  type ModelStructure,
  type StructureLayer,
  type StructureLayerJson,
} from '../src/analysis/structure/modelStructure';

export type ColumnKey =
  | 'index'
  | 'name'
  | 'className'
  | 'kernel'
  | 'strides'
  | 'padding'
  | 'dilation'
  | 'output'
  | 'params'
  | 'macs'
  | 'memory'
  | 'rfSize'
  | 'rfJump'
  | 'rfPadding'
  | 'denseRatio';

export interface StructureColumn {
  key: ColumnKey;
  title: string;
  numeric: boolean;
  help: string;
}

export const STRUCTURE_COLUMNS: StructureColumn[] = [
  { key: 'index', title: '#', numeric: true, help: 'Depth: position in the model' },
  { key: 'name', title: 'Layer', numeric: false, help: 'Layer name' },
  { key: 'className', title: 'Type', numeric: false, help: 'Layer class' },
  { key: 'kernel', title: 'Kernel', numeric: false, help: 'Kernel (convolution) or pool size' },
  { key: 'strides', title: 'Stride', numeric: false, help: 'Stride per axis' },
  {
    key: 'padding',
    title: 'Padding',
    numeric: false,
    help: 'Padding mode, or amounts for ZeroPadding/Cropping',
  },
  { key: 'dilation', title: 'Dilation', numeric: false, help: 'Dilation rate per axis' },
  {
    key: 'output',
    title: 'Output',
    numeric: false,
    help: 'Output shape without the batch dimension',
  },
  { key: 'params', title: 'Params', numeric: true, help: 'Trainable + non-trainable parameters' },
  {
    key: 'macs',
    title: 'MACs',
    numeric: true,
    help: 'Multiply-accumulates of convolutions and dense layers at this input size (bias, activations and pooling not counted; FLOPs = 2 x MACs)',
  },
  {
    key: 'memory',
    title: 'Memory',
    numeric: true,
    help: "Bytes of the layer's float32 output at batch 1",
  },
  {
    key: 'rfSize',
    title: 'RF size',
    numeric: true,
    help: 'Receptive field size in input pixels (height x width)',
  },
  {
    key: 'rfJump',
    title: 'RF jump',
    numeric: true,
    help: 'Effective stride: input pixels between neighbouring units',
  },
  {
    key: 'rfPadding',
    title: 'RF padding',
    numeric: true,
    help: 'Effective padding: unit 0 starts this many pixels before the input',
  },
  {
    key: 'denseRatio',
    title: 'Dense eq.',
    numeric: true,
    help: "Dense equivalent: how many times more weights a fully connected (dense) layer would need than this convolution's kernel to map the same input to the same output (input size x output size / kernel weights, bias excluded). What weight sharing and local connections save.",
  },
];

export interface StructureRow {
  /** 1-based depth in the model. */
  index: number;
  layer: StructureLayer;
  /** Display text per column. */
  text: Record<ColumnKey, string>;
  /** Value sorted on; null sorts last in both directions. */
  sortValue: Record<ColumnKey, number | string | null>;
}

export type SortDirection = 'ascending' | 'descending';

const DASH = '\u2014';
const TIMES = '\u00d7';

export function formatInteger(n: number): string {
  return n.toLocaleString('en-US');
}

/** Bytes in binary units, three significant digits: 1536 -> "1.50 KiB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toPrecision(3)} ${units[unit]}`;
}

/** A ratio to three significant digits, with grouping when large: 24586.24 -> "24,586". */
export function formatRatio(r: number): string {
  return r >= 1000 ? formatInteger(Math.round(r)) : Number(r.toPrecision(3)).toString();
}

export function formatDims(dims: readonly (number | null)[] | null, separator = TIMES): string {
  return dims && dims.length ? dims.map((d) => d ?? '?').join(separator) : DASH;
}

/** Marks a field that comes through misaligned branches (the largest branch's field). */
export const MISALIGNED_MARK = '\u26a0';

function rfAxes(layer: StructureLayer) {
  return layer.receptiveField.axes;
}

function product(values: number[]): number {
  return values.reduce((a, b) => a * b, 1);
}

export function structureRows(structure: ModelStructure): StructureRow[] {
  return structure.layers.map((layer, i) => {
    const axes = rfAxes(layer);
    const whole = layer.receptiveField.collapsed ? ' (all)' : '';
    const misaligned = layer.receptiveField.misalignment ? ` ${MISALIGNED_MARK}` : '';
    const dense = layer.denseEquivalent;
    const text: Record<ColumnKey, string> = {
      index: String(i + 1),
      name: layer.name,
      className: layer.className,
      kernel: formatDims(layer.kernel),
      strides: formatDims(layer.strides),
      padding: layer.padding ?? DASH,
      dilation: formatDims(layer.dilation),
      output: formatDims(layer.outputShape),
      params: formatInteger(layer.params.total),
      macs: layer.macs === null ? '?' : formatInteger(layer.macs),
      memory: layer.activationBytes === null ? '?' : formatBytes(layer.activationBytes),
      rfSize: axes ? formatDims(axes.map((a) => a.size)) + whole + misaligned : DASH,
      rfJump: axes ? formatDims(axes.map((a) => a.jump)) : DASH,
      rfPadding: axes ? formatDims(axes.map((a) => a.padding)) : DASH,
      denseRatio: dense ? `${formatRatio(dense.ratio)}${TIMES}` : DASH,
    };
    const sortValue: Record<ColumnKey, number | string | null> = {
      index: i + 1,
      name: layer.name,
      className: layer.className,
      kernel: layer.kernel ? product(layer.kernel) : null,
      strides: layer.strides ? product(layer.strides) : null,
      padding: layer.padding,
      dilation: layer.dilation ? product(layer.dilation) : null,
      output: layer.outputShape?.every((d) => d !== null)
        ? product(layer.outputShape as number[])
        : null,
      params: layer.params.total,
      macs: layer.macs,
      memory: layer.activationBytes,
      rfSize: axes ? product(axes.map((a) => a.size)) : null,
      rfJump: axes ? product(axes.map((a) => a.jump)) : null,
      rfPadding: axes ? product(axes.map((a) => a.padding)) : null,
      denseRatio: dense ? dense.ratio : null,
    };
    return { index: i + 1, layer, text, sortValue };
  });
}

/** A sorted copy; stable, so equal values keep model order. Missing values go last either way. */
export function sortRows(
  rows: StructureRow[],
  key: ColumnKey,
  direction: SortDirection,
): StructureRow[] {
  const sign = direction === 'ascending' ? 1 : -1;
  return rows
    .map((row, position) => ({ row, position }))
    .sort((a, b) => {
      const va = a.row.sortValue[key];
      const vb = b.row.sortValue[key];
      if (va === null || vb === null) {
        return va === vb ? a.position - b.position : va === null ? 1 : -1;
      }
      const order =
        typeof va === 'number' && typeof vb === 'number'
          ? va - vb
          : String(va).localeCompare(String(vb), 'en', { numeric: true });
      return order !== 0 ? sign * order : a.position - b.position;
    })
    .map((entry) => entry.row);
}

/** Display text of the totals row, per column (empty where a total means nothing). */
export function totalsText(structure: ModelStructure): Partial<Record<ColumnKey, string>> {
  const t = structure.totals;
  return {
    name: 'Total',
    params: formatInteger(t.params),
    macs: formatInteger(t.macs) + (t.layersWithUnknownMacs.length ? ' + ?' : ''),
    memory: formatBytes(t.activationBytes),
  };
}

// ---- exports ----------------------------------------------------------------------------------

const CSV_HEADER = [
  'index',
  'layer',
  'type',
  'kernel',
  'strides',
  'padding',
  'dilation',
  'output_shape',
  'trainable_params',
  'non_trainable_params',
  'params',
  'macs',
  'activation_bytes',
  'rf_size',
  'rf_jump',
  'rf_padding',
  'rf_note',
  'dense_equivalent_params',
  'dense_equivalent_ratio',
];

/** Numbers and our dimension strings ("-2x-2", "1.5"): data, never formulas. */
const PLAIN_NUMBERS = /^-?\d+(\.\d+)?(e[+-]?\d+)?(x-?\d+(\.\d+)?)*$/i;

/**
 * RFC 4180: quote a field holding a comma, quote or line break; double inner quotes. Text that a
 * spreadsheet would read as a formula (starting with = + - @, a tab or a carriage return: a layer
 * named `=HYPERLINK(...)`) gets a leading apostrophe, as OWASP advises against CSV injection.
 */
export function csvField(value: string | number | null): string {
  let text = value === null ? '' : String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text) && !PLAIN_NUMBERS.test(text)) {
    text = `'${text}`;
  }
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * CSV of the rows in the given order, raw numbers (no grouping, bytes not scaled), dimensions as
 * "HxW", then one `total` line. Lines end with CRLF as RFC 4180 says.
 */
export function toCsv(structure: ModelStructure, rows: StructureRow[]): string {
  const dims = (d: readonly (number | null)[] | null) =>
    d && d.length ? formatDims(d, 'x') : null;
  const lines = [CSV_HEADER.join(',')];
  for (const { index, layer } of rows) {
    const axes = rfAxes(layer);
    const rf = layer.receptiveField;
    const note = axes
      ? [rf.collapsed ? 'whole input' : null, rf.misalignment ?? null].filter(Boolean).join('; ') ||
        null
      : (rf.reason ?? 'unsupported');
    const fields = [
      index,
      layer.name,
      layer.className,
      dims(layer.kernel),
      dims(layer.strides),
      layer.padding,
      dims(layer.dilation),
      dims(layer.outputShape),
      layer.params.trainable,
      layer.params.nonTrainable,
      layer.params.total,
      layer.macs,
      layer.activationBytes,
      axes ? dims(axes.map((a) => a.size)) : null,
      axes ? dims(axes.map((a) => a.jump)) : null,
      axes ? dims(axes.map((a) => a.padding)) : null,
      note,
      layer.denseEquivalent?.params ?? null,
      layer.denseEquivalent?.ratio ?? null,
    ];
    lines.push(fields.map(csvField).join(','));
  }
  const t = structure.totals;
  const total = CSV_HEADER.map((h): string | number | null => {
    if (h === 'layer') return 'total';
    if (h === 'trainable_params') return t.trainableParams;
    if (h === 'non_trainable_params') return t.nonTrainableParams;
    if (h === 'params') return t.params;
    if (h === 'macs') return t.macs;
    if (h === 'activation_bytes') return t.activationBytes;
    return null;
  });
  lines.push(total.map(csvField).join(','));
  return lines.join('\r\n') + '\r\n';
}

function markdownCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** A GitHub-flavoured Markdown table with the display text, numbers right-aligned, totals in bold. */
export function toMarkdown(structure: ModelStructure, rows: StructureRow[]): string {
  const line = (cells: string[]) => `| ${cells.map(markdownCell).join(' | ')} |`;
  const out = [
    line(STRUCTURE_COLUMNS.map((c) => c.title)),
    `|${STRUCTURE_COLUMNS.map((c) => (c.numeric ? ' ---: ' : ' --- ')).join('|')}|`,
    ...rows.map((row) => line(STRUCTURE_COLUMNS.map((c) => row.text[c.key]))),
  ];
  const totals = totalsText(structure);
  out.push(line(STRUCTURE_COLUMNS.map((c) => (totals[c.key] ? `**${totals[c.key]}**` : ''))));
  return out.join('\n') + '\n';
}

export interface StructureExportJson {
  model: string;
  inputSize: (number | null)[] | null;
  totals: ModelStructure['totals'];
  layers: ({
    index: number;
    name: string;
    className: string;
    kernel: number[] | null;
    strides: number[] | null;
    padding: string | null;
    dilation: number[] | null;
    outputShape: (number | null)[] | null;
    params: { trainable: number; nonTrainable: number };
  } & StructureLayerJson)[];
}

/** The same per-layer fields as the CLI's JSON report, plus the window configuration. */
export function toJsonExport(
  modelName: string,
  structure: ModelStructure,
  rows: StructureRow[],
): string {
  const data: StructureExportJson = {
    model: modelName,
    inputSize: structure.inputSize,
    totals: structure.totals,
    layers: rows.map(({ index, layer }) => ({
      index,
      name: layer.name,
      className: layer.className,
      kernel: layer.kernel,
      strides: layer.strides,
      padding: layer.padding,
      dilation: layer.dilation,
      outputShape: layer.outputShape,
      params: { trainable: layer.params.trainable, nonTrainable: layer.params.nonTrainable },
      ...structureLayerJson(layer),
    })),
  };
  return `${JSON.stringify(data, null, 2)}\n`;
}
