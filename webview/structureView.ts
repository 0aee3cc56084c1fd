/**
 * The "Structure" tab: a sortable table of every layer (geometry, parameters, MACs, memory,
 * receptive field, dense equivalent) with totals, bar charts of parameters and MACs, the
 * receptive field across depth, and exports to the clipboard as CSV, JSON or Markdown.
 */
import type { ModelStructure } from '../src/analysis/structure/modelStructure';
import { el } from './dom';
import { renderBarChart } from './structureCharts';
import { renderRfChart } from './rfChart';
import {
  STRUCTURE_COLUMNS,
  formatBytes,
  formatInteger,
  sortRows,
  structureRows,
  toCsv,
  toJsonExport,
  toMarkdown,
  totalsText,
  type ColumnKey,
  type SortDirection,
  type StructureRow,
} from './structureTable';
import { formatShape } from '../src/analysis/format';

export class StructureView {
  readonly element = el('div', 'structure-view');
  private structure: ModelStructure | null = null;
  private modelName = '';
  private selected = '';
  private sortKey: ColumnKey = 'index';
  private direction: SortDirection = 'ascending';
  private readonly exportStatus = el('span', 'export-status');

  constructor(
    private readonly onSelect: (name: string) => void,
    private readonly copy: (text: string, what: string) => void,
    private readonly onSort: (key: ColumnKey, direction: SortDirection) => void = () => {},
  ) {
    this.element.id = 'structure-view';
    this.exportStatus.id = 'export-status';
    this.exportStatus.setAttribute('role', 'status');
  }

  render(
    modelName: string,
    structure: ModelStructure | null,
    error: string | undefined,
    selected: string,
  ): void {
    this.modelName = modelName;
    this.structure = structure;
    this.selected = selected;
    if (!structure) {
      const message = el('p', 'hint');
      message.id = 'structure-unavailable';
      message.textContent = error ?? 'The structure of this model is not available.';
      this.element.replaceChildren(message);
      return;
    }
    const note = el('p', 'hint structure-conventions');
    note.textContent =
      'MACs count convolutions and dense layers at this input size (bias, activations, pooling and normalisation are not counted; FLOPs = 2 \u00d7 MACs). Memory is the float32 output at batch 1. Receptive fields are in input pixels: unit i of a layer sees input rows \u2212padding + i\u00b7jump \u2026 + size \u2212 1 (Araujo et al., Distill 2019). Click a header to sort, a row to open the layer.';
    const tableWrap = el('div', 'structure-table-wrap');
    tableWrap.appendChild(this.table());
    const charts = el('div', 'structure-charts');
    charts.append(
      renderBarChart(
        'params-chart',
        'Parameters',
        structure.layers,
        (l) => l.params.total,
        this.onSelect,
      ),
      renderBarChart('macs-chart', 'MACs', structure.layers, (l) => l.macs, this.onSelect),
      renderRfChart(structure, this.onSelect),
    );
    this.element.replaceChildren(
      this.totals(structure),
      this.exportBar(),
      note,
      tableWrap,
      charts,
      this.notes(structure),
    );
  }

  setSelected(name: string): void {
    this.selected = name;
    this.element.querySelectorAll<HTMLElement>('#structure-table tbody tr').forEach((row) => {
      row.classList.toggle('selected', row.dataset.layer === name);
      row.setAttribute('aria-selected', String(row.dataset.layer === name));
    });
  }

  copied(what: string, error: string | undefined): void {
    this.exportStatus.dataset.kind = error ? 'error' : 'ok';
    this.exportStatus.textContent = error
      ? `Could not copy ${what}: ${error}`
      : `Copied ${what} to the clipboard.`;
  }

  private totals(structure: ModelStructure): HTMLElement {
    const t = structure.totals;
    const box = el('p', 'structure-totals');
    box.id = 'structure-totals';
    Object.assign(box.dataset, {
      params: String(t.params),
      trainableParams: String(t.trainableParams),
      nonTrainableParams: String(t.nonTrainableParams),
      macs: String(t.macs),
      activationBytes: String(t.activationBytes),
    });
    const input = structure.inputSize && formatShape(structure.inputSize);
    const unknown = t.layersWithUnknownMacs.length
      ? ` (unknown for ${t.layersWithUnknownMacs.join(', ')})`
      : '';
    box.textContent =
      `${structure.layers.length} layers \u00b7 ${formatInteger(t.params)} parameters (${formatInteger(t.trainableParams)} trainable, ${formatInteger(t.nonTrainableParams)} non-trainable) \u00b7 ` +
      `${formatInteger(t.macs)} MACs${input ? ` at ${input}` : ''}${unknown} \u00b7 ${formatBytes(t.activationBytes)} of activations`;
    return box;
  }

  private exportBar(): HTMLElement {
    const bar = el('div', 'export-bar');
    const formats: [string, string, (rows: StructureRow[]) => string][] = [
      ['csv', 'CSV', (rows) => toCsv(this.structure!, rows)],
      ['json', 'JSON', (rows) => toJsonExport(this.modelName, this.structure!, rows)],
      ['markdown', 'Markdown', (rows) => toMarkdown(this.structure!, rows)],
    ];
    const label = el('span', 'export-label');
    label.textContent = 'Copy table as';
    bar.appendChild(label);
    for (const [id, title, make] of formats) {
      const button = el('button', 'secondary');
      button.id = `export-${id}`;
      button.textContent = title;
      button.title = `Copy the table (in its current order) to the clipboard as ${title}`;
      button.addEventListener('click', () => {
        this.exportStatus.textContent = '';
        this.copy(make(this.sortedRows()), title);
      });
      bar.appendChild(button);
    }
    bar.appendChild(this.exportStatus);
    return bar;
  }

