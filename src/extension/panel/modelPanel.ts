/**
 * One webview panel per model (file + export). It owns the panel's state (selected layer and
 * image) and answers the webview's requests through the ModelService. The webview may be
 * destroyed while hidden; on `ready` it gets the whole state again.
 */
import * as vscode from 'vscode';
import { basename } from 'node:path';
import type { HostToPanel, PanelTab, PanelToHost } from '../../protocol/panelProtocol';
import type { ModelRef, LoadedModel } from '../../protocol/worker/workerProtocol';
import type { ImageResult } from '../../analysis/inspectionSession';
import type { ModelSummary } from '../../analysis/modelSummary';
import { InspectorError, isCancellation } from '../../analysis/errors';
import { cancelledNotice } from './cancelledNotice';
import { PanelStatus, type CancelledWork } from './panelStatus';
import { MapRequests } from './mapRequests';
import type { ModelService } from '../modelService';
import { readSettings } from '../settings';
import { modelLabel } from '../pickers';
import { panelHtml, panelWebviewOptions } from './panelHtml';
import { imageMessage, modelMessage } from './panelMessages';
import { modelDisplayName } from '../../analysis/modelDisplayName';
import { PanelExplanations } from './explainHandler';
import { GalleryController, type GalleryFolderSummary } from '../gallery/galleryController';
import type { ChooseImage } from '../pickers';
import { pickSignal, takesSignal } from '../signalPicker';
import {
  copyToClipboard,
  openOnnxReadme,
  openOnnxWrapperTemplate,
  openSourceLocation,
  revealLayerSource,
} from './panelLinks';

export interface PanelSnapshot {
  modelFile: string;
  exportName: string;
  selectedLayer: string | undefined;
  inputSource: string | undefined;
  layerCount: number;
  /** Present once a folder gallery was built in this panel. */
  gallery?: GalleryFolderSummary;
}

export class ModelPanel implements vscode.Disposable {
  private loaded: LoadedModel | undefined;
  private image: ImageResult | undefined;
  private selectedLayer: string | undefined;
  /** The running `show`, cancelled when a newer one starts (a save while a run is stuck). */
  private currentShow: AbortController | undefined;
  /** The Why tab's and the arithmetic dialog's questions. */
  private readonly explanations: PanelExplanations;
  /** The progress line, the cancelled line and the error banner. */
  private readonly status = new PanelStatus((m) => this.post(m));
  /** The layers of the model being opened for the first time, known before it is ready. */
  private built: ModelSummary | undefined;
  /** Runs and layer requests, so neither side draws stale maps. */
  private readonly maps = new MapRequests();
  private readonly disposables: vscode.Disposable[] = [];
  /** The Gallery tab's host side. */
  readonly gallery: GalleryController;

  constructor(
    readonly ref: ModelRef,
    private readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    private readonly models: ModelService,
    private readonly chooseImage: ChooseImage,
    onDispose: () => void,
  ) {
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.svg');
    panel.webview.html = panelHtml(panel.webview, extensionUri, panel.title);
    this.gallery = new GalleryController(
      {
        ref,
        exportName: () => this.loaded?.summary.exportName ?? ref.exportName ?? 'default',
        inputSource: () => this.image?.inputSource,
        post: (m) => this.post(m),
        openImage: (inputSource, layerName) => this.show({ inputSource, layerName }),
      },
      models,
      extensionUri,
    );
    this.explanations = new PanelExplanations(models, ref, (m) => this.post(m));
    this.disposables.push(
      this.gallery,
      panel.webview.onDidReceiveMessage((m: PanelToHost) => this.onMessage(m)),
      panel.onDidDispose(() => {
        this.dispose();
        onDispose();
      }),
    );
  }

  static create(
    ref: ModelRef,
    extensionUri: vscode.Uri,
    models: ModelService,
    chooseImage: ChooseImage,
    onDispose: () => void,
    viewColumn: vscode.ViewColumn = vscode.ViewColumn.Beside,
  ): ModelPanel {
    const panel = vscode.window.createWebviewPanel(
      ModelPanel.viewType,
      `CNN: ${modelLabel(ref)}`,
      { viewColumn, preserveFocus: false },
      panelWebviewOptions(extensionUri),
    );
    return new ModelPanel(ref, panel, extensionUri, models, chooseImage, onDispose);
  }

  static readonly viewType = 'cnnInspector.model';

  /** The editor group the panel is in (undefined while it is not shown). */
  get viewColumn(): vscode.ViewColumn | undefined {
    return this.panel.viewColumn;
  }

  snapshot(): PanelSnapshot {
    const gallery = this.gallery.folderSummary();
    return {
      modelFile: this.ref.file,
      exportName: this.loaded?.summary.exportName ?? this.ref.exportName ?? 'default',
      selectedLayer: this.selectedLayer,
      inputSource: this.image?.inputSource,
      layerCount: this.loaded?.summary.layers.length ?? 0,
      ...(gallery ? { gallery } : {}),
    };
  }

