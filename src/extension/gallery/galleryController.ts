/**
 * The Gallery tab of one model panel, host side: the layer choice, the ranking of units on the
 * panel's image, and the folder gallery (a worker pool, its progress, partial results with crops,
 * cancel). Crops are made by the panel's model worker, only for the units the panel shows.
 */
import * as vscode from 'vscode';
import { basename } from 'node:path';
import { InspectorError, errorMessage } from '../../analysis/errors';
import { DEFAULT_GALLERY_OPTIONS } from '../../analysis/gallery/types';
import type { GalleryInfo } from '../../protocol/worker/galleryProtocol';
import {
  buildFolderGallery,
  folderGalleryView,
  type FolderGalleryResult,
  type FolderGalleryRun,
} from '../../host/folderGallery';
import type { ModelRef } from '../../protocol/worker/workerProtocol';
import type { HostToPanel } from '../../protocol/panelProtocol';
import type { CropView, GalleryToHost } from '../../protocol/galleryMessages';
import type { ModelService } from '../modelService';
import { readSettings, resolveSettingPath } from '../settings';
import { assertWorkspaceTrusted } from '../workspaceTrust';
import { galleryStorageDir } from './gallerySettings';
import {
  checkAgainstModel,
  galleryFileResult,
  pickGalleryFile,
  pickGalleryFolder,
  pickImageFolder,
  readGalleryFile,
} from './openGalleryFile';
import { CoalescedSend } from './coalescedSend';

const TILE_SIDE = 64;
const UNITS_WITH_CROPS = 32;

export interface GalleryPanelSide {
  ref: ModelRef;
  exportName(): string;
  inputSource(): string | undefined;
  post(message: HostToPanel): void;
  /** Opens `file` in the panel at `layer` (the panel then shows the unit). */
  openImage(file: string, layer: string): Promise<void>;
}

export interface GalleryFolderSummary {
  folder: string;
  layer: string;
  imageCount: number;
  skipped: number;
  complete: boolean;
  units: number;
}

export class GalleryController implements vscode.Disposable {
  private info: GalleryInfo | undefined;
  private layer: string | undefined;
  private folder: string | undefined;
  private opened = false;
  private run: AbortController | undefined;
  private latest: FolderGalleryResult | undefined;
  private readonly crops = new Map<string, CropView>();
  private cropUnits = UNITS_WITH_CROPS;
  /** Posts folder results one at a time, the latest (partial results come faster than crops). */
  private readonly folderSend = new CoalescedSend<FolderGalleryResult>((result) =>
    this.postWithCrops(result),
  );

  constructor(
    private readonly panel: GalleryPanelSide,
    private readonly models: ModelService,
    private readonly extensionUri: vscode.Uri,
  ) {}

  onMessage(message: GalleryToHost): void {
    switch (message.type) {
      case 'galleryOpen':
        this.opened = true;
        this.guard(this.open());
        return;
      case 'galleryLayer':
        this.layer = message.layer;
        this.info = undefined;
        this.run?.abort();
        this.latest = undefined;
        this.guard(this.open());
        return;
      case 'galleryPickFolder':
        this.guard(this.pickFolder());
        return;
      case 'galleryOpenFile':
        this.guard(this.openGalleryFile().then(() => undefined));
        return;
      case 'galleryBuild':
        if (this.folder) this.guard(this.buildFolder(this.folder));
        return;
      case 'galleryCancel':
        this.run?.abort();
        return;
      case 'galleryUnits':
        this.cropUnits = Math.max(this.cropUnits, message.count);
        if (this.latest) this.guard(this.sendFolder(this.latest));
        return;
      case 'galleryOpenPatch':
        this.guard(
          this.panel.openImage(message.file, message.layer).then(() =>
            this.panel.post({
              type: 'showUnit',
              layer: message.layer,
              unit: message.unit,
              y: message.y,
              x: message.x,
            }),
          ),
        );
        return;
      default:
        return message satisfies never;
    }
  }

  /** The panel's image changed: rank the units on it if the tab has been opened. */
  imageChanged(): void {
    if (this.opened) this.guard(this.sendImage());
  }

