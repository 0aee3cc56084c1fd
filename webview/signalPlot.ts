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
  const steps = values.length;
  const range = options.range ?? plotRange(values);
  const cssWidth = options.width ?? 240;
  const cssHeight = options.height ?? 120;
  const ratio = Math.max(1, Math.round(globalThis.devicePixelRatio || 1));
  canvas.width = cssWidth * ratio;
  canvas.height = cssHeight * ratio;
  canvas.dataset.plot = 'line';
  canvas.dataset.steps = String(steps);
  canvas.dataset.low = String(range.low);
  canvas.dataset.high = String(range.high);
  if (steps <= MAX_DOM_VALUES) canvas.dataset.values = formatSeries(values);
  else delete canvas.dataset.values;
  const context = canvas.getContext('2d');
  if (!context || steps === 0) return;
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  // The theme's colours: read from the document, since the canvas may not be attached yet.
  const style = getComputedStyle(document.documentElement);
  const ink = style.getPropertyValue('--vscode-editor-foreground').trim() || '#ccc';
  const accent = style.getPropertyValue('--vscode-charts-blue').trim() || '#3794ff';
  context.fillStyle = style.getPropertyValue('--vscode-editor-background').trim() || '#1e1e1e';
  context.fillRect(0, 0, cssWidth, cssHeight);
  if (options.band) {
    const [t0, t1] = options.band;
    context.fillStyle = 'rgba(255, 200, 0, 0.18)';
    context.fillRect((t0 * cssWidth) / steps, 0, ((t1 - t0) * cssWidth) / steps, cssHeight);
  }
  const zero = valueY(0, range, cssHeight);
  context.strokeStyle = ink;
  context.globalAlpha = 0.35;
  context.lineWidth = 1;
  context.beginPath();
  context.moveTo(0, zero);
  context.lineTo(cssWidth, zero);
  context.stroke();
  context.globalAlpha = 1;
  context.strokeStyle = accent;
  context.lineWidth = 1.5;
  context.beginPath();
  for (let t = 0; t < steps; t++) {
    const x = stepX(t, steps, cssWidth);
    const y = valueY(values[t], range, cssHeight);
    if (t === 0) context.moveTo(x, y);
    else context.lineTo(x, y);
  }
  context.stroke();
  if (steps <= 64) {
    context.fillStyle = accent;
    for (let t = 0; t < steps; t++) {
      context.beginPath();
      context.arc(
        stepX(t, steps, cssWidth),
        valueY(values[t], range, cssHeight),
        2,
        0,
        2 * Math.PI,
      );
      context.fill();
    }
  }
  if (options.highlight !== undefined) {
    const x = stepX(options.highlight, steps, cssWidth);
    context.strokeStyle = '#ffb000';
    context.lineWidth = 1;
    context.beginPath();
    context.moveTo(x, 0);
    context.lineTo(x, cssHeight);
    context.stroke();
  }
}

/** Sum over channels of row-major [steps, channels] data (a projection onto a multi-channel signal). */
export function channelSum(data: ArrayLike<number>, channels: number): Float32Array {
  const steps = Math.floor(data.length / channels);
  const out = new Float32Array(steps);
  for (let i = 0; i < steps * channels; i++) out[Math.floor(i / channels)] += data[i];
  return out;
}
