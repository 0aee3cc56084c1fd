/** The panel: state, layout and the reaction to each host message. */
import type {
  HostToPanel,
  PanelSettings,
  PanelState,
  PanelTab,
} from '../src/protocol/panelProtocol';
import type { ModelSummary } from '../src/analysis/modelSummary';
import type { PanelHost } from './host';
import { FeatureMapsView } from './featureMapsView';
import { EnlargedView } from './enlargedView';
import { Tooltip } from './tooltip';
import { renderInput, renderLayerList } from './sidebar';
import { mapGeometry, type LayerData } from './layerData';
import { el } from './dom';
import { StructureView } from './structureView';
import { RfHover } from './rfHover';
import { ArithmeticView, explainablePosition } from './arithmeticView';
import { GalleryView } from './galleryView';
import { RfOverlay } from './rfOverlay';
import { ExplainView } from './explainView';
import { drawInputSignal } from './signalInput';
import { ErrorBanner } from './errorBanner';
import { PanelMemory } from './panelMemory';
import { renderPanelHeader } from './panelHeader';
import { TabBar } from './tabs';
import { ExplainRequests } from './explainRequests';
import { StatusLine } from './statusLine';
import type { ExplainToPanel } from '../src/protocol/explainMessages';
import { showBuiltLayers, stopBuiltLayers } from './builtLayers';
import { LayerSelection } from './layerSelection';

type ImageMessage = Extract<HostToPanel, { type: 'image' }>;
type ModelMessage = Extract<HostToPanel, { type: 'model' }>;
const DEFAULT_SETTINGS: PanelSettings = { colormap: 'viridis', normalization: 'layer' };

/** One handler per host message type: the table does not compile while a type is missing. */
type HostMessageHandlers = {
  [T in HostToPanel['type']]: (message: Extract<HostToPanel, { type: T }>) => void;
};

export class App {
  /** The model the panel shows: summary, engine, structure. */
  private model: ModelMessage | undefined;
  /** The selected layer, and which of the host's `layer` messages hold its maps. */
  private readonly selection = new LayerSelection();
  private image: ImageMessage | undefined;
  private layer: LayerData | undefined;
  private canPickImage = false;

  private readonly header = el('header', 'panel-header');
  private readonly status: StatusLine;
  private readonly errorBanner: ErrorBanner;
  private readonly inputPane = el('section', 'input-pane');
  private readonly layerPane = el('section', 'layer-pane');
  private readonly tooltip: Tooltip;
  private readonly enlarged: EnlargedView;
  private readonly rfHover = new RfHover();
  private readonly tabs: TabBar;
  private readonly explainRequests: ExplainRequests;
  private readonly featureMaps: FeatureMapsView;
  private readonly structureView: StructureView;
  private readonly gallery: GalleryView;
  /** A unit to open once its layer's maps arrive (a click in the Gallery tab). */
  private pendingUnit: { layer: string; unit: number; y: number; x: number } | undefined;
  private readonly arithmetic: ArithmeticView;
  private readonly explainView: ExplainView;
  private readonly main = el('main', 'main');
  /** What VS Code keeps of this panel (hidden and shown again, or a window reload). */
  private readonly memory: PanelMemory;
  /** The saved tab, opened once the model is known (the Gallery and Why tabs need it). */
  private tabToRestore: PanelTab | undefined;
  /** The saved Why unit, set once the model is known. */
  private explainUnitToRestore: PanelState['explainUnit'];

