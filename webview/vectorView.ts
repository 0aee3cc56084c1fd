/**
 * Dense and flatten layers: one value per unit. Up to a few hundred units are drawn as bars (with
 * class labels on the output layer); longer vectors as a strip of coloured cells, 64 per row.
 */
import { cssColor, lut, lutIndex, scaleFor, type ColorScale } from './colormap';
import { formatValue, type LayerData } from './layerData';
import type { Tooltip } from './tooltip';
import type { SequentialColormap } from '../src/protocol/panelProtocol';

const MAX_BARS = 256;
const CELLS_PER_ROW = 64;
const CELL = 8;

export function renderVector(
  parent: HTMLElement,
  layer: LayerData,
  colormap: SequentialColormap,
  labels: string[] | undefined,
  tooltip: Tooltip,
): void {
  const scale = scaleFor(layer.min, layer.max, colormap);
  const values = layer.data;
  const labelOf = (i: number) =>
    labels && labels.length === values.length ? labels[i] : `unit ${i}`;
  const wrapper = document.createElement('div');
  wrapper.id = 'vector-view';
  wrapper.className = 'vector-view';
  if (values.length <= MAX_BARS) {
    for (let i = 0; i < values.length; i++)
      wrapper.appendChild(barRow(labelOf(i), values[i], scale));
  } else {
    const note = document.createElement('p');
    note.className = 'hint';
    note.textContent = `${values.length.toLocaleString('en-US')} units, ${CELLS_PER_ROW} per row; hover a cell for its value.`;
    wrapper.append(note, cellStrip(values, scale, labelOf, tooltip));
  }
  parent.appendChild(wrapper);
}

/** One unit as a bar from zero (the middle of a diverging scale) to its value. */
function barRow(label: string, value: number, scale: ColorScale): HTMLElement {
  const zero = scale.name === 'diverging' ? 0.5 : 0;
  const row = document.createElement('div');
  row.className = 'bar-row';
  const name = document.createElement('span');
  name.className = 'bar-label';
  name.textContent = label;
  const track = document.createElement('span');
  track.className = 'bar-track';
  const bar = document.createElement('span');
  bar.className = 'bar';
  const t = (value - scale.low) / (scale.high - scale.low);
  const left = Math.min(zero, t);
  bar.style.left = `${left * 100}%`;
  bar.style.width = `${Math.abs(t - zero) * 100}%`;
  bar.style.background = cssColor(scale, value);
  track.appendChild(bar);
  const text = document.createElement('span');
  text.className = 'bar-value';
  text.textContent = formatValue(value);
  row.append(name, track, text);
  return row;
}

/** Long vectors: a cell per unit, CELLS_PER_ROW per row, each unit's value in a tooltip. */
function cellStrip(
  values: Float32Array,
  scale: ColorScale,
  labelOf: (i: number) => string,
  tooltip: Tooltip,
): HTMLCanvasElement {
  const rows = Math.ceil(values.length / CELLS_PER_ROW);
  const canvas = document.createElement('canvas');
  canvas.className = 'vector-strip';
  canvas.width = CELLS_PER_ROW;
  canvas.height = rows;
  canvas.style.width = `${CELLS_PER_ROW * CELL}px`;
  canvas.style.height = `${rows * CELL}px`;
  const context = canvas.getContext('2d');
  if (context) {
    const image = context.createImageData(CELLS_PER_ROW, rows);
    const table = lut(scale.name);
    for (let i = 0; i < values.length; i++) {
      const k = lutIndex(scale, values[i]) * 3;
      image.data.set([table[k], table[k + 1], table[k + 2], 255], i * 4);
    }
    context.putImageData(image, 0, 0);
  }
  canvas.addEventListener('mousemove', (e) => {
    const rect = canvas.getBoundingClientRect();
    const x = Math.floor(((e.clientX - rect.left) / rect.width) * CELLS_PER_ROW);
    const y = Math.floor(((e.clientY - rect.top) / rect.height) * rows);
    const i = y * CELLS_PER_ROW + x;
    if (i < values.length) tooltip.show(`${labelOf(i)} \u00b7 ${formatValue(values[i])}`, e);
  });
  canvas.addEventListener('mouseleave', () => tooltip.hide());
  return canvas;
}
