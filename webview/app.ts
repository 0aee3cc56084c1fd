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
import type { ModelStructure } from '../src/analysis/structure/modelStructure';
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
import { showBuiltLayers } from './builtLayers';

type ImageMessage = Extract<HostToPanel, { type: 'image' }>;
const DEFAULT_SETTINGS: PanelSettings = { colormap: 'viridis', normalization: 'layer' };

export class App {
  private summary: ModelSummary | undefined;
  private structure: ModelStructure | null = null;
  private structureError: string | undefined;
  private backend = '';
  private backendNotes: string[] = [];
  private engineFallback: string | undefined;
  private selected = '';
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
  private readonly main: HTMLElement;
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
    this.status = new StatusLine(() => host.post({ type: 'cancelRun' }));
    const sidebar = el('aside', 'sidebar');
    sidebar.append(this.inputPane, this.layerPane);
    const main = el('main', 'main');
    main.id = 'main';
    this.main = main;
    this.memory = new PanelMemory(host);
    this.tabToRestore = this.memory.saved.tab;
    this.explainUnitToRestore = this.memory.saved.explainUnit;
    main.addEventListener('scroll', () => this.rememberScroll(), { passive: true });
    this.tooltip = new Tooltip(root);
    this.featureMaps = new FeatureMapsView(
      DEFAULT_SETTINGS,
      this.tooltip,
      this.rfHover,
      (c) => this.enlarge(c),
      ({ normalization }) => this.memory.update({ normalization }),
    );
    this.structureView = new StructureView(
      (name) => {
        this.select(name);
        this.showTab('feature-maps');
      },
      (text, what) => host.post({ type: 'copyText', text, what }),
      (key, direction) => this.memory.update({ structureSort: { key, direction } }),
    );
    const sort = this.memory.saved.structureSort;
    if (sort) this.structureView.restoreSort(sort.key, sort.direction);
    this.gallery = new GalleryView(
      (m) => host.post(m),
      (layer, unit, y, x) => this.openUnit(layer, unit, y, x),
    );
    this.explainRequests = new ExplainRequests((m) => host.post(m));
    this.explainView = new ExplainView(this.explainRequests, (unit) =>
      this.memory.update({ explainUnit: unit }),
    );
    this.tabs = new TabBar(
      [
        { id: 'feature-maps', label: 'Feature maps', view: this.featureMaps },
        { id: 'structure', label: 'Structure', view: this.structureView },
        { id: 'gallery', label: 'Gallery', view: this.gallery },
        { id: 'why', label: 'Why', view: this.explainView },
      ],
      (tab) => this.showTab(tab),
    );
    main.append(this.tabs.element, ...this.tabs.views());
    const body = el('div', 'body');
    body.append(sidebar, main);
    this.errorBanner = new ErrorBanner(body, (location) =>
      host.post({ type: 'openLocation', location }),
    );
    root.append(this.header, this.errorBanner.element, this.status.element, body);
    this.arithmetic = new ArithmeticView(root, () => this.explainRequests.forget('arithmetic'));
    this.enlarged = new EnlargedView(
      root,
      this.rfHover,
      (y, x) => this.rfHover.boxFor(y, x),
      (layer, channel, y, x) => this.showArithmetic(layer, channel, y, x),
      (layer, channel, position) => {
        this.explainView.setUnit({ layer, channel, position });
        this.showTab('why');
      },
    );
    this.tabs.select('feature-maps');
    host.onMessage((m) => this.onMessage(m));
    host.post({ type: 'ready' });
  }

  private onMessage(message: HostToPanel): void {
    switch (message.type) {
      case 'settings':
        this.canPickImage = message.canPickImage;
        // The normalisation chosen in this panel wins over the setting's default.
        this.featureMaps.setSettings({
          ...message.settings,
          normalization: this.memory.current.normalization ?? message.settings.normalization,
        });
        this.renderInputPane();
        return;
      case 'model':
        this.summary = message.summary;
        this.backend = message.backend;
        this.backendNotes = message.backendNotes ?? [];
        this.engineFallback = message.engineFallback;
        this.structure = message.structure;
        this.structureError = message.structureError;
        if (this.selected !== message.selectedLayer) this.layer = undefined;
        this.selected = message.selectedLayer;
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
        return;
      case 'image':
        this.errorBanner.clear();
        this.image = message;
        this.explainView.setInput(message);
        this.renderInputPane();
        this.renderHeader();
        this.persist();
        return;
      case 'layer':
        if (message.name !== this.selected) return;
        this.layer = message;
        this.renderLayer();
        this.restoreScroll();
        this.openPendingUnit();
        return;
      case 'showGallery':
        this.showTab('gallery');
        return;
      case 'showUnit':
        this.openUnit(message.layer, message.unit, message.y, message.x);
        return;
      case 'selectLayer':
        this.select(message.name);
        return;
      case 'showTab':
        if (this.summary) this.showTab(message.tab);
        else this.tabToRestore = message.tab;
        return;
      case 'modelBuilt':
        if (!this.summary) showBuiltLayers(this.header, this.layerPane, message.summary);
        return;
      case 'busy':
        this.status.busy(message.message);
        return;
      case 'explained':
      case 'explainProgress':
      case 'explainFailed':
        this.onExplained(message);
        return;
      case 'copied':
        this.structureView.copied(message.what, message.error);
        return;
      case 'error':
        this.status.clear();
        this.errorBanner.show(message.message, message.location, this.summary !== undefined);
        return;
      case 'changes':
        this.status.changes(message.lines);
        return;
      case 'galleryState':
      case 'galleryImage':
      case 'galleryFolder':
      case 'galleryProgress':
      case 'galleryError':
        this.gallery.onMessage(message);
        return;
      default:
        return message satisfies never;
    }
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
    this.selected = name;
    this.layer = undefined;
    this.renderLayers();
    this.renderLayer();
    this.structureView.setSelected(name);
    this.host.post({ type: 'selectLayer', name });
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
    if (!this.summary) return;
    const facts = {
      summary: this.summary,
      backend: this.backend,
      backendNotes: this.backendNotes,
      engineFallback: this.engineFallback,
      inVsCode: this.canPickImage,
    };
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
    if (!this.summary) return;
    const name =
      this.summary.exportName === 'default' ? this.summary.modelName : this.summary.exportName;
    this.structureView.render(name, this.structure, this.structureError, this.selected);
  }

  private renderLayers(): void {
    if (this.summary)
      renderLayerList(this.layerPane, this.summary, this.selected, (n) =>
        // A click on the selected layer takes the editor back to its line.
        n === this.selected ? this.host.post({ type: 'revealLayer', name: n }) : this.select(n),
      );
  }

  private renderLayer(): void {
    const layer = this.summary?.layers.find((l) => l.name === this.selected);
    if (!layer) return;
    const field = this.structure?.layers.find((l) => l.name === layer.name)?.receptiveField;
    this.rfHover.setLayer(this.layer ? layer.name : undefined, field);
    const layers = this.summary!.layers;
    const isOutput = layers[layers.length - 1].name === layer.name;
    this.featureMaps.show({
      layer,
      data: this.layer,
      hasImage: this.image !== undefined,
      labels: isOutput ? this.summary!.labels : undefined,
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