  constructor(
    root: HTMLElement,
    private readonly host: PanelHost,
  ) {
    this.memory = new PanelMemory(host);
    this.tabToRestore = this.memory.saved.tab;
    this.explainUnitToRestore = this.memory.saved.explainUnit;
    this.status = new StatusLine(
      () => host.post({ type: 'cancelRun' }),
      () => host.post({ type: 'retryRun' }),
    );
    this.tooltip = new Tooltip(root);
    this.featureMaps = new FeatureMapsView(
      DEFAULT_SETTINGS,
      this.tooltip,
      this.rfHover,
      (c) => this.enlarge(c),
      ({ normalization }) => this.memory.update({ normalization }),
    );
    this.structureView = this.createStructureView();
    this.gallery = new GalleryView(
      (m) => host.post(m),
      (layer, unit, y, x) => this.openUnit(layer, unit, y, x),
    );
    this.explainRequests = new ExplainRequests((m) => host.post(m));
    this.explainView = new ExplainView(this.explainRequests, (unit) =>
      this.memory.update({ explainUnit: unit }),
    );
    this.tabs = this.createTabs();
    this.errorBanner = this.layOut(root);
    this.arithmetic = new ArithmeticView(root, () => this.explainRequests.forget('arithmetic'));
    this.enlarged = this.createEnlargedView(root);
    this.tabs.select('feature-maps');
    host.onMessage((m) => this.onMessage(m));
    host.post({ type: 'ready' });
  }

  private createStructureView(): StructureView {
    const view = new StructureView(
      (name) => {
        this.select(name);
        this.showTab('feature-maps');
      },
      (text, what) => this.host.post({ type: 'copyText', text, what }),
      (key, direction) => this.memory.update({ structureSort: { key, direction } }),
    );
    const sort = this.memory.saved.structureSort;
    if (sort) view.restoreSort(sort.key, sort.direction);
    return view;
  }

  private createTabs(): TabBar {
    return new TabBar(
      [
        { id: 'feature-maps', label: 'Feature maps', view: this.featureMaps },
        { id: 'structure', label: 'Structure', view: this.structureView },
        { id: 'gallery', label: 'Gallery', view: this.gallery },
        { id: 'why', label: 'Why', view: this.explainView },
      ],
      (tab) => this.showTab(tab),
    );
  }

  /** Header, error banner, progress line, then the sidebar beside the tabs; returns the banner. */
  private layOut(root: HTMLElement): ErrorBanner {
    const sidebar = el('aside', 'sidebar');
    sidebar.append(this.inputPane, this.layerPane);
    this.main.id = 'main';
    this.main.addEventListener('scroll', () => this.rememberScroll(), { passive: true });
    this.main.append(this.tabs.element, ...this.tabs.views());
    const body = el('div', 'body');
    body.append(sidebar, this.main);
    const banner = new ErrorBanner(body, (location) =>
      this.host.post({ type: 'openLocation', location }),
    );
    root.append(this.header, banner.element, this.status.element, body);
    return banner;
  }

  /** The enlarged map of one channel, whose units open their arithmetic or the Why tab. */
  private createEnlargedView(root: HTMLElement): EnlargedView {
    return new EnlargedView(
      root,
      this.rfHover,
      (y, x) => this.rfHover.boxFor(y, x),
      (layer, channel, y, x) => this.showArithmetic(layer, channel, y, x),
      (layer, channel, position) => {
        this.explainView.setUnit({ layer, channel, position });
        this.showTab('why');
      },
    );
  }

  private get summary(): ModelSummary | undefined {
    return this.model?.summary;
  }

  private get selected(): string {
    return this.selection.selected;
  }

  private readonly handlers: HostMessageHandlers = {
    settings: (m) => this.onSettings(m),
    model: (m) => this.onModel(m),
    image: (m) => this.onImage(m),
    layer: (m) => this.onLayer(m),
    showGallery: () => this.showTab('gallery'),
    showUnit: (m) => this.openUnit(m.layer, m.unit, m.y, m.x),
    showTab: (m) => {
      if (this.summary) this.showTab(m.tab);
      else this.tabToRestore = m.tab;
    },
    modelBuilt: (m) => {
      if (!this.summary) showBuiltLayers(this.header, this.layerPane, m.summary);
    },
    busy: (m) => this.status.busy(m.message),
    explained: (m) => this.onExplained(m),
    explainProgress: (m) => this.onExplained(m),
    explainFailed: (m) => this.onExplained(m),
    copied: (m) => this.structureView.copied(m.what, m.error),
    error: (m) => {
      this.status.clear();
      this.errorBanner.show(m.message, m.location, this.summary !== undefined);
    },
    changes: (m) => this.status.changes(m.lines),
    cancelled: (m) => {
      this.status.cancelled(m.message, m.retryLabel);
      stopBuiltLayers(this.header, this.layerPane);
    },
    galleryState: (m) => this.gallery.onMessage(m),
    galleryImage: (m) => this.gallery.onMessage(m),
    galleryFolder: (m) => this.gallery.onMessage(m),
    galleryProgress: (m) => this.gallery.onMessage(m),
    galleryError: (m) => this.gallery.onMessage(m),
  };