  private sortedRows(): StructureRow[] {
    return sortRows(structureRows(this.structure!), this.sortKey, this.direction);
  }

  private table(): HTMLTableElement {
    const table = el('table', 'structure-table');
    table.id = 'structure-table';
    const head = table.createTHead().insertRow();
    for (const column of STRUCTURE_COLUMNS) {
      const th = document.createElement('th');
      th.scope = 'col';
      th.dataset.column = column.key;
      th.title = column.help;
      if (column.numeric) th.classList.add('numeric');
      const button = el('button', 'sort');
      button.textContent = column.title;
      button.title = column.help; // the tooltip also when the header is reached by keyboard
      button.addEventListener('click', () => this.sortBy(column.key));
      th.appendChild(button);
      if (column.key === this.sortKey) th.setAttribute('aria-sort', this.direction);
      head.appendChild(th);
    }
    const body = table.createTBody();
    for (const row of this.sortedRows()) {
      const tr = body.insertRow();
      tr.dataset.layer = row.layer.name;
      tr.tabIndex = 0;
      if (row.layer.name === this.selected) tr.classList.add('selected');
      for (const column of STRUCTURE_COLUMNS) {
        const td = tr.insertCell();
        td.dataset.column = column.key;
        td.textContent = row.text[column.key];
        if (column.numeric) td.classList.add('numeric');
      }
      this.explainCells(tr, row);
      tr.addEventListener('click', () => this.onSelect(row.layer.name));
      tr.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') this.onSelect(row.layer.name);
      });
    }
    const totals = totalsText(this.structure!);
    const foot = table.createTFoot().insertRow();
    foot.id = 'structure-footer';
    for (const column of STRUCTURE_COLUMNS) {
      const td = foot.insertCell();
      td.dataset.column = column.key;
      td.textContent = totals[column.key] ?? '';
      if (column.numeric) td.classList.add('numeric');
    }
    return table;
  }

  /** Exact numbers and reasons in the cells' tooltips, where the cell shows a short form. */
  private explainCells(tr: HTMLTableRowElement, row: StructureRow): void {
    const cell = (key: ColumnKey) => tr.querySelector<HTMLElement>(`td[data-column="${key}"]`)!;
    const { layer } = row;
    const rf = layer.receptiveField;
    if (!rf.axes) cell('rfSize').title = `No receptive field: ${rf.reason ?? 'unknown reason'}`;
    else if (rf.misalignment) cell('rfSize').title = `Approximate field: ${rf.misalignment}.`;
    else if (rf.collapsed)
      cell('rfSize').title =
        'The layer gathers the whole input: its field covers every position it saw.';
    if (layer.activationBytes !== null)
      cell('memory').title = `${formatInteger(layer.activationBytes)} bytes`;
    const p = layer.params;
    cell('params').title =
      `${formatInteger(p.trainable)} trainable, ${formatInteger(p.nonTrainable)} non-trainable${
        layer.weightShapes.length
          ? `\n${layer.weightShapes.map((w) => `${w.name}: [${w.shape.join(', ')}]`).join('\n')}`
          : ''
      }`;
    const d = layer.denseEquivalent;
    if (d) {
      cell('denseRatio').title =
        `A fully connected layer between the same volumes needs ${formatInteger(d.params)} weights; this convolution has ${formatInteger(d.convWeights)} (bias excluded on both sides).`;
    }
    if (layer.notes.length) {
      tr.title = layer.notes.join('\n');
      tr.classList.add('has-notes');
    }
  }

  /** A sort kept from before (hide/show, reload); unknown columns are ignored. */
  restoreSort(key: string, direction: SortDirection): void {
    const column = STRUCTURE_COLUMNS.find((c) => c.key === key);
    if (!column || (direction !== 'ascending' && direction !== 'descending')) return;
    this.sortKey = column.key;
    this.direction = direction;
    const wrap = this.element.querySelector('.structure-table-wrap');
    wrap?.replaceChildren(this.table());
  }

  private sortBy(key: ColumnKey): void {
    if (this.sortKey === key)
      this.direction = this.direction === 'ascending' ? 'descending' : 'ascending';
    else {
      this.sortKey = key;
      // Numbers read best largest first; names and depth in their natural order.
      this.direction =
        STRUCTURE_COLUMNS.find((c) => c.key === key)!.numeric && key !== 'index'
          ? 'descending'
          : 'ascending';
    }
    const wrap = this.element.querySelector('.structure-table-wrap');
    wrap?.replaceChildren(this.table());
    this.onSort(this.sortKey, this.direction);
  }

  private notes(structure: ModelStructure): HTMLElement {
    const list = el('ul', 'structure-notes');
    list.id = 'structure-notes';
    for (const layer of structure.layers) {
      for (const note of layer.notes) {
        const item = document.createElement('li');
        item.textContent = `${layer.name}: ${note}`;
        list.appendChild(item);
      }
    }
    return list;
  }
}
