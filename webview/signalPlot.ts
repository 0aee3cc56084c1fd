/**
 * 1-D data as line plots: a sequence layer's channel ([steps, channels]), the input signal, a 1-D
 * projection. Step t is drawn at the centre of the t-th of `steps` equal columns, so the pointer
 * maps to steps exactly as it does on an image map (unitUnderPointer). The plotted numbers are
 * also written to the canvas (data-values), so tests and curious users can read them.
 */

/** Sequences longer than this are plotted but not copied into the DOM. */
export const MAX_DOM_VALUES = 2048;

export interface PlotRange {
  low: number;
  high: number;
}

/** Channel `c` of row-major [steps, channels] data. */
export function channelSeries(data: ArrayLike<number>, channels: number, c: number): Float32Array {
  if (!Number.isInteger(channels) || channels < 1)
    throw new RangeError(`channels must be a positive integer, got ${channels}`);
  if (!Number.isInteger(c) || c < 0 || c >= channels)
    throw new RangeError(`channel ${c} is outside 0..${channels - 1}`);
  if (data.length % channels !== 0)
    throw new RangeError(`${data.length} values do not split into ${channels} channels`);
  const steps = data.length / channels;
  const out = new Float32Array(steps);
  for (let t = 0; t < steps; t++) out[t] = data[t * channels + c];
  return out;
}

/**
 * The vertical range of a plot: the values' range widened to include 0 (so the zero line is
 * always visible and signs read at a glance); a flat series gets a range of +-1 around it.
 */
export function plotRange(values: ArrayLike<number>): PlotRange {
  let low = 0;
  let high = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    if (v < low) low = v;
    if (v > high) high = v;
  }
  if (high === low) return { low: low - 1, high: high + 1 };
  return { low, high };
}

/** Horizontal pixel of step t in a plot `width` pixels wide. */
export function stepX(t: number, steps: number, width: number): number {
  return ((t + 0.5) * width) / steps;
}

/** Vertical pixel of value v, `margin` pixels kept free at the top and the bottom. */
export function valueY(v: number, range: PlotRange, height: number, margin = 4): number {
  const span = range.high - range.low || 1;
  return margin + ((range.high - v) / span) * (height - 2 * margin);
}

/** The step under a pointer at `fraction` (0..1) of the plot's width. */
export function stepAtFraction(fraction: number, steps: number): number {
  return Math.max(0, Math.min(steps - 1, Math.floor(fraction * steps)));
}

/** The shortest decimal text that reads back as the same float32 (0.1f is "0.1", not 0.100000001). */
export function float32Text(v: number): string {
  const f = Math.fround(v);
  if (f === 0) return '0'; // also -0
  if (!Number.isFinite(f)) return String(f);
  for (let digits = 1; digits < 9; digits++) {
    const text = String(Number(f.toPrecision(digits)));
    if (Math.fround(Number(text)) === f) return text;
  }
  return String(Number(f.toPrecision(9)));
}

/** Numbers as the DOM carries them: the shortest round-trip text of each float32 value. */
export function formatSeries(values: ArrayLike<number>): string {
  return Array.from(values, float32Text).join(',');
}

export interface PlotOptions {
  /** Shared range (per layer); default: the series' own range. */
  range?: PlotRange;
  /** Drawing size in CSS pixels; the canvas keeps the device pixel ratio. */
  width?: number;
  height?: number;
  /** A step to mark (the unit being explained). */
  highlight?: number;
  /** Half-open [t0, t1) band to shade (a receptive field). */
  band?: [number, number];
}

/** Draws `values` as a line with the zero line, dots on the steps when they are few. */
export function drawSignalPlot(
  canvas: HTMLCanvasElement,
  values: Float32Array,
  options: PlotOptions = {},
): void {
  const range = options.range ?? plotRange(values);
  const width = options.width ?? 240;
  const height = options.height ?? 120;
  const ratio = Math.max(1, Math.round(globalThis.devicePixelRatio || 1));
  canvas.width = width * ratio;
  canvas.height = height * ratio;
  recordPlotData(canvas, values, range);
  const context = canvas.getContext('2d');
  if (!context || values.length === 0) return;
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  const plot: Plot = { context, width, height, range, steps: values.length, ...themeColours() };
  context.fillStyle = plot.background;
  context.fillRect(0, 0, width, height);
  if (options.band) drawBand(plot, options.band);
  drawZeroLine(plot);
  drawSeries(plot, values);
  if (options.highlight !== undefined) drawHighlight(plot, options.highlight);
}

