/**
 * The Why view's Filters section: the first layer's kernels as small pictures (RGB for 3 input
 * channels) beside the input patch that excites each most; deeper kernels as weight grids per
 * input channel; per-filter statistics. "Normalise together" scales every filter by the layer's
 * largest |w| (comparable strengths); "one by one" scales each by its own (visible patterns).
 */
import { rgbaCanvas } from './rgbaCanvas';
import type { FilterResult } from '../src/protocol/worker/explainProtocol';
import { lut } from './colormap';
import { el } from './dom';
import { formatValue } from './layerData';
import { channelSum, drawSignalPlot } from './signalPlot';
import type { ExplainInput } from './explainProjections';
import { gridSlice, weightGrid } from './explainPictures';
import { cropPicture, type Box } from '../src/analysis/image/rgbaPicture';

/** Filters whose weight grids one page shows. */
export const FILTERS_PER_PAGE = 16;
/** Input channels drawn per filter; the rest are counted in the caption. */
const MAX_INPUT_GRIDS = 64;

export type FilterScaling = 'together' | 'alone';

function statsLine(set: FilterResult, o: number): HTMLElement {
  const s = set.stats[o];
  const p = el('p', 'why-filter-stats');
  p.textContent = `\u2016w\u2016 ${formatValue(s.norm)} \u00b7 mean ${formatValue(s.mean)} \u00b7 ${Math.round(100 * s.nearZeroShare)}% \u2248 0`;
  p.dataset.norm = String(s.norm);
  p.dataset.mean = String(s.mean);
  p.dataset.nearZero = String(s.nearZeroShare);
  return p;
}

/** The input patch under filter o's strongest unit: a crop of the picture, or a signal segment. */
function patchOf(
  set: FilterResult,
  o: number,
  input: ExplainInput | undefined,
): HTMLElement | null {
  const strongest = set.strongest?.[o];
  if (!strongest?.field || !input) return null;
  const figure = el('figure', 'why-patch');
  const field = strongest.field;
  if (field.length === 4 && input.height > 1) {
    figure.appendChild(rgbaCanvas(cropPicture(input, field as Box), 'why-patch-picture'));
  } else if (field.length === 2 && input.signal) {
    const channels = input.signal.length / input.width;
    const canvas = el('canvas', 'why-patch-plot');
    drawSignalPlot(canvas, channelSum(input.signal, channels).slice(field[0], field[1]), {
      width: 80,
      height: 48,
    });
    figure.appendChild(canvas);
  } else {
    return null;
  }
  const caption = el('figcaption', '');
  caption.textContent = `fires most: ${formatValue(strongest.value)} at ${strongest.position.join(', ')}`;
  figure.appendChild(caption);
  return figure;
}

function pictureCard(
  set: FilterResult,
  o: number,
  scaling: FilterScaling,
  input: ExplainInput | undefined,
) {
  const pictures = set.pictures!;
  const card = el('figure', 'why-filter');
  card.dataset.filter = String(o);
  const row = el('div', 'why-filter-row');
  const rgba = (scaling === 'together' ? pictures.together : pictures.alone)[o];
  const kernel = rgbaCanvas({ width: pictures.width, height: pictures.height, rgba }, 'why-kernel');
  kernel.title = `filter ${o}: ${pictures.height}\u00d7${pictures.width}`;
  row.appendChild(kernel);
  const patch = patchOf(set, o, input);
  if (patch) row.appendChild(patch);
  const caption = el('figcaption', '');
  caption.textContent = `filter ${o}`;
  card.append(caption, row, statsLine(set, o));
  return card;
}

