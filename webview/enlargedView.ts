/**
 * A single feature map, large, in a dialog: the same pixels and hover as its tile, beside the
 * input image on which the hovered unit's receptive field is drawn.
 */
import { rgbaCanvas } from './rgbaCanvas';
import type { RgbaPicture } from '../src/analysis/image/rgbaPicture';
import type { ColorScale } from './colormap';
import { drawChannel, unitUnderPointer } from './drawMap';
import { formatValue, valueAt, type LayerData, type MapGeometry } from './layerData';
import type { UnitHover } from './featureGrid';
import { RfOverlay, type RfBox } from './rfOverlay';
import { drawSequenceTile } from './signalInput';

const HOVER_PROMPT = 'Hover the map to read a unit.';

export class EnlargedView {
  private readonly dialog: HTMLDialogElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly title: HTMLElement;
  private readonly readout: HTMLElement;
  private readonly side: HTMLElement;
  private overlay: RfOverlay | undefined;
  private current: { layer: LayerData; g: MapGeometry; channel: number } | undefined;
  /** The unit last clicked in this map (what "Why?" explains; none: the channel's strongest). */
  private clicked: number[] | undefined;

  constructor(
    parent: HTMLElement,
    private readonly hover?: UnitHover,
    private readonly boxFor?: (y: number, x: number) => RfBox | undefined,
    /** A click on a unit of the map (opens its arithmetic). */
    private readonly onUnitClick?: (layer: string, channel: number, y: number, x: number) => void,
    /** "Why?": explain the clicked unit, or the channel's strongest (position undefined). */
    private readonly onWhy?: (layer: string, channel: number, position?: number[]) => void,
  ) {
    this.dialog = document.createElement('dialog');
    this.dialog.className = 'enlarged';
    this.dialog.id = 'enlarged-view';
    const header = document.createElement('header');
    this.title = document.createElement('h2');
    const close = document.createElement('button');
    close.textContent = 'Close';
    close.className = 'secondary';
    close.addEventListener('click', () => this.dialog.close());
    const why = document.createElement('button');
    why.id = 'enlarged-why';
    why.textContent = 'Why does it fire?';
    why.title = 'Projections of the clicked unit (or the strongest of this map) back to the input';
    why.addEventListener('click', () => {
      if (!this.current || !this.onWhy) return;
      this.dialog.close();
      this.onWhy(this.current.layer.name, this.current.channel, this.clicked);
    });
    why.hidden = !onWhy;
    header.append(this.title, why, close);
    this.canvas = document.createElement('canvas');
    this.readout = document.createElement('p');
    this.readout.className = 'readout';
    this.readout.textContent = HOVER_PROMPT;
    this.side = document.createElement('div');
    this.side.className = 'enlarged-side';
    const body = document.createElement('div');
    body.className = 'enlarged-body';
    body.append(this.canvas, this.side);
    this.dialog.append(header, body, this.readout);
    this.dialog.addEventListener('click', (e) => {
      if (e.target === this.dialog) this.dialog.close(); // click on the backdrop
    });
    this.dialog.addEventListener('close', () => this.leave());
    this.canvas.addEventListener('mousemove', (e) => this.onHover(e));
    this.canvas.addEventListener('click', (e) => {
      if (!this.current || !this.onUnitClick) return;
      const { y, x } = unitUnderPointer(this.canvas, e, this.current.g);
      this.clicked = this.current.layer.shape.length === 2 ? [x] : [y, x];
      this.onUnitClick(this.current.layer.name, this.current.channel, y, x);
    });
    this.canvas.addEventListener('mouseleave', () => this.leave());
    parent.appendChild(this.dialog);
  }

  open(
    layer: LayerData,
    g: MapGeometry,
    channel: number,
    scale: ColorScale,
    input?: RgbaPicture,
  ): void {
    this.current = { layer, g, channel };
    this.clicked = undefined;
    this.readout.textContent = HOVER_PROMPT; // not the unit read before, in another map
    this.title.textContent = `${layer.name} \u00b7 channel ${channel} \u00b7 ${g.height === 1 ? g.width : `${g.height}\u00d7${g.width}`}`;
    if (g.height === 1) drawSequenceTile(this.canvas, layer, g, channel, undefined);
    else drawChannel(this.canvas, layer, g, channel, scale);
    if (g.height !== 1) this.canvas.style.aspectRatio = `${g.width / g.height}`;
    this.renderInput(input);
    this.dialog.showModal();
  }

  private renderInput(input: RgbaPicture | undefined): void {
    this.side.replaceChildren();
    this.overlay = undefined;
    if (!input || !this.boxFor) return;
    const stage = document.createElement('div');
    stage.className = 'input-stage';
    const frame = document.createElement('div');
    frame.className = 'input-frame';
    const canvas = rgbaCanvas(input, '');
    canvas.id = 'enlarged-input';
    frame.appendChild(canvas);
    stage.appendChild(frame);
    const caption = document.createElement('p');
    caption.className = 'caption';
    caption.textContent = 'Input: the hovered unit\u2019s receptive field';
    this.side.append(stage, caption);
    this.overlay = new RfOverlay(frame, input.width, input.height, 'rf-box-enlarged');
  }

  private onHover(event: MouseEvent): void {
    if (!this.current) return;
    const { y, x } = unitUnderPointer(this.canvas, event, this.current.g);
    const extra = this.hover?.enter(y, x);
    const box = this.boxFor?.(y, x);
    if (box) this.overlay?.show(box);
    else this.overlay?.clear();
    this.readUnit(y, x, extra);
  }

  /** The readout of the open map's unit (y, x): a hovered one, or the one a gallery tile names. */
  readUnit(y: number, x: number, extra?: string): void {
    if (!this.current) return;
    const { layer, g, channel } = this.current;
    const value = valueAt(layer, g, channel, y, x);
    this.readout.textContent = `channel ${channel} \u00b7 ${g.height === 1 ? `t ${x}` : `y ${y}, x ${x}`} \u00b7 ${formatValue(value)}${extra ? ` \u00b7 ${extra}` : ''}`;
  }

  private leave(): void {
    this.overlay?.clear();
    this.hover?.leave();
  }
}
