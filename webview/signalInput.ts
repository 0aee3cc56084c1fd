/**
 * 1-D models in the panel: the input signal as a line plot in the sidebar (in place of the grey
 * strip), and the plot tiles of sequence layers ([steps, channels]) in the feature grid.
 */
import { channelSeries, drawSignalPlot, plotRange, type PlotRange } from './signalPlot';
import type { LayerData, MapGeometry } from './layerData';

/** Replaces the sidebar's input strip (#input-image) with a plot of the signal's first channel. */
export function drawInputSignal(
  pane: HTMLElement,
  image: { signal?: Float32Array; width: number },
): void {
  const strip = pane.querySelector<HTMLCanvasElement>('#input-image');
  if (!strip || !image.signal || image.width < 1) return;
  const channels = Math.round(image.signal.length / image.width);
  if (channels < 1 || channels * image.width !== image.signal.length) return;
  const values = channelSeries(image.signal, channels, 0);
  drawSignalPlot(strip, values, { width: 300, height: 120 });
  strip.dataset.channels = String(channels);
  strip.style.aspectRatio = `${300 / 120}`;
  strip.classList.add('signal-plot');
  const pick = pane.querySelector<HTMLButtonElement>('#pick-image');
  if (pick) pick.textContent = 'Change signal\u2026';
}

/** The range shared by a layer's plots under per-layer normalisation. */
export function layerPlotRange(layer: LayerData): PlotRange {
  return plotRange([layer.min, layer.max]);
}

/** Paints channel `c` of a sequence layer as a line plot into a tile's canvas. */
export function drawSequenceTile(
  canvas: HTMLCanvasElement,
  layer: LayerData,
  g: MapGeometry,
  c: number,
  range: PlotRange | undefined,
  highlight?: number,
): void {
  drawSignalPlot(canvas, channelSeries(layer.data, g.channels, c), {
    range,
    width: 240,
    height: 96,
    highlight,
  });
  canvas.dataset.channel = String(c);
  canvas.style.aspectRatio = `${240 / 96}`;
}