  private onMessage(message: HostToPanel): void {
    const handler = this.handlers[message.type] as (message: HostToPanel) => void;
    handler(message);
  }

  private onSettings(message: Extract<HostToPanel, { type: 'settings' }>): void {
    this.canPickImage = message.canPickImage;
    // The normalisation chosen in this panel wins over the setting's default.
    this.featureMaps.setSettings({
      ...message.settings,
      normalization: this.memory.current.normalization ?? message.settings.normalization,
    });
    this.renderInputPane();
  }

  private onModel(message: ModelMessage): void {
    this.model = message;
    // The maps shown stay (marked by the progress line) until the new run's arrive.
    if (this.selection.modelShown(message.run, message.selectedLayer)) this.layer = undefined;
    this.errorBanner.clear();
    this.renderHeader();
    this.renderLayers();
    this.renderLayer();
    this.renderStructure();
    this.explainView.setModel(message.summary, message.selectedLayer);
    if (this.explainUnitToRestore) this.explainView.restoreUnit(this.explainUnitToRestore);
    this.explainUnitToRestore = undefined;
    if (this.tabToRestore) this.showTab(this.tabToRestore);
    this.tabToRestore = undefined;
    this.persist();
  }

  private onImage(message: ImageMessage): void {
    this.errorBanner.clear();
    this.image = message;
    this.selection.inputShown(message.run);
    this.explainView.setInput(message);
    this.renderInputPane();
    this.renderHeader();
    this.persist();
  }

  /**
   * The maps of the host's selected layer, unless they are of an earlier run or an older choice;
   * the panel marks their layer (it differs when a click raced the host's own choice).
   */
  private onLayer(message: Extract<HostToPanel, { type: 'layer' }>): void {
    const shown = this.selected;
    if (!this.selection.receive(message)) return;
    this.layer = message;
    if (message.name !== shown) {
      this.renderLayers();
      this.structureView.setSelected(message.name);
      this.persist();
    }
    this.renderLayer();
    this.restoreScroll();
    this.openPendingUnit();
  }

  /** Answers, failures and progress of explanations: only those of the latest question count. */
  private onExplained(message: ExplainToPanel): void {
    this.explainRequests.receive(message, {
      answer: (answer) =>
        answer.kind === 'arithmetic'
          ? this.arithmetic.show(answer.result)
          : this.explainView.onAnswer(answer),
      failure: (query, text) =>
        query.kind === 'arithmetic'
          ? this.arithmetic.failed(text)
          : this.explainView.onFailure(query, text),
      progress: (kind, text) => this.explainView.onProgress(kind, text),
    });
  }

  private select(name: string): void {
    if (name === this.selected) return;
    const request = this.selection.select(name);
    this.layer = undefined;
    this.renderLayers();
    this.renderLayer();
    this.structureView.setSelected(name);
    this.host.post({ type: 'selectLayer', name, request });
    this.persist();
  }

  /** Saves what the panel shows, for hide/show and window reloads. */
  private persist(): void {
    const kept = this.memory.current;
    this.memory.update({
      modelFile: this.summary?.file ?? kept.modelFile,
      exportName: this.summary?.exportName ?? kept.exportName,
      inputSource: this.image?.inputSource ?? kept.inputSource,
      layer: this.selected || kept.layer,
      tab: this.tabToRestore ?? this.tabs.selected,
    });
  }

  private rememberScroll(): void {
    this.memory.rememberScroll(this.tabs.selected, this.main.scrollTop);
  }