/** The plotted numbers and range on the canvas (data-values only for sequences short enough). */
function recordPlotData(canvas: HTMLCanvasElement, values: Float32Array, range: PlotRange): void {
  canvas.dataset.plot = 'line';
  canvas.dataset.steps = String(values.length);
  canvas.dataset.low = String(range.low);
  canvas.dataset.high = String(range.high);
  if (values.length <= MAX_DOM_VALUES) canvas.dataset.values = formatSeries(values);
  else delete canvas.dataset.values;
}

/** A plot being drawn: its context, size in CSS pixels, vertical range and colours. */
interface Plot {
  context: CanvasRenderingContext2D;
  width: number;
  height: number;
  steps: number;
  range: PlotRange;
  ink: string;
  accent: string;
  background: string;
}

/** The theme's colours: read from the document, since the canvas may not be attached yet. */
function themeColours(): Pick<Plot, 'ink' | 'accent' | 'background'> {
  const style = getComputedStyle(document.documentElement);
  const colour = (name: string, fallback: string) =>
    style.getPropertyValue(name).trim() || fallback;
  return {
    ink: colour('--vscode-editor-foreground', '#ccc'),
    accent: colour('--vscode-charts-blue', '#3794ff'),
    background: colour('--vscode-editor-background', '#1e1e1e'),
  };
}

/** Shades the half-open steps [t0, t1). */
function drawBand({ context, width, height, steps }: Plot, [t0, t1]: [number, number]): void {
  context.fillStyle = 'rgba(255, 200, 0, 0.18)';
  context.fillRect((t0 * width) / steps, 0, ((t1 - t0) * width) / steps, height);
}

function drawZeroLine({ context, width, height, range, ink }: Plot): void {
  const zero = valueY(0, range, height);
  context.strokeStyle = ink;
  context.globalAlpha = 0.35;
  context.lineWidth = 1;
  context.beginPath();
  context.moveTo(0, zero);
  context.lineTo(width, zero);
  context.stroke();
  context.globalAlpha = 1;
}

/** The line through the steps, with a dot on each when there are at most 64. */
function drawSeries(
  { context, width, height, range, steps, accent }: Plot,
  values: Float32Array,
): void {
  const x = (t: number) => stepX(t, steps, width);
  const y = (t: number) => valueY(values[t], range, height);
  context.strokeStyle = accent;
  context.lineWidth = 1.5;
  context.beginPath();
  for (let t = 0; t < steps; t++) {
    if (t === 0) context.moveTo(x(t), y(t));
    else context.lineTo(x(t), y(t));
  }
  context.stroke();
  if (steps > 64) return;
  context.fillStyle = accent;
  for (let t = 0; t < steps; t++) {
    context.beginPath();
    context.arc(x(t), y(t), 2, 0, 2 * Math.PI);
    context.fill();
  }
}

/** A vertical line at the step being explained. */
function drawHighlight({ context, width, height, steps }: Plot, step: number): void {
  const x = stepX(step, steps, width);
  context.strokeStyle = '#ffb000';
  context.lineWidth = 1;
  context.beginPath();
  context.moveTo(x, 0);
  context.lineTo(x, height);
  context.stroke();
}

/** Sum over channels of row-major [steps, channels] data (a projection onto a multi-channel signal). */
export function channelSum(data: ArrayLike<number>, channels: number): Float32Array {
  const steps = Math.floor(data.length / channels);
  const out = new Float32Array(steps);
  for (let i = 0; i < steps * channels; i++) out[Math.floor(i / channels)] += data[i];
  return out;
}
