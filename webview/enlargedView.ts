/** A single feature map, large, in a dialog: the same pixels and hover as its tile. */
import type { ColorScale } from './colormap';
import { drawChannel, unitUnderPointer } from './drawMap';
import { formatValue, valueAt, type LayerData, type MapGeometry } from './layerData';

export class EnlargedView {
  private readonly dialog: HTMLDialogElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly title: HTMLElement;
  private readonly readout: HTMLElement;
  private current: { layer: LayerData; g: MapGeometry; channel: number } | undefined;

  constructor(parent: HTMLElement) {
    this.dialog = document.createElement('dialog');
    this.dialog.className = 'enlarged';
    this.dialog.id = 'enlarged-view';
    const header = document.createElement('header');
    this.title = document.createElement('h2');
    const close = document.createElement('button');
    close.textContent = 'Close';
    close.className = 'secondary';
    close.addEventListener('click', () => this.dialog.close());
    header.append(this.title, close);
    this.canvas = document.createElement('canvas');
    this.readout = document.createElement('p');
    this.readout.className = 'readout';
    this.readout.textContent = 'Hover the map to read a unit.';
    this.dialog.append(header, this.canvas, this.readout);
    this.dialog.addEventListener('click', (e) => {
      if (e.target === this.dialog) this.dialog.close(); // click on the backdrop
    });
    this.canvas.addEventListener('mousemove', (e) => this.onHover(e));
    parent.appendChild(this.dialog);
  }

  open(layer: LayerData, g: MapGeometry, channel: number, scale: ColorScale): void {
    this.current = { layer, g, channel };
    this.title.textContent = `${layer.name} \u00b7 channel ${channel} \u00b7 ${g.height === 1 ? g.width : `${g.height}\u00d7${g.width}`}`;
    drawChannel(this.canvas, layer, g, channel, scale);
    this.canvas.style.aspectRatio = `${g.width / g.height}`;
    this.dialog.showModal();
  }

  private onHover(event: MouseEvent): void {
    if (!this.current) return;
    const { layer, g, channel } = this.current;
    const { y, x } = unitUnderPointer(this.canvas, event, g);
    const value = valueAt(layer, g, channel, y, x);
    this.readout.textContent = `channel ${channel} \u00b7 ${g.height === 1 ? `t ${x}` : `y ${y}, x ${x}`} \u00b7 ${formatValue(value)}`;
  }
}
