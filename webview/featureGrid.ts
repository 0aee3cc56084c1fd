/**
 * Every channel of a layer as a tile. Tiles are cheap placeholders until they scroll into view:
 * only visible tiles are painted, so a 512-channel layer or 64 maps of 224x224 stay smooth.
 */
import { scaleFor, type ColorScale } from './colormap';
import { drawChannel, unitUnderPointer } from './drawMap';
import { channelRanges, formatValue, valueAt, type LayerData, type MapGeometry } from './layerData';
import type { Tooltip } from './tooltip';
import type { Normalization, SequentialColormap } from '../src/protocol/panelProtocol';
import { drawSequenceTile, layerPlotRange } from './signalInput';

export interface GridOptions {
  normalization: Normalization;
  colormap: SequentialColormap;
  tileSize: number;
}

/** What else reacts to the unit under the pointer (the receptive-field box on the input). */
export interface UnitHover {
  /** Called on every move over a map; returns extra text for the tooltip, if any. */
  enter(y: number, x: number): string | undefined;
  leave(): void;
}

export class FeatureGrid {
  private readonly grid: HTMLDivElement;
  private observer: IntersectionObserver | undefined;
  private layer: LayerData | undefined;
  private geometry: MapGeometry | undefined;
  private ranges: { min: Float32Array; max: Float32Array } | undefined;
  private options: GridOptions | undefined;

  constructor(
    parent: HTMLElement,
    private readonly tooltip: Tooltip,
    private readonly onEnlarge: (channel: number) => void,
    private readonly unitHover?: UnitHover,
  ) {
    this.grid = document.createElement('div');
    this.grid.id = 'feature-grid';
    this.grid.className = 'feature-grid';
    parent.appendChild(this.grid);
  }

  render(layer: LayerData, geometry: MapGeometry, options: GridOptions): void {
    const sameLayer = this.layer === layer;
    this.layer = layer;
    this.geometry = geometry;
    this.options = options;
    if (!sameLayer) this.ranges = channelRanges(layer, geometry);
    this.observer?.disconnect();
    this.observer = new IntersectionObserver((entries) => this.onVisible(entries), {
      root: null, // the viewport, clipped by every scrolling ancestor (the layout changes with width)
      rootMargin: '200px',
    });
    this.grid.replaceChildren();
    this.grid.style.setProperty('--tile-size', `${options.tileSize}px`);
    // Sequences ([steps, channels]) are line plots, 2.5 times wider than high.
    const aspect = geometry.height === 1 ? 1 / 2.5 : geometry.height / geometry.width;
    this.grid.classList.toggle('line-plots', geometry.height === 1);
    const fragment = document.createDocumentFragment();
    for (let c = 0; c < geometry.channels; c++) {
      fragment.appendChild(this.makeTile(c, aspect));
    }
    this.grid.appendChild(fragment);
    this.grid.querySelectorAll('.tile').forEach((tile) => this.observer!.observe(tile));
  }

  /** The colour scale of a channel under the current normalisation. */
  scaleOf(channel: number): ColorScale {
    const layer = this.layer!;
    const { normalization, colormap } = this.options!;
    if (normalization === 'layer') return scaleFor(layer.min, layer.max, colormap);
    const lo = this.ranges!.min[channel];
    const hi = this.ranges!.max[channel];
    // Signed layers keep the diverging map in every tile, so colours mean the same sign everywhere.
    return layer.min < 0
      ? scaleFor(Math.min(lo, -1e-12), hi, colormap)
      : scaleFor(lo, hi, colormap);
  }

  channelRange(channel: number): { min: number; max: number } {
    return { min: this.ranges!.min[channel], max: this.ranges!.max[channel] };
  }

  clear(): void {
    this.observer?.disconnect();
    this.grid.replaceChildren();
    this.layer = undefined;
  }

  private makeTile(channel: number, aspect: number): HTMLElement {
    const tile = document.createElement('figure');
    tile.className = 'tile';
    tile.dataset.channel = String(channel);
    tile.tabIndex = 0;
    tile.setAttribute('aria-label', `channel ${channel}`);
    const canvas = document.createElement('canvas');
    canvas.style.aspectRatio = `${1 / aspect}`;
    const caption = document.createElement('figcaption');
    caption.textContent = String(channel);
    tile.append(canvas, caption);
    canvas.addEventListener('mousemove', (e) => this.onHover(channel, canvas, e));
    canvas.addEventListener('mouseleave', () => {
      this.tooltip.hide();
      this.unitHover?.leave();
    });
    tile.addEventListener('click', () => this.onEnlarge(channel));
    tile.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') this.onEnlarge(channel);
    });
    return tile;
  }

  private onVisible(entries: IntersectionObserverEntry[]): void {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      const tile = entry.target as HTMLElement;
      const channel = Number(tile.dataset.channel);
      const canvas = tile.querySelector('canvas')!;
      if (this.geometry!.height === 1) {
        const range =
          this.options!.normalization === 'layer' ? layerPlotRange(this.layer!) : undefined;
        drawSequenceTile(canvas, this.layer!, this.geometry!, channel, range);
      } else drawChannel(canvas, this.layer!, this.geometry!, channel, this.scaleOf(channel));
      tile.dataset.drawn = 'true';
      this.observer?.unobserve(tile);
    }
  }

  private onHover(channel: number, canvas: HTMLCanvasElement, event: MouseEvent): void {
    if (!this.layer || !this.geometry) return;
    const { y, x } = unitUnderPointer(canvas, event, this.geometry);
    const value = valueAt(this.layer, this.geometry, channel, y, x);
    const where = this.geometry.height === 1 ? `t ${x}` : `y ${y}, x ${x}`;
    const extra = this.unitHover?.enter(y, x);
    this.tooltip.show(
      `channel ${channel} \u00b7 ${where} \u00b7 ${formatValue(value)}${extra ? `\n${extra}` : ''}`,
      event,
    );
  }
}
