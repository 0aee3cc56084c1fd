/**
 * The Gallery tab: the units of a layer that respond most to the panel's image, and the dataset
 * gallery of a folder (top patches per unit), updated as partial results arrive.
 */
import type {
  FolderGalleryView,
  FolderPatchView,
  GalleryProgressView,
  GalleryToHost,
  GalleryToPanel,
  ImageGalleryView,
} from '../src/protocol/galleryMessages';
import { el } from './dom';
import { drawCrop, drawHeat, formatActivation } from './galleryTiles';
import { UnitHealthView } from './unitHealthView';

const UNITS_PER_STEP = 32;

/** What this tab draws (`showGallery` and `showUnit` move the whole panel: app.ts). */
type GalleryTabMessage = Exclude<GalleryToPanel, { type: 'showGallery' | 'showUnit' }>;

export class GalleryView {
  readonly element = el('div', 'gallery-view');
  private readonly controls = el('div', 'gallery-controls');
  private readonly imageSection = el('section', 'gallery-image');
  private readonly folderHeader = el('div', 'gallery-folder-header');
  private readonly progress = el('div', 'gallery-progress');
  private readonly folderSection = el('section', 'gallery-folder');
  private readonly health = new UnitHealthView((unit) => this.showUnitGallery(unit));
  private opened = false;
  private state: Extract<GalleryToPanel, { type: 'galleryState' }> | undefined;
  private folder: FolderGalleryView | undefined;
  private unitsShown = UNITS_PER_STEP;

  constructor(
    private readonly post: (message: GalleryToHost) => void,
    /** Opens a unit of the panel's current image in the feature-map view, with its field box. */
    private readonly openUnit: (layer: string, unit: number, y: number, x: number) => void,
  ) {
    this.element.id = 'gallery-view';
    this.imageSection.id = 'gallery-image';
    this.folderSection.id = 'gallery-folder';
    this.progress.id = 'gallery-progress';
    const hint = el('p', 'hint');
    hint.textContent = 'Open an image to see which units of the layer it excites most.';
    this.imageSection.appendChild(hint);
    this.element.append(
      this.controls,
      this.imageSection,
      this.folderHeader,
      this.progress,
      this.health.element,
      this.folderSection,
    );
    this.renderControls();
  }

  /** The tab was shown: the first time, ask the host for the layer list and the image ranking. */
  activate(): void {
    if (this.opened) return;
    this.opened = true;
    this.post({ type: 'galleryOpen' });
  }

  onMessage(message: GalleryTabMessage): void {
    switch (message.type) {
      case 'galleryState':
        this.state = message;
        this.renderControls();
        return;
      case 'galleryImage':
        this.renderImage(message.gallery);
        return;
      case 'galleryFolder':
        this.folder = message.gallery;
        this.renderFolder();
        return;
      case 'galleryProgress':
        this.renderProgress(message.progress, message.message);
        return;
      case 'galleryError':
        this.progress.dataset.kind = 'error';
        this.progress.textContent = message.message;
        return;
      default:
        return message satisfies never;
    }
  }

  private renderControls(): void {
    const label = el('label', 'control');
    label.textContent = 'Layer ';
    const select = document.createElement('select');
    select.id = 'gallery-layer';
    for (const name of this.state?.layers ?? []) {
      select.add(new Option(name, name, false, name === this.state?.layer));
    }
    select.addEventListener('change', () =>
      this.post({ type: 'galleryLayer', layer: select.value }),
    );
    label.appendChild(select);
    const pick = el('button', 'secondary');
    pick.id = 'gallery-pick-folder';
    pick.textContent = 'Choose folder\u2026';
    pick.addEventListener('click', () => this.post({ type: 'galleryPickFolder' }));
    const openFile = el('button', 'secondary');
    openFile.id = 'gallery-open-file';
    openFile.textContent = 'Open gallery file\u2026';
    openFile.title = 'A gallery made by cnn-inspector gallery / merge, e.g. on a cluster';
    openFile.addEventListener('click', () => this.post({ type: 'galleryOpenFile' }));
    const folder = el('span', 'gallery-folder-name');
    folder.textContent = this.state?.folder ?? 'no folder (setting cnnInspector.galleryFolder)';
    folder.title = this.state?.folder ?? '';
    this.controls.replaceChildren(label, pick, openFile, folder);
  }

  private renderImage(gallery: ImageGalleryView): void {
    const title = el('h3', 'gallery-title');
    title.textContent = `Units of ${gallery.layer} that ${gallery.imageName} excites most (${gallery.units.length} of ${gallery.unitCount})`;
    const grid = el('div', 'gallery-units');
    for (const unit of gallery.units) {
      const tile = el('button', 'gallery-tile unit-tile');
      tile.dataset.unit = String(unit.unit);
      tile.dataset.value = String(unit.max);
      tile.title = `unit ${unit.unit}: max ${unit.max} at (y ${unit.y}, x ${unit.x}); field rows ${unit.box[0]}\u2026${unit.box[2] - 1}, columns ${unit.box[1]}\u2026${unit.box[3] - 1}. Click: its feature map.`;
      const crop = document.createElement('canvas');
      crop.className = 'crop';
      drawCrop(crop, unit.crop);
      const heat = document.createElement('canvas');
      heat.className = 'heat';
      drawHeat(heat, unit);
      const caption = el('span', 'caption');
      caption.textContent = `#${unit.unit} \u00b7 ${formatActivation(unit.max)}`;
      const pictures = el('span', 'pictures');
      pictures.append(crop, heat);
      tile.append(pictures, caption);
      tile.addEventListener('click', () => this.openUnit(gallery.layer, unit.unit, unit.y, unit.x));
      grid.appendChild(tile);
    }
    this.imageSection.replaceChildren(title, grid);
  }