function gridCard(
  set: FilterResult,
  i: number,
  scaling: FilterScaling,
  input: ExplainInput | undefined,
) {
  const { grids, kernelSize } = set;
  const o = grids.first + i;
  const kh = kernelSize.length === 2 ? kernelSize[0] : 1;
  const kw = kernelSize[kernelSize.length - 1];
  const s = set.stats[o];
  const maxAbs = scaling === 'together' ? set.maxAbs : Math.max(Math.abs(s.min), Math.abs(s.max));
  const table = lut('diverging');
  const card = el('figure', 'why-filter');
  card.dataset.filter = String(o);
  const caption = el('figcaption', '');
  const drawn = Math.min(set.inputChannels, MAX_INPUT_GRIDS);
  caption.textContent = `filter ${o}${set.inputChannels > 1 ? ` \u00b7 ${set.inputChannels} input channels${drawn < set.inputChannels ? ` (first ${drawn} drawn)` : ''}` : ''}`;
  const row = el('div', 'why-grid-row');
  for (let c = 0; c < drawn; c++) {
    const weights = gridSlice(grids.weights, set.inputChannels, grids.taps, i, c);
    const canvas = rgbaCanvas(weightGrid(weights, kh, kw, maxAbs, table), 'why-weight-grid');
    canvas.title = `filter ${o}, input channel ${c}: ${Array.from(weights, (w) => formatValue(w)).join(' ')}`;
    canvas.dataset.inputChannel = String(c);
    row.appendChild(canvas);
  }
  const patch = patchOf(set, o, input);
  if (patch) row.appendChild(patch);
  card.append(caption, row, statsLine(set, o));
  return card;
}

function statsTable(set: FilterResult): HTMLElement {
  const details = el('details', 'why-stats');
  const summary = el('summary', '');
  summary.textContent = `Statistics of all ${set.filters} filters (near zero: |w| \u2264 1% of the layer\u2019s largest |w| = ${formatValue(set.maxAbs)})`;
  const table = el('table', 'why-stats-table');
  const head = table.createTHead().insertRow();
  for (const t of ['Filter', 'Norm', 'Mean', 'Min', 'Max', 'Near zero']) {
    head.appendChild(Object.assign(el('th', ''), { textContent: t }));
  }
  const body = table.createTBody();
  set.stats.forEach((s, o) => {
    const row = body.insertRow();
    const cells = [
      String(o),
      formatValue(s.norm),
      formatValue(s.mean),
      formatValue(s.min),
      formatValue(s.max),
      `${(100 * s.nearZeroShare).toFixed(0)}%`,
    ];
    for (const text of cells) row.insertCell().textContent = text;
  });
  details.append(summary, table);
  return details;
}

/**
 * The filters of one layer. `page` is called with the first filter of another page of weight
 * grids (deeper layers only; first-layer pictures are all sent at once).
 */
export function renderFilters(
  set: FilterResult,
  scaling: FilterScaling,
  input: ExplainInput | undefined,
  page: (first: number) => void,
): HTMLElement {
  const section = el('div', 'why-filter-set');
  section.id = 'why-filter-set';
  section.dataset.layer = set.layer;
  section.dataset.filters = String(set.filters);
  const facts = el('p', 'hint');
  facts.textContent = `${set.layer} (${set.className}): ${set.filters} filters of ${set.kernelSize.join('\u00d7')} over ${set.inputChannels} input channel(s).${set.strongest ? ' Beside each filter, the input patch whose unit it drives hardest.' : ''}`;
  section.appendChild(facts);
  const cards = el('div', 'why-filters');
  if (set.pictures) {
    for (let o = 0; o < set.filters; o++) cards.appendChild(pictureCard(set, o, scaling, input));
  } else {
    for (let i = 0; i < set.grids.count; i++) cards.appendChild(gridCard(set, i, scaling, input));
    if (set.filters > set.grids.count) {
      const pager = el('div', 'why-pager');
      const { first, count } = set.grids;
      const label = el('span', '');
      label.textContent = `filters ${first}\u2026${first + count - 1} of ${set.filters}`;
      const previous = Object.assign(el('button', 'secondary'), { textContent: 'Previous' });
      previous.disabled = first === 0;
      previous.addEventListener('click', () => page(Math.max(0, first - FILTERS_PER_PAGE)));
      const next = Object.assign(el('button', 'secondary'), { textContent: 'Next' });
      next.disabled = first + count >= set.filters;
      next.addEventListener('click', () => page(first + FILTERS_PER_PAGE));
      pager.append(previous, label, next);
      section.appendChild(pager);
    }
  }
  section.append(cards, statsTable(set));
  return section;
}