  /** Back to where the user had scrolled this tab, once its content is there. */
  private restoreScroll(): void {
    const top = this.memory.scrollOf(this.tabs.selected);
    if (top && this.main.scrollTop === 0) this.main.scrollTop = top;
  }

  private renderHeader(): void {
    const model = this.model;
    if (!model) return;
    const { summary, backend, backendNotes = [], engineFallback } = model;
    const facts = { summary, backend, backendNotes, engineFallback, inVsCode: this.canPickImage };
    renderPanelHeader(this.header, facts, this.host);
  }

  private renderInputPane(): void {
    renderInput(this.inputPane, this.image, this.canPickImage, () =>
      this.host.post({ type: 'pickImage' }),
    );
    if (this.image) {
      const frame = this.inputPane.querySelector<HTMLElement>('#input-frame');
      const readout = this.inputPane.querySelector<HTMLElement>('#rf-readout');
      drawInputSignal(this.inputPane, this.image);
      this.rfHover.attach(frame, readout, this.image.height, this.image.width);
    }
  }

  private showTab(tab: PanelTab): void {
    const changed = tab !== this.tabs.selected;
    this.tabs.select(tab);
    if (changed) {
      this.main.scrollTop = 0;
      this.restoreScroll();
      this.persist();
    }
  }

  private renderStructure(): void {
    if (!this.model) return;
    const { summary, structure, structureError } = this.model;
    const name = summary.exportName === 'default' ? summary.modelName : summary.exportName;
    this.structureView.render(name, structure, structureError, this.selected);
  }

  private renderLayers(): void {
    if (this.summary)
      renderLayerList(this.layerPane, this.summary, this.selected, (n) =>
        // A click on the selected layer takes the editor back to its line.
        n === this.selected ? this.host.post({ type: 'revealLayer', name: n }) : this.select(n),
      );
  }

  private renderLayer(): void {
    if (!this.model) return;
    const { summary, structure } = this.model;
    const layer = summary.layers.find((l) => l.name === this.selected);
    if (!layer) return;
    const field = structure?.layers.find((l) => l.name === layer.name)?.receptiveField;
    this.rfHover.setLayer(this.layer ? layer.name : undefined, field);
    const isOutput = summary.layers[summary.layers.length - 1].name === layer.name;
    this.featureMaps.show({
      layer,
      data: this.layer,
      hasImage: this.image !== undefined,
      labels: isOutput ? summary.labels : undefined,
    });
  }

  /** A click on a unit of an enlarged map: its arithmetic (convolution and pooling layers). */
  private showArithmetic(layer: string, channel: number, y: number, x: number): void {
    const position = this.layer && explainablePosition(this.layer.shape, y, x);
    if (!position) return;
    this.arithmetic.pending(layer, channel, position);
    this.explainRequests.ask({ kind: 'arithmetic', layer, position, channel });
  }

  /** Feature map of `unit` enlarged, with the receptive field of position (y, x) on the input. */
  private openUnit(layer: string, unit: number, y: number, x: number): void {
    this.pendingUnit = { layer, unit, y, x };
    this.showTab('feature-maps');
    if (layer !== this.selected) this.select(layer);
    else this.openPendingUnit();
  }

  private openPendingUnit(): void {
    const pending = this.pendingUnit;
    if (!pending || !this.layer || this.layer.name !== pending.layer) return;
    this.pendingUnit = undefined;
    this.enlarge(pending.unit);
    this.enlarged.readUnit(pending.y, pending.x);
    const box = this.rfHover.boxFor(pending.y, pending.x);
    const frame = document.querySelector<HTMLElement>('#enlarged-view .input-frame');
    if (box && frame && this.image) {
      new RfOverlay(frame, this.image.width, this.image.height, 'rf-box-gallery').show(box);
    }
  }

  private enlarge(channel: number): void {
    const geometry = this.layer && mapGeometry(this.layer.shape);
    if (this.layer && geometry)
      this.enlarged.open(
        this.layer,
        geometry,
        channel,
        this.featureMaps.scaleOf(channel),
        this.image,
      );
  }
}