  /** Shows a tab of the panel (the webview keeps it for when the model arrives). */
  showTab(tab: PanelTab): void {
    this.post({ type: 'showTab', tab });
  }

  reveal(): void {
    this.panel.reveal(undefined, true);
  }

  /**
   * Loads (or reloads) the model, runs the image and shows the layer. Throws on failure, after
   * showing the error in the panel over the last good maps. A newer call supersedes a running one:
   * the older is cancelled (its worker replaced if it does not answer) and throws 'cancelled'.
   */
  async show(options: {
    layerName?: string;
    inputSource?: string;
    reload?: boolean;
  }): Promise<void> {
    this.currentShow?.abort();
    const run = new AbortController();
    this.currentShow = run;
    const superseded = () => {
      if (this.currentShow !== run)
        throw new InspectorError('cancelled', 'Superseded by a newer run.');
    };
    const loading = `Loading ${modelLabel(this.ref)}`;
    this.status.setBusy(`${loading}\u2026`);
    try {
      const loaded = await this.models.loadModel(
        this.ref,
        options.reload ?? false,
        run.signal,
        (step, built) => {
          if (this.currentShow !== run) return;
          // A panel with no model yet shows the layers as soon as they are built (VGG-16 then
          // spends as long again preparing ONNX Runtime); a shown model stays until replaced.
          if (built && !this.loaded) {
            this.built = built;
            this.post({ type: 'modelBuilt', summary: built });
          }
          this.status.setBusy(`${loading}: ${step}\u2026`);
        },
        this.showsProgress,
      );
      superseded();
      this.loaded = loaded;
      this.panel.title = `CNN: ${modelDisplayName(loaded.summary)}`; // the heading's name
      const layers = loaded.summary.layers;
      const wanted = options.layerName ?? this.selectedLayer;
      if (wanted && !layers.some((l) => l.name === wanted)) {
        throw new InspectorError(
          'layer',
          `${this.ref.file}: model '${loaded.summary.exportName}' has no layer '${wanted}' (layers: ${layers.map((l) => l.name).join(', ')}).`,
        );
      }
      this.selectedLayer =
        wanted ?? layers.find((l) => l.layout === 'spatial')?.name ?? layers[0]?.name;
      this.status.forgetError(); // the webview clears it on 'model'
      this.maps.newRun();
      this.postModel();
      const inputSource = options.inputSource ?? this.image?.inputSource;
      if (inputSource) await this.runInput(inputSource, run.signal);
      superseded();
    } catch (error) {
      if (this.currentShow === run && !isCancellation(error)) this.showError(error);
      throw error;
    } finally {
      this.endRun(run, () => ({
        notice: cancelledNotice('load', modelLabel(this.ref), this.loaded !== undefined),
        retry: () => this.loadAgain(options),
      }));
    }
  }

  /**
   * The end of a load or run: the progress line goes; if the user cancelled this run (it is still
   * the current one, aborted: a superseded run is not), the line says so, with its button.
   */
  private endRun(run: AbortController, whenCancelled: () => CancelledWork): void {
    if (this.currentShow !== run) return;
    this.currentShow = undefined;
    this.status.setBusy(undefined);
    if (run.signal.aborted) this.status.showCancelled(whenCancelled());
  }

  /** The cancelled line's button: the same load or run again (once). */
  private retryCancelled(): void {
    const retry = this.status.takeRetry();
    if (retry) this.guard(retry());
  }

  /** "Load again": the cancelled load, then, as the lens does, the input when none is shown yet. */
  private async loadAgain(options: Parameters<ModelPanel['show']>[0]): Promise<void> {
    await this.show(options);
    if (!this.image) await this.pickAndRunInput();
  }

  /** The panel shows a step's progress itself (no notification) while the user can see it. */
  private readonly showsProgress = () => this.panel.visible;

  /** Whether the user can see the panel now (an error shown there needs no toast). */
  get visible(): boolean {
    return this.panel.visible;
  }

  /** Shows, in the panel, what the last re-run changed. */
  showChanges(lines: string[]): void {
    this.post({ type: 'changes', lines });
  }

  private layerRef(layerName: string) {
    const exportName = this.loaded?.summary.exportName ?? this.ref.exportName;
    return { modelFile: this.ref.file, exportName, layerName };
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
  }

  private async runInput(inputSource: string, signal?: AbortSignal): Promise<void> {
    const running = `Running the model on ${basename(inputSource)}`;
    this.status.setBusy(`${running}\u2026`);
    const image = await this.models.runInput(
      this.ref,
      inputSource,
      signal,
      (step) => {
        if (!signal?.aborted) this.status.setBusy(`${running}: ${step}\u2026`);
      },
      this.showsProgress,
    );
    if (signal?.aborted) return;
    this.image = image;
    this.maps.newRun();
    this.postImage();
    this.gallery.imageChanged();
    if (this.selectedLayer) await this.sendLayer(this.selectedLayer);
  }

