/**
 * The Why tab: why one unit fires. Its projections back to the input (deconvnet, guided
 * backprop, gradient) and the filters of a convolution layer. The unit is the layer's strongest
 * by default, or the one chosen in the enlarged view; the view asks the host only when it is shown.
 */
import type { ClassQuery, ExplainAnswer, ExplainQuery } from '../src/protocol/explainMessages';
import { isClassExplanation } from '../src/analysis/explain/classExplanationKinds';
import { ClassExplainView, type ClassInput } from './explainClass';
import type { ExplainRequests } from './explainRequests';
import type { ModelSummary } from '../src/analysis/modelSummary';
import { layerCapabilities } from '../src/analysis/layerCapabilities';
import type { FilterResult } from '../src/protocol/worker/explainProtocol';
import { el } from './dom';
import { renderProjections, type ExplainInput } from './explainProjections';
import { FILTERS_PER_PAGE, renderFilters, type FilterScaling } from './explainFilters';

export interface ExplainUnit {
  layer: string;
  /** Undefined: the strongest channel; with a channel but no position, its strongest position. */
  channel?: number;
  position?: number[];
}

/** Layers whose units have a position (feature maps and sequences). */
function mapLayers(summary: ModelSummary): string[] {
  return summary.layers
    .filter((l) => l.layout === 'spatial' || l.layout === 'sequence')
    .map((l) => l.name);
}

/** Layers whose filters the tab draws (convolutions: ../src/analysis/layerCapabilities.ts). */
function filterLayers(summary: ModelSummary): string[] {
  return summary.layers.filter((l) => layerCapabilities(l.className).filters).map((l) => l.name);
}

/** "3, 5" or "7" to numbers; empty text is no position. */
export function parsePosition(text: string): number[] | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  const parts = trimmed.split(/[\s,]+/).map(Number);
  return parts.every((p) => Number.isInteger(p) && p >= 0) ? parts : undefined;
}

export class ExplainView {
  readonly element = el('div', 'why-view');
  private summary: ModelSummary | undefined;
  private input: ExplainInput | undefined;
  private unit: ExplainUnit | undefined;
  private filterLayer: string | undefined;
  private filterFirst = 0;
  private scaling: FilterScaling = 'together';
  private filters: FilterResult | undefined;
  private active = false;
  private readonly controls = el('div', 'why-controls');
  private readonly projections = el('div', 'why-projection-area');
  private readonly filterArea = el('div', 'why-filter-area');
  private readonly filterControls = el('div', 'why-controls');
  private readonly classView: ClassExplainView;

  constructor(
    /** Asks the host; answers to older questions never reach this view. */
    private readonly explain: ExplainRequests,
    /** A unit the user chose (not the default one), to keep across hide/show and reloads. */
    private readonly onUnitChosen: (unit: ExplainUnit) => void = () => {},
  ) {
    this.classView = new ClassExplainView(explain);
    this.element.id = 'why-view';
    const heading = el('h2', 'why-heading');
    heading.textContent = 'Why does this unit fire?';
    const filterHeading = el('h2', 'why-heading');
    filterHeading.textContent = 'Filters';
    this.element.append(
      this.classView.element,
      heading,
      this.controls,
      this.projections,
      filterHeading,
      this.filterControls,
      this.filterArea,
    );
  }

  setModel(summary: ModelSummary, selectedLayer: string): void {
    const changed =
      this.summary?.file !== summary.file || this.summary?.exportName !== summary.exportName;
    this.summary = summary;
    this.classView.setModel(summary);
    const layers = mapLayers(summary);
    if (changed || !this.unit || !layers.includes(this.unit.layer)) {
      const layer = layers.includes(selectedLayer) ? selectedLayer : layers[layers.length - 1];
      this.unit = layer ? { layer } : undefined;
    }
    const convs = filterLayers(summary);
    if (changed || !this.filterLayer || !convs.includes(this.filterLayer)) {
      this.filterLayer = convs[0];
      this.filterFirst = 0;
    }
    this.explain.forget('projections', 'filters');
    this.renderControls();
    this.refresh();
  }

  /** A new input: every explanation is asked again. */
  setInput(input: (ExplainInput & Partial<ClassInput>) | undefined): void {
    this.input = input;
    this.classView.setInput(input ? { ...input, top5: input.top5 ?? [] } : undefined);
    this.explain.forget('projections', 'filters');
    this.refresh();
  }

  /** The unit to explain (from the enlarged view, or the selected layer while none was chosen). */
  setUnit(unit: ExplainUnit): void {
    this.unit = unit;
    this.explain.forget('projections');
    this.onUnitChosen(unit);
    this.renderControls();
    this.refresh();
  }

  /** A unit kept from before (hide/show, reload), if the model still has its layer. */
  restoreUnit(unit: ExplainUnit): void {
    if (this.summary && mapLayers(this.summary).includes(unit.layer)) this.setUnit(unit);
  }

  get currentUnit(): ExplainUnit | undefined {
    return this.unit;
  }

  activate(): void {
    this.active = true;
    this.refresh();
  }

  deactivate(): void {
    this.active = false;
  }

  onProgress(kind: ClassQuery['kind'], message: string): void {
    this.classView.onProgress(kind, message);
  }

