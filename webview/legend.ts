/** A colour bar with its value range, so colours can be read as numbers. */
import { lut, type ColorScale } from './colormap';
import { formatValue } from './layerData';

export function renderLegend(
  container: HTMLElement,
  scale: ColorScale,
  note: string,
  /** Words instead of numbers at the ends, when each tile has its own range. */
  ends?: { low: string; high: string },
): void {
  const bar = document.createElement('canvas');
  bar.className = 'legend-bar';
  bar.width = 256;
  bar.height = 1;
  const context = bar.getContext('2d');
  if (context) {
    const image = context.createImageData(256, 1);
    const table = lut(scale.name);
    for (let i = 0; i < 256; i++) {
      image.data.set([table[i * 3], table[i * 3 + 1], table[i * 3 + 2], 255], i * 4);
    }
    context.putImageData(image, 0, 0);
  }
  const low = document.createElement('span');
  low.className = 'legend-low';
  low.textContent = ends?.low ?? formatValue(scale.low);
  const high = document.createElement('span');
  high.className = 'legend-high';
  high.textContent = ends?.high ?? formatValue(scale.high);
  const caption = document.createElement('span');
  caption.className = 'legend-note';
  caption.textContent = note;
  container.replaceChildren(low, bar, high, caption);
}