  private renderProgress(progress: GalleryProgressView | undefined, message?: string): void {
    this.progress.dataset.kind = progress ? 'busy' : '';
    if (!progress) {
      this.progress.textContent = message ?? '';
      return;
    }
    const eta =
      progress.etaSeconds === undefined ? '' : `, about ${Math.ceil(progress.etaSeconds)} s left`;
    const text = el('span', 'text');
    text.textContent = `${progress.done} of ${progress.total} images \u00b7 ${progress.rate.toFixed(1)} images/s${eta}${progress.skipped ? ` \u00b7 ${progress.skipped} skipped` : ''}`;
    const bar = document.createElement('progress');
    bar.max = progress.total;
    bar.value = progress.done;
    const cancel = el('button', 'secondary');
    cancel.id = 'gallery-cancel';
    cancel.textContent = 'Cancel';
    cancel.addEventListener('click', () => this.post({ type: 'galleryCancel' }));
    this.progress.replaceChildren(bar, text, cancel);
  }

  /** The folder gallery: its header, the units' health and the first `unitsShown` units. */
  private renderFolder(): void {
    const g = this.folder;
    if (!g) return;
    this.folderHeader.replaceChildren(...folderHeader(g));
    this.health.show(g.unitStats);
    const units: HTMLElement[] = g.units
      .slice(0, this.unitsShown)
      .map((u) => unitRow(u, (p) => this.openPatch(g.layer, u.unit, p)));
    if (g.units.length > this.unitsShown) units.push(this.moreUnitsButton(g.units.length));
    this.folderSection.replaceChildren(...units);
  }

  /** Opens a patch's image at its unit (the host loads it into the panel). */
  private openPatch(layer: string, unit: number, p: FolderPatchView): void {
    this.post({ type: 'galleryOpenPatch', file: p.file, layer, unit, y: p.y, x: p.x });
  }

  private moreUnitsButton(unitCount: number): HTMLElement {
    const more = el('button', 'secondary');
    more.textContent = `Show ${Math.min(UNITS_PER_STEP, unitCount - this.unitsShown)} more units`;
    more.addEventListener('click', () => {
      this.unitsShown += UNITS_PER_STEP;
      this.post({ type: 'galleryUnits', count: this.unitsShown });
      this.renderFolder();
    });
    return more;
  }

  /** Scrolls to a unit's gallery (rendering more units first if needed) and highlights it. */
  private showUnitGallery(unit: number): void {
    const index = this.folder?.units.findIndex((u) => u.unit === unit) ?? -1;
    if (index < 0) return;
    if (index >= this.unitsShown) {
      this.unitsShown = Math.ceil((index + 1) / UNITS_PER_STEP) * UNITS_PER_STEP;
      this.post({ type: 'galleryUnits', count: this.unitsShown });
      this.renderFolder();
    }
    const row = this.folderSection.querySelector<HTMLElement>(`.unit-gallery[data-unit="${unit}"]`);
    if (!row) return;
    for (const other of this.folderSection.querySelectorAll('.unit-gallery.highlight'))
      other.classList.remove('highlight');
    row.classList.add('highlight');
    row.scrollIntoView({ block: 'start' });
  }
}

/** Title, source facts and the skipped files of a folder gallery. */
function folderHeader(g: FolderGalleryView): HTMLElement[] {
  const title = el('h3', 'gallery-title');
  title.textContent = `Top ${g.topK} patches per unit of ${g.layer} over ${g.imageCount} images${g.complete ? '' : ' (so far)'}`;
  const facts = el('p', 'gallery-facts');
  facts.textContent = g.source
    ? `${g.source} \u00b7 images in ${g.folder}`
    : `${g.folder} \u00b7 cache: ${g.cache}`;
  return g.skipped.length ? [title, facts, skippedFiles(g.skipped)] : [title, facts];
}

function skippedFiles(skipped: FolderGalleryView['skipped']): HTMLElement {
  const details = document.createElement('details');
  details.className = 'gallery-skipped';
  const summary = document.createElement('summary');
  summary.textContent = `${skipped.length} file${skipped.length === 1 ? '' : 's'} skipped`;
  const list = el('ul', 'skipped-list');
  for (const s of skipped) {
    const item = el('li', '');
    item.textContent = s.reason;
    list.appendChild(item);
  }
  details.append(summary, list);
  return details;
}

/** One unit of the folder gallery: its number and its top patches. */
function unitRow(
  u: FolderGalleryView['units'][number],
  open: (patch: FolderPatchView) => void,
): HTMLElement {
  const row = el('div', 'unit-gallery');
  row.dataset.unit = String(u.unit);
  const name = el('h4', 'unit-name');
  name.textContent = `#${u.unit}`;
  const patches = el('div', 'patches');
  for (const p of u.patches) patches.appendChild(patchTile(u.unit, p, () => open(p)));
  if (u.patches.length === 0) patches.textContent = 'no positive activation';
  row.append(name, patches);
  return row;
}

function patchTile(unit: number, p: FolderPatchView, open: () => void): HTMLElement {
  const tile = el('button', 'gallery-tile patch-tile');
  tile.dataset.file = p.fileName;
  tile.dataset.value = String(p.value);
  tile.title = `${p.file}\nunit ${unit} = ${p.value} at (y ${p.y}, x ${p.x}); click: open this image at this unit`;
  const canvas = document.createElement('canvas');
  canvas.className = 'crop';
  if (p.crop) drawCrop(canvas, p.crop);
  const caption = el('span', 'caption');
  caption.textContent = `${formatActivation(p.value)} \u00b7 ${p.fileName}`;
  tile.append(canvas, caption);
  tile.addEventListener('click', open);
  return tile;
}