  private async sendLayer(name: string): Promise<void> {
    if (!this.image) return;
    // Not cancelled when the user picks another layer: cancelling stops the worker, and reading a
    // computed layer is cheap; the stale answer is dropped instead.
    const read = this.maps.startLayerRead();
    const layer = await this.models.getLayer(
      this.ref,
      this.image.inputSource,
      name,
      this.showsProgress,
    );
    if (!read.isLatest() || name !== this.selectedLayer) return; // a newer choice won
    this.post({ type: 'layer', ...layer, ...read.stamp });
  }

  /** The display settings the webview draws with (sent when it is ready and when they change). */
  postSettings(): void {
    const settings = readSettings(vscode.Uri.file(this.ref.file));
    this.post({
      type: 'settings',
      settings: { colormap: settings.colormap, normalization: settings.normalization },
      canPickImage: true,
    });
  }

  private onMessage(message: PanelToHost): void {
    switch (message.type) {
      case 'ready':
        this.maps.webviewLoaded();
        this.replayState();
        return;
      case 'openLocation':
        openSourceLocation(message.location, this.panel.viewColumn);
        return;
      case 'selectLayer':
        this.selectedLayer = message.name;
        this.maps.panelAsked(message.request);
        this.guard(this.sendLayer(message.name));
        revealLayerSource(this.layerRef(message.name), this.panel.viewColumn);
        return;
      case 'cancelRun':
        // The progress line's Cancel (the notification's, when the panel shows the progress).
        this.currentShow?.abort();
        return;
      case 'retryRun':
        this.retryCancelled();
        return;
      case 'revealLayer':
        revealLayerSource(this.layerRef(message.name), this.panel.viewColumn);
        return;
      case 'copyText':
        copyToClipboard(message.text, (error) =>
          this.post({ type: 'copied', what: message.what, ...(error ? { error } : {}) }),
        );
        return;
      case 'onnxWrapper':
        openOnnxWrapperTemplate(this.ref.file);
        return;
      case 'onnxReadme':
        openOnnxReadme(this.extensionUri);
        return;
      case 'explain':
      case 'cancelExplain':
        this.explanations.onMessage(
          message,
          this.image?.inputSource,
          this.gallery.latestFolderGallery(),
        );
        return;
      case 'galleryOpen':
      case 'galleryLayer':
      case 'galleryPickFolder':
      case 'galleryOpenFile':
      case 'galleryBuild':
      case 'galleryCancel':
      case 'galleryUnits':
      case 'galleryOpenPatch':
        this.gallery.onMessage(message);
        return;
      case 'pickImage':
        this.guard(this.pickAndRunInput());
        return;
      default:
        return message satisfies never;
    }
  }

  /** A webview that (re)loads gets everything the panel showed: model, progress, image, error. */
  private replayState(): void {
    this.postSettings();
    if (this.loaded) this.postModel();
    else if (this.built) this.post({ type: 'modelBuilt', summary: this.built });
    this.status.replayProgress();
    if (this.image) {
      this.postImage();
      if (this.selectedLayer) this.guard(this.sendLayer(this.selectedLayer));
    }
    this.status.replayOutcome();
  }

  /** The panel's Change image…: 1-D models take a signal (a .csv / .json file or a synthetic one). */
  private async pickAndRunInput(): Promise<void> {
    const inputShape = this.loaded?.summary.inputShape;
    const path = await (inputShape && takesSignal(inputShape)
      ? pickSignal(inputShape)
      : this.chooseImage(inputShape));
    if (!path) return;
    await this.runPickedInput(path);
  }

  /** A run the progress line's Cancel can stop, superseding any other. */
  private async runPickedInput(path: string): Promise<void> {
    this.currentShow?.abort();
    const run = new AbortController();
    this.currentShow = run;
    try {
      await this.runInput(path, run.signal);
    } finally {
      this.endRun(run, () => ({
        notice: cancelledNotice('input', modelLabel(this.ref), true, basename(path)),
        retry: () => this.runPickedInput(path),
      }));
    }
  }

  /** Failures of webview-initiated work go to the panel (and a toast if it is hidden), never unhandled. */
  private guard(work: Promise<void>): void {
    work.catch((error) => {
      if (!isCancellation(error)) this.showError(error);
      this.models.report(error, { toast: !this.visible });
    });
  }

  /** The error, prominently in the panel, with its place in the user's code when known. */
  showError(error: unknown): void {
    this.status.showError(error);
  }

  private postModel(): void {
    if (this.loaded && this.selectedLayer)
      this.post(modelMessage(this.loaded, this.selectedLayer, this.maps.run));
  }

  private postImage(): void {
    if (this.image) this.post(imageMessage(this.image, this.maps.run));
  }

  private post(message: HostToPanel): void {
    void this.panel.webview.postMessage(message);
  }
}