  /** Explorer command: this folder's gallery, shown in the Gallery tab. */
  async showFolder(folder: string): Promise<void> {
    this.opened = true;
    this.panel.post({ type: 'showGallery' });
    this.folder = folder;
    await this.open();
  }

  /**
   * Shows a merged gallery file (asked for when not given) with its paths resolved against
   * `folder` (asked for, starting at the file's folder, when not given). Returns the file shown.
   */
  async openGalleryFile(file?: string, folder?: string): Promise<string | undefined> {
    this.opened = true;
    this.panel.post({ type: 'showGallery' });
    const galleryFile = file ?? (await pickGalleryFile());
    if (!galleryFile) return undefined;
    const gallery = await readGalleryFile(galleryFile);
    const imageFolder = folder ?? (await pickImageFolder(galleryFile));
    if (!imageFolder) return undefined;
    this.run?.abort();
    this.run = undefined;
    if (this.layer !== gallery.layer) {
      this.layer = gallery.layer;
      this.info = undefined;
    }
    const info = await this.ensureInfo();
    const notes = checkAgainstModel(galleryFile, gallery, info);
    this.folder = imageFolder;
    this.crops.clear();
    this.panel.post({
      type: 'galleryState',
      layers: info.layers,
      layer: info.layer,
      topK: gallery.topK,
      folder: imageFolder,
    });
    await this.sendImage();
    this.panel.post({
      type: 'galleryProgress',
      progress: undefined,
      message: notes.length ? `Note: ${notes.join('; ')}.` : '',
    });
    this.latest = galleryFileResult(galleryFile, gallery, imageFolder);
    await this.sendFolder(this.latest);
    return galleryFile;
  }

  /** The folder gallery built or opened last (complete or not). */
  latestFolderGallery(): FolderGalleryResult | undefined {
    return this.latest;
  }

  /** The folder gallery built last (for the extension's API and its tests). */
  folderSummary(): GalleryFolderSummary | undefined {
    const latest = this.latest;
    if (!latest) return undefined;
    return {
      folder: latest.folder,
      layer: latest.layer,
      imageCount: latest.imageCount,
      skipped: latest.skipped.length,
      complete: latest.complete && this.run === undefined,
      units: latest.units.length,
    };
  }

  dispose(): void {
    this.run?.abort();
  }

  private async ensureInfo(): Promise<GalleryInfo> {
    if (this.info && this.info.layer === (this.layer ?? this.info.layer)) return this.info;
    this.info = await this.models.request({
      type: 'galleryInfo',
      config: this.models.config(),
      model: this.panel.ref,
      ...(this.layer ? { layer: this.layer } : {}),
    });
    this.layer = this.info.layer;
    return this.info;
  }

  private async open(): Promise<void> {
    const info = await this.ensureInfo();
    const modelUri = vscode.Uri.file(this.panel.ref.file);
    this.folder ??= resolveSettingPath(readSettings(modelUri).galleryFolder, modelUri);
    this.panel.post({
      type: 'galleryState',
      layers: info.layers,
      layer: info.layer,
      topK: readSettings().galleryTopK,
      folder: this.folder,
    });
    await this.sendImage();
    // A gallery opened from a file is shown as it is, not rebuilt from its folder.
    if (this.latest?.source) await this.sendFolder(this.latest);
    else if (this.folder && !this.run) await this.buildFolder(this.folder);
  }

  private async sendImage(): Promise<void> {
    const inputSource = this.panel.inputSource();
    if (!inputSource) return;
    const info = await this.ensureInfo();
    const gallery = await this.models.request({
      type: 'imageGallery',
      config: this.models.config(),
      model: this.panel.ref,
      inputSource,
      layer: info.layer,
      count: 16,
      maxSide: TILE_SIDE,
    });
    this.panel.post({
      type: 'galleryImage',
      gallery: { ...gallery, imageName: basename(inputSource) },
    });
  }

  private async pickFolder(): Promise<void> {
    const folder = await pickGalleryFolder();
    if (!folder) return;
    this.folder = folder;
    await this.buildFolder(folder);
  }

