/**
 * A unit's receptive field drawn over an input image: the part inside the image filled, the part
 * that falls in the padding hatched with a dashed outline. The box is exposed in the DOM (data-y0
 * ... half-open input pixels, unclipped and clipped) so tests and curious users can read it.
 */
import type { Rect, UnitField2D } from '../src/analysis/structure/unitField';

import { svgEl } from './dom';

export interface RfBox {
  layer: string;
  /** The unit, in the layer's output coordinates. */
  y: number;
  x: number;
  field: UnitField2D;
}

/** One-line description of a box for the readout and tooltips, rows/columns inclusive. */
export function describeRfBox(box: RfBox, height: number, width: number): string {
  const [y0, x0, y1, x1] = box.field.unclipped;
  const size = `${y1 - y0}\u00d7${x1 - x0}`;
  const outside = (y1 - y0) * (x1 - x0) - clippedArea(box);
  const padding = outside > 0 ? `, ${pct(outside / ((y1 - y0) * (x1 - x0)))} in padding` : '';
  const fits = y0 >= 0 && x0 >= 0 && y1 <= height && x1 <= width;
  // A signal (one row): its unit at step x sees a run of steps.
  if (height === 1 && y0 === 0 && y1 === 1)
    return `${box.layer} (t ${box.x}) sees steps ${x0}\u2026${x1 - 1} (${x1 - x0} ${x1 - x0 === 1 ? 'step' : 'steps'}${fits ? '' : padding})`;
  return `${box.layer} (y ${box.y}, x ${box.x}) sees rows ${y0}\u2026${y1 - 1}, columns ${x0}\u2026${x1 - 1} (${size}${fits ? '' : padding})`;
}

function clippedArea(box: RfBox): number {
  const c = box.field.clipped;
  return c ? (c[2] - c[0]) * (c[3] - c[1]) : 0;
}

function pct(f: number): string {
  return `${Math.round(f * 100)}%`;
}

export class RfOverlay {
  private readonly root: SVGSVGElement;

  /**
   * `frame` must be positioned and hold the image canvas; the overlay covers it exactly.
   * `boxId` is the id the drawn box gets (unique in the page).
   */
  constructor(
    frame: HTMLElement,
    private readonly width: number,
    private readonly height: number,
    private readonly boxId: string,
  ) {
    this.root = svgEl('svg', {
      class: 'rf-overlay',
      viewBox: `0 0 ${width} ${height}`,
      preserveAspectRatio: 'none',
      'aria-hidden': 'true',
    });
    const defs = svgEl('defs', {});
    const pattern = svgEl('pattern', {
      id: `${boxId}-hatch`,
      patternUnits: 'userSpaceOnUse',
      width: Math.max(width, height) / 24,
      height: Math.max(width, height) / 24,
      patternTransform: 'rotate(45)',
    });
    pattern.appendChild(
      svgEl('line', {
        x1: 0,
        y1: 0,
        x2: 0,
        y2: Math.max(width, height) / 24,
        class: 'rf-hatch-line',
      }),
    );
    defs.appendChild(pattern);
    this.root.appendChild(defs);
    frame.appendChild(this.root);
  }

  show(box: RfBox): void {
    this.clear();
    const group = svgEl('g', { id: this.boxId, class: 'rf-box' });
    for (const [k, v] of Object.entries(boxData(box))) group.dataset[k] = String(v);
    const { unclipped, clipped } = box.field;
    // Hatching only where the field lies in the padding: the even-odd rule cuts the image part out.
    const padding = ring(unclipped) + (clipped ? ring(clipped) : '');
    group.appendChild(
      svgEl('path', {
        d: padding,
        'fill-rule': 'evenodd',
        fill: `url(#${this.boxId}-hatch)`,
        class: 'rf-padding',
      }),
    );
    group.appendChild(rect(unclipped, 'rf-unclipped', { fill: 'none' }));
    if (clipped) group.appendChild(rect(clipped, 'rf-clipped'));
    group.append(...this.centreMark(box.field.centre));
    this.root.appendChild(group);
  }

  /** A cross on the centre pixel (centre coordinates are pixel indices; pixel k spans [k, k + 1)). */
  private centreMark([cy, cx]: readonly number[]): SVGLineElement[] {
    const arm = Math.max(this.width, this.height) / 40;
    // A signal is one row stretched over a plot: an arm as long as the steps are many would
    // stick out far above and below it, so its vertical arm spans the plot's height exactly.
    const [top, bottom] = this.height === 1 ? [0, 1] : [cy + 0.5 - arm, cy + 0.5 + arm];
    return [
      [cx + 0.5 - arm, cy + 0.5, cx + 0.5 + arm, cy + 0.5],
      [cx + 0.5, top, cx + 0.5, bottom],
    ].map(([x1, y1, x2, y2]) =>
      svgEl('line', { x1, y1, x2, y2, class: 'rf-centre', 'vector-effect': 'non-scaling-stroke' }),
    );
  }

  clear(): void {
    this.root.querySelector('.rf-box')?.remove();
  }
}

/** The box as data attributes (half-open input pixels), for tests and curious users. */
function boxData(box: RfBox): Record<string, string | number> {
  const [y0, x0, y1, x1] = box.field.unclipped;
  const [cy, cx] = box.field.centre;
  const clipped = box.field.clipped;
  const clip: Record<string, number | string> = clipped
    ? { clipY0: clipped[0], clipX0: clipped[1], clipY1: clipped[2], clipX1: clipped[3] }
    : { clipped: 'none' };
  return { layer: box.layer, unitY: box.y, unitX: box.x, y0, x0, y1, x1, cy, cx, ...clip };
}

function rect(r: Rect, cls: string, extra: Record<string, string> = {}): SVGRectElement {
  return svgEl('rect', {
    x: r[1],
    y: r[0],
    width: r[3] - r[1],
    height: r[2] - r[0],
    class: cls,
    'vector-effect': 'non-scaling-stroke',
    ...extra,
  });
}

/** An SVG path around a rectangle [y0, x0, y1, x1]. */
function ring(r: Rect): string {
  return `M${r[1]},${r[0]}H${r[3]}V${r[2]}H${r[1]}Z`;
}
