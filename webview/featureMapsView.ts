/**
 * The "Feature maps" tab: the selected layer's title, the normalisation and tile-size controls,
 * the colour legend, and every channel as a tile (or a bar chart for vector layers).
 */
import type { PanelSettings } from '../src/protocol/panelProtocol';
import type { LayerSummary } from '../src/analysis/modelSummary';
import type { ColorScale } from './colormap';
import { FeatureGrid } from './featureGrid';
import { renderLegend } from './legend';
import { renderVector } from './vectorView';
import { paramCount } from './sidebar';
import { formatShape } from '../src/analysis/format';
import { mapGeometry, type LayerData } from './layerData';
import { el } from './dom';
import type { Tooltip } from './tooltip';
import type { RfHover } from './rfHover';

export interface FeatureMapsContent {
  layer: LayerSummary;
  /** undefined while the activations are on their way (or before an image is chosen). */
  data: LayerData | undefined;
  hasImage: boolean;
  /** Class names, for the bars of the output layer. */
  labels: string[] | undefined;
}

export class FeatureMapsView {
  readonly element = el('div', 'feature-view');
  private readonly title = el('h2', 'layer-title');
  private readonly toolbar = el('div', 'toolbar');
  private readonly legend = el('div', 'legend');
  private readonly content = el('div', 'layer-content');
  private readonly grid: FeatureGrid;
  private tileSize = 96;
  private content_: FeatureMapsContent | undefined;

  constructor(
    private settings: PanelSettings,
    private readonly tooltip: Tooltip,
    rfHover: RfHover,
    onEnlarge: (channel: number) => void,
    private readonly onSettingsChange: (settings: PanelSettings) => void = () => {},
  ) {
    this.element.id = 'feature-view';
    this.element.append(this.title, this.toolbar, this.legend, this.content);
    this.grid = new FeatureGrid(this.content, tooltip, onEnlarge, rfHover);
    this.renderToolbar();
  }

  setSettings(settings: PanelSettings): void {
    this.settings = settings;
    this.renderToolbar();
    this.redraw();
  }

  show(content: FeatureMapsContent): void {
    this.content_ = content;
    this.redraw();
  }

  scaleOf(channel: number): ColorScale {
    return this.grid.scaleOf(channel);
  }

  private redraw(): void {
    const shown = this.content_;
    if (!shown) return;
    const { layer, data } = shown;
    this.title.textContent = `${layer.name} \u00b7 ${layer.className} \u00b7 ${formatShape(layer.outputShape)} \u00b7 ${paramCount(layer).toLocaleString('en-US')} params`;
    this.title.dataset.layer = layer.name;
    this.grid.clear();
    this.content.querySelector('#vector-view')?.remove();
    this.content.querySelector('.hint')?.remove();
    this.legend.replaceChildren();
    if (!data) {
      const waiting = el('p', 'hint');
      waiting.textContent = shown.hasImage
        ? 'Computing\u2026'
        : 'Choose an image to see this layer\u2019s activations.';
      this.content.appendChild(waiting);
      return;
    }
    const geometry = mapGeometry(data.shape);
    if (!geometry) {
      renderVector(this.content, data, this.settings.colormap, shown.labels, this.tooltip);
      return;
    }
    this.grid.render(data, geometry, { ...this.settings, tileSize: this.tileSize });
    if (geometry.height === 1) return; // line plots carry their own axes: no colour legend
    if (this.settings.normalization === 'channel') {
      renderLegend(
        this.legend,
        this.grid.scaleOf(0),
        'each tile spans its own channel\u2019s range',
        {
          low: 'channel min',
          high: 'channel max',
        },
      );
    } else {
      renderLegend(
        this.legend,
        this.grid.scaleOf(0),
        `${geometry.channels} channels \u00b7 whole-layer range`,
      );
    }
  }

  private renderToolbar(): void {
    const normalization = el('label', 'control');
    normalization.textContent = 'Normalise ';
    const select = document.createElement('select');
    select.id = 'normalization';
    for (const [value, text] of [
      ['layer', 'per layer'],
      ['channel', 'per channel'],
    ]) {
      select.add(new Option(text, value, false, value === this.settings.normalization));
    }
    select.addEventListener('change', () => {
      this.settings = {
        ...this.settings,
        normalization: select.value as PanelSettings['normalization'],
      };
      this.onSettingsChange(this.settings);
      this.redraw();
    });
    normalization.appendChild(select);
    const size = el('label', 'control');
    size.textContent = 'Tile size ';
    const slider = document.createElement('input');
    slider.type = 'range';
    slider.min = '32';
    slider.max = '320';
    slider.step = '8';
    slider.value = String(this.tileSize);
    slider.addEventListener('input', () => {
      this.tileSize = Number(slider.value);
      this.content.style.setProperty('--tile-size', `${this.tileSize}px`);
    });
    size.appendChild(slider);
    this.toolbar.replaceChildren(normalization, size);
  }
}
