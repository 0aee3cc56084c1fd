/**
 * Drawing of gallery tiles: an image crop framed by its receptive field (the part of the field in
 * the padding hatched, so a patch at the border shows how much of it the unit saw as zeros), and a
 * small heat map of the unit's channel with the strongest position marked.
 */
import type { CropView, ImageGalleryUnit } from '../src/protocol/galleryMessages';
import { lut } from './colormap';

/** Paints `crop` on a canvas the size of its whole field at the crop's scale. */
export function drawCrop(canvas: HTMLCanvasElement, crop: CropView): void {
  const [y0, x0, y1, x1] = crop.box;
  const width = Math.max(1, Math.round((x1 - x0) * crop.scale));
  const height = Math.max(1, Math.round((y1 - y0) * crop.scale));
  canvas.width = width;
  canvas.height = height;
  const inPadding = !crop.clipped || crop.clipped.some((v, i) => v !== crop.box[i]);
  canvas.dataset.padding = String(inPadding);
  canvas.dataset.box = crop.box.join(',');
  const context = canvas.getContext('2d');
  if (!context) return;
  // Padding: grey diagonal hatching, drawn under the image part.
  context.fillStyle = '#3a3a3a';
  context.fillRect(0, 0, width, height);
  context.strokeStyle = '#8a8a8a';
  context.lineWidth = Math.max(1, width / 32);
  const step = Math.max(3, width / 8);
  for (let d = -height; d < width; d += step) {
    context.beginPath();
    context.moveTo(d, height);
    context.lineTo(d + height, 0);
    context.stroke();
  }
  if (crop.clipped && crop.width > 0 && crop.height > 0) {
    const oy = Math.round((crop.clipped[0] - y0) * crop.scale);
    const ox = Math.round((crop.clipped[1] - x0) * crop.scale);
    const pixels = new ImageData(new Uint8ClampedArray(crop.rgba), crop.width, crop.height);
    context.putImageData(pixels, ox, oy);
  }
  canvas.dataset.drawn = 'true';
}

/** The unit's channel in viridis from 0 to its maximum, with the strongest position outlined. */
export function drawHeat(canvas: HTMLCanvasElement, unit: ImageGalleryUnit): void {
  const { height, width, data } = unit.heat;
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d');
  if (!context) return;
  const table = lut('viridis');
  const image = context.createImageData(width, height);
  const high = unit.max > 0 ? unit.max : 1;
  for (let p = 0; p < width * height; p++) {
    const t = Math.max(0, Math.min(255, Math.round((data[p] / high) * 255))) * 3;
    image.data.set([table[t], table[t + 1], table[t + 2], 255], p * 4);
  }
  context.putImageData(image, 0, 0);
  context.strokeStyle = '#ff3b30';
  context.lineWidth = Math.max(width, height) / 40;
  context.strokeRect(unit.x + 0.1, unit.y + 0.1, 0.8, 0.8);
}

export function formatActivation(value: number): string {
  return Math.abs(value) >= 100 || Math.abs(value) < 0.01
    ? value.toExponential(2)
    : value.toPrecision(3);
}