  async buildFolder(folder: string): Promise<void> {
    this.run?.abort();
    const run = new AbortController();
    this.run = run;
    this.folder = folder;
    this.crops.clear();
    const info = await this.ensureInfo();
    this.panel.post({
      type: 'galleryState',
      layers: info.layers,
      layer: info.layer,
      topK: readSettings().galleryTopK,
      folder,
    });
    this.panel.post({
      type: 'galleryProgress',
      progress: undefined,
      message: `Reading ${folder}\u2026`,
    });
    try {
      const result = await buildFolderGallery(this.folderRun(folder, info, run.signal));
      if (this.run !== run) return;
      this.latest = result;
      this.panel.post({ type: 'galleryProgress', progress: undefined });
      await this.sendFolder(result);
    } catch (error) {
      await this.endFailedRun(run, error);
    } finally {
      if (this.run === run) this.run = undefined;
    }
  }

  /** The run's settings, with progress and partial results posted at most every 200 and 500 ms. */
  private folderRun(folder: string, info: GalleryInfo, signal: AbortSignal): FolderGalleryRun {
    const settings = readSettings();
    let lastProgress = 0;
    let lastPartial = 0;
    return {
      folder,
      cacheDir: galleryStorageDir(),
      info,
      model: this.panel.ref,
      exportName: this.panel.exportName(),
      config: this.models.config(),
      options: { ...DEFAULT_GALLERY_OPTIONS, topK: settings.galleryTopK },
      timeoutMs: settings.modelTimeoutSeconds * 1000,
      pool: {
        workerScript: vscode.Uri.joinPath(this.extensionUri, 'dist', 'worker.js').fsPath,
        memoryLimitMb: settings.workerMemoryLimitMb,
        gate: assertWorkspaceTrusted,
      },
      signal,
      onProgress: (p) => {
        if (Date.now() - lastProgress < 200 && p.done < p.total) return;
        lastProgress = Date.now();
        this.panel.post({ type: 'galleryProgress', progress: p });
      },
      onPartial: (partial) => {
        this.latest = partial;
        if (Date.now() - lastPartial < 500) return;
        lastPartial = Date.now();
        void this.sendFolder(partial);
      },
    };
  }

  /** A cancelled run shows what it had (it is cached); any other failure is thrown on. */
  private async endFailedRun(run: AbortController, error: unknown): Promise<void> {
    if (this.run === run) this.panel.post({ type: 'galleryProgress', progress: undefined });
    if (!(error instanceof InspectorError && error.kind === 'cancelled')) throw error;
    this.panel.post({
      type: 'galleryProgress',
      progress: undefined,
      message: 'Cancelled; the images done so far are cached.',
    });
    if (this.latest && this.run === run) await this.sendFolder(this.latest);
  }

  /** Posts the galleries with crops for the first units; one crop request at a time, latest wins. */
  private sendFolder(result: FolderGalleryResult): Promise<void> {
    return this.folderSend.offer(result);
  }

  private async postWithCrops(result: FolderGalleryResult): Promise<void> {
    const key = (p: { fileHash: string; y: number; x: number }) => `${p.fileHash}:${p.y}:${p.x}`;
    const wanted = result.units.slice(0, this.cropUnits).flatMap((u) => u.patches);
    const missing = wanted.filter((p) => !this.crops.has(key(p)));
    if (missing.length) {
      const crops = await this.models.request({
        type: 'galleryCrops',
        config: this.models.config(),
        model: this.panel.ref,
        patches: missing.map((p) => ({ file: p.file, box: p.box, clipped: p.clipped })),
        maxSide: TILE_SIDE,
      });
      missing.forEach((p, i) => this.crops.set(key(p), crops[i]));
    }
    const view = folderGalleryView(result, (p) => this.crops.get(key(p)));
    this.panel.post({ type: 'galleryFolder', gallery: view });
  }

  private guard(work: Promise<void>): void {
    work.catch((error: unknown) => {
      if (error instanceof InspectorError && error.kind === 'cancelled') return;
      const message = errorMessage(error);
      this.panel.post({ type: 'galleryError', message });
      this.models.report(error);
    });
  }
}
