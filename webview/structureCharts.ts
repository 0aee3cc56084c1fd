/**
 * Bars of one quantity per layer (parameters, MACs), in model order, on a linear scale so a bar's
 * length is its share: the point is to see which layers dominate (dense layers for parameters,
 * early convolutions for compute).
 */
import type { StructureLayer } from '../src/analysis/structure/modelStructure';
import { formatInteger } from './structureTable';
import { compactNumber } from '../src/analysis/format';

export function renderBarChart(
  id: string,
  title: string,
  layers: StructureLayer[],
  value: (layer: StructureLayer) => number | null,
  onSelect: (name: string) => void,
): HTMLElement {
  const figure = document.createElement('figure');
  figure.className = 'bar-chart';
  figure.id = id;
  const caption = document.createElement('figcaption');
  const values = layers.map(value);
  const total = values.reduce<number>((a, v) => a + (v ?? 0), 0);
  const max = Math.max(0, ...values.map((v) => v ?? 0));
  caption.textContent = `${title} per layer \u00b7 total ${formatInteger(total)}`;
  figure.appendChild(caption);
  layers.forEach((layer, i) => {
    const v = values[i];
    const row = document.createElement('div');
    row.className = 'sbar-row';
    row.dataset.layer = layer.name;
    row.dataset.value = v === null ? '' : String(v);
    row.title = `${layer.name} (${layer.className}): ${v === null ? 'unknown' : formatInteger(v)}${
      v !== null && total > 0 ? ` \u00b7 ${((100 * v) / total).toFixed(1)}% of the total` : ''
    }`;
    const label = document.createElement('span');
    label.className = 'sbar-label';
    label.textContent = layer.name;
    const track = document.createElement('span');
    track.className = 'sbar-track';
    const bar = document.createElement('span');
    bar.className = 'sbar';
    bar.style.width = max > 0 && v ? `${Math.max(0.5, (100 * v) / max)}%` : '0';
    track.appendChild(bar);
    const text = document.createElement('span');
    text.className = 'sbar-value';
    text.textContent = v === null ? '?' : compact(v);
    row.append(label, track, text);
    row.addEventListener('click', () => onSelect(layer.name));
    figure.appendChild(row);
  });
  return figure;
}

/** 1234567 -> "1.23M": short labels beside the bars; the exact number is in the row's title. */
export function compact(n: number): string {
  return compactNumber(n);
}