  onAnswer(answer: ExplainAnswer): void {
    if (isClassExplanation(answer)) {
      this.classView.onAnswer(answer);
    } else if (answer.kind === 'projections') {
      this.projections.replaceChildren(renderProjections(answer.result, this.input));
    } else if (answer.kind === 'filters') {
      this.filters = answer.result;
      this.renderFilterSet();
    }
  }

  onFailure(query: ExplainQuery, message: string): void {
    if (isClassExplanation(query)) {
      this.classView.onFailure(query.kind, message);
      return;
    }
    const area =
      query.kind === 'projections'
        ? this.projections
        : query.kind === 'filters'
          ? this.filterArea
          : undefined;
    if (!area) return;
    const p = el('p', 'error');
    p.className = 'error why-error';
    p.textContent = message;
    area.replaceChildren(p);
  }

  private refresh(): void {
    if (!this.active || !this.summary) return;
    this.classView.refresh();
    if (!this.input) {
      this.projections.replaceChildren(
        Object.assign(el('p', 'hint'), { textContent: 'Choose an input to see why units fire.' }),
      );
      this.filterArea.replaceChildren();
      return;
    }
    const unit = this.unit;
    if (unit) {
      const { layer, channel, position } = unit;
      if (this.explain.askOnce({ kind: 'projections', layer, channel, position }))
        this.projections.replaceChildren(
          Object.assign(el('p', 'hint'), { textContent: 'Computing\u2026' }),
        );
    } else {
      this.projections.replaceChildren(
        Object.assign(el('p', 'hint'), {
          textContent: 'This model has no layer with feature maps.',
        }),
      );
    }
    if (this.filterLayer) {
      this.explain.askOnce({
        kind: 'filters',
        layer: this.filterLayer,
        first: this.filterFirst,
        count: FILTERS_PER_PAGE,
      });
    } else {
      this.filterArea.replaceChildren(
        Object.assign(el('p', 'hint'), { textContent: 'This model has no convolution layer.' }),
      );
    }
  }

  private renderControls(): void {
    if (!this.summary) return;
    const unit = this.unit;
    const layerSelect = document.createElement('select');
    layerSelect.id = 'why-layer';
    for (const name of mapLayers(this.summary))
      layerSelect.add(new Option(name, name, false, name === unit?.layer));
    const channel = document.createElement('input');
    channel.id = 'why-channel';
    channel.type = 'number';
    channel.min = '0';
    channel.placeholder = 'strongest';
    channel.value = unit?.channel !== undefined ? String(unit.channel) : '';
    const position = document.createElement('input');
    position.id = 'why-position';
    position.placeholder = 'strongest';
    position.size = 8;
    position.value = unit?.position?.join(', ') ?? '';
    position.title =
      'y, x for feature maps; t for sequences; empty: the channel\u2019s strongest unit';
    const show = Object.assign(el('button', ''), { textContent: 'Explain' });
    show.id = 'why-explain';
    const strongest = Object.assign(el('button', 'secondary'), { textContent: 'Strongest unit' });
    strongest.id = 'why-strongest';
    const apply = (reset: boolean) => {
      const ch = channel.value.trim() === '' ? undefined : Number(channel.value);
      const pos = parsePosition(position.value);
      this.setUnit({
        layer: layerSelect.value,
        channel: reset || !Number.isInteger(ch) ? undefined : ch,
        position: reset || ch === undefined ? undefined : pos,
      });
    };
    layerSelect.addEventListener('change', () => apply(true));
    show.addEventListener('click', () => apply(false));
    strongest.addEventListener('click', () => apply(true));
    const label = (text: string, control: HTMLElement) => {
      const l = el('label', 'control');
      l.append(text, control);
      return l;
    };
    this.controls.replaceChildren(
      label('Layer ', layerSelect),
      label('Channel ', channel),
      label('Position ', position),
      show,
      strongest,
    );
    this.renderFilterControls();
  }

  private renderFilterControls(): void {
    if (!this.summary) return;
    const select = document.createElement('select');
    select.id = 'why-filter-layer';
    for (const name of filterLayers(this.summary))
      select.add(new Option(name, name, false, name === this.filterLayer));
    select.addEventListener('change', () => {
      this.filterLayer = select.value;
      this.filterFirst = 0;
      this.filters = undefined;
      this.refresh();
    });
    const scaling = document.createElement('select');
    scaling.id = 'why-filter-scaling';
    scaling.add(new Option('together', 'together', false, this.scaling === 'together'));
    scaling.add(new Option('one by one', 'alone', false, this.scaling === 'alone'));
    scaling.addEventListener('change', () => {
      this.scaling = scaling.value as FilterScaling;
      this.renderFilterSet();
    });
    const layer = el('label', 'control');
    layer.append('Layer ', select);
    const norm = el('label', 'control');
    norm.append('Normalise ', scaling);
    this.filterControls.replaceChildren(layer, norm);
  }

  private renderFilterSet(): void {
    if (!this.filters) return;
    this.filterArea.replaceChildren(
      renderFilters(this.filters, this.scaling, this.input, (first) => {
        this.filterFirst = first;
        this.refresh();
      }),
    );
  }
}
