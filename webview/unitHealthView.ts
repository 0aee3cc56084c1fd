/**
 * The Gallery tab's unit health table: per unit of the layer, over the gallery's images, how often
 * it fires (images with max > 0, positions > 0), its mean and max, and a histogram of its values;
 * dead units (never positive) and always-on units (positive everywhere) are marked and counted.
 * Columns sort on click; a row opens the unit's gallery.
 */
import type { UnitStats } from '../src/analysis/gallery/unitStats';
import { histogramBinLabels, isAlwaysOnUnit, isDeadUnit } from '../src/analysis/gallery/unitStats';
import { el } from './dom';
import { formatActivation } from './galleryTiles';

type Status = 'dead' | 'always on' | '';
type SortKey = 'unit' | 'status' | 'images' | 'positions' | 'mean' | 'max';

const statusOf = (s: UnitStats): Status =>
  isDeadUnit(s) ? 'dead' : isAlwaysOnUnit(s) ? 'always on' : '';
const STATUS_ORDER: Record<Status, number> = { dead: 0, 'always on': 1, '': 2 };
const share = (part: number, whole: number) => (whole > 0 ? part / whole : 0);

const COLUMNS: { key: SortKey; label: string; title: string }[] = [
  { key: 'unit', label: 'Unit', title: 'Channel of the layer' },
  { key: 'status', label: 'Health', title: 'dead: never > 0; always on: > 0 at every position' },
  { key: 'images', label: 'Images > 0', title: 'Share of images where the unit’s maximum is > 0' },
  { key: 'positions', label: 'Positions > 0', title: 'Share of all positions of all images > 0' },
  { key: 'mean', label: 'Mean', title: 'Mean over every position of every image' },
  { key: 'max', label: 'Max', title: 'Largest value over the images' },
];

function sortValue(s: UnitStats, key: SortKey): number {
  switch (key) {
    case 'unit':
      return s.unit;
    case 'status':
      return STATUS_ORDER[statusOf(s)];
    case 'images':
      return share(s.imagesPositive, s.images);
    case 'positions':
      return share(s.positionsPositive, s.positions);
    case 'mean':
      return s.mean;
    case 'max':
      return s.max;
  }
}

/** Bars of the histogram's bins (counts scaled to the largest); the <0 and 0 bins in grey. */
function drawHistogram(canvas: HTMLCanvasElement, counts: number[]): void {
  const barWidth = 4;
  canvas.width = counts.length * barWidth;
  canvas.height = 20;
  const context = canvas.getContext('2d');
  if (!context) return;
  const style = getComputedStyle(document.body);
  const accent = style.getPropertyValue('--vscode-charts-blue').trim() || '#3794ff';
  const off = style.getPropertyValue('--vscode-descriptionForeground').trim() || '#888';
  const top = Math.max(1, ...counts);
  counts.forEach((n, i) => {
    if (n === 0) return;
    const h = Math.max(1, Math.round((n / top) * canvas.height));
    context.fillStyle = i < 2 ? off : accent;
    context.fillRect(i * barWidth, canvas.height - h, barWidth - 1, h);
  });
}

export class UnitHealthView {
  readonly element = el('details', 'unit-health');
  private stats: UnitStats[] = [];
  private sortKey: SortKey = 'unit';
  private descending = false;

  constructor(private readonly openUnit: (unit: number) => void) {
    this.element.id = 'gallery-unit-health';
    this.element.open = true;
    this.element.hidden = true;
  }

  show(stats: UnitStats[] | undefined): void {
    this.element.hidden = !stats?.length;
    if (!stats?.length) return;
    this.stats = stats;
    this.render();
  }

  private render(): void {
    const dead = this.stats.filter(isDeadUnit).length;
    const alwaysOn = this.stats.filter(isAlwaysOnUnit).length;
    const images = this.stats[0].images;
    const summary = document.createElement('summary');
    summary.className = 'unit-health-summary';
    summary.textContent = `Unit health over ${images} images: ${dead} dead, ${alwaysOn} always on, of ${this.stats.length} units`;
    const table = el('table', 'unit-health-table');
    const head = table.createTHead().insertRow();
    for (const column of COLUMNS) {
      const th = document.createElement('th');
      th.dataset.key = column.key;
      th.title = `${column.title}. Click to sort.`;
      th.textContent = column.label;
      if (column.key === this.sortKey)
        th.setAttribute('aria-sort', this.descending ? 'descending' : 'ascending');
      th.addEventListener('click', () => this.sortBy(column.key));
      head.appendChild(th);
    }
    const histogramHead = document.createElement('th');
    histogramHead.textContent = 'Histogram';
    histogramHead.title = `Bins: ${histogramBinLabels().join(' ')} (the first two grey)`;
    head.appendChild(histogramHead);
    const body = table.createTBody();
    for (const s of this.sorted()) body.appendChild(this.row(s));
    this.element.replaceChildren(summary, table);
  }

  private row(s: UnitStats): HTMLTableRowElement {
    const row = document.createElement('tr');
    const status = statusOf(s);
    row.dataset.unit = String(s.unit);
    row.dataset.status = status;
    row.title = `Unit ${s.unit}: click to see its gallery`;
    const cells = [
      `#${s.unit}`,
      status,
      `${(100 * share(s.imagesPositive, s.images)).toFixed(1)}%`,
      `${(100 * share(s.positionsPositive, s.positions)).toFixed(1)}%`,
      formatActivation(s.mean),
      formatActivation(s.max),
    ];
    for (const text of cells) row.insertCell().textContent = text;
    const canvas = document.createElement('canvas');
    canvas.className = 'unit-histogram';
    drawHistogram(canvas, s.histogram);
    row.insertCell().appendChild(canvas);
    row.addEventListener('click', () => this.openUnit(s.unit));
    return row;
  }

  private sorted(): UnitStats[] {
    const sign = this.descending ? -1 : 1;
    return [...this.stats].sort(
      (a, b) => sign * (sortValue(a, this.sortKey) - sortValue(b, this.sortKey)) || a.unit - b.unit,
    );
  }

  private sortBy(key: SortKey): void {
    if (this.sortKey === key) this.descending = !this.descending;
    else {
      this.sortKey = key;
      this.descending = key !== 'unit' && key !== 'status'; // largest first for figures
    }
    this.render();
  }
}
