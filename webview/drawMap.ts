/** Paints one channel of a layer into a canvas whose pixels are the feature map's units. */
import { lut, type ColorScale } from './colormap';
import { type LayerData, type MapGeometry } from './layerData';

export function drawChannel(
  canvas: HTMLCanvasElement,
  layer: LayerData,
  g: MapGeometry,
  channel: number,
  scale: ColorScale,
): void {
  canvas.width = g.width;
  canvas.height = g.height;
  const context = canvas.getContext('2d');
  if (!context) return;
  const image = context.createImageData(g.width, g.height);
  const table = lut(scale.name);
  const pixels = image.data;
  const { data } = layer;
  const span = scale.high - scale.low;
  for (let p = 0, n = g.width * g.height; p < n; p++) {
    const v = data[p * g.channels + channel];
    const t = Math.round(((v - scale.low) / span) * 255);
    const i = (t < 0 ? 0 : t > 255 ? 255 : t) * 3;
    pixels[p * 4] = table[i];
    pixels[p * 4 + 1] = table[i + 1];
    pixels[p * 4 + 2] = table[i + 2];
    pixels[p * 4 + 3] = 255;
  }
  context.putImageData(image, 0, 0);
}

/** The unit under the pointer, from the canvas's displayed size to map coordinates. */
export function unitUnderPointer(
  canvas: HTMLCanvasElement,
  event: MouseEvent,
  g: MapGeometry,
): { y: number; x: number } {
  const rect = canvas.getBoundingClientRect();
  const x = Math.floor(((event.clientX - rect.left) / rect.width) * g.width);
  const y = Math.floor(((event.clientY - rect.top) / rect.height) * g.height);
  return { y: clamp(y, 0, g.height - 1), x: clamp(x, 0, g.width - 1) };
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, v));
}
