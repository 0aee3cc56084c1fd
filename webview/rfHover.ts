/**
 * Connects the feature maps to the input image: the unit under the pointer gets its receptive
 * field drawn on `#input-image` (box `#rf-box`) and described in `#rf-readout`.
 */
import type { LayerReceptiveField } from '../src/analysis/structure/receptiveField';
import {
  unitReceptiveField,
  unitReceptiveField1D,
  type UnitField2D,
} from '../src/analysis/structure/unitField';
import type { UnitHover } from './featureGrid';
import { describeRfBox, RfOverlay, type RfBox } from './rfOverlay';

const IDLE_TEXT = 'Hover a feature map to see what part of the input a unit sees.';

export class RfHover implements UnitHover {
  private overlay: RfOverlay | undefined;
  private readout: HTMLElement | null = null;
  private size: { height: number; width: number } | undefined;
  private layer: string | undefined;
  private field: LayerReceptiveField | undefined;

  /** Call after the input image is (re)drawn; `frame` holds the `#input-image` canvas. */
  attach(
    frame: HTMLElement | null,
    readout: HTMLElement | null,
    height: number,
    width: number,
  ): void {
    this.overlay = frame ? new RfOverlay(frame, width, height, 'rf-box') : undefined;
    this.readout = readout;
    this.size = { height, width };
  }

  /** The layer whose maps are shown, with its receptive field (undefined when the model has no structure). */
  setLayer(name: string | undefined, field: LayerReceptiveField | undefined): void {
    this.layer = name;
    this.field = field;
    this.leave();
  }

  /** The box of unit (y, x) of the current layer, or undefined where there is none to draw. */
  boxFor(y: number, x: number): RfBox | undefined {
    const rf = this.field;
    const rank = rf?.axes?.length;
    if (!rf || (rank !== 1 && rank !== 2) || rf.collapsed || !this.size || !this.layer)
      return undefined;
    try {
      const { height, width } = this.size;
      const field =
        rank === 2 ? unitReceptiveField(rf, y, x, height, width) : stepsAsBox(rf, x, width);
      return { layer: this.layer, y, x, field };
    } catch {
      return undefined; // outside the layer (a stale map while the next layer loads)
    }
  }

  enter(y: number, x: number): string | undefined {
    const box = this.boxFor(y, x);
    if (!box) {
      this.overlay?.clear();
      const reason =
        this.field && !this.field.axes ? `no receptive field: ${this.field.reason}` : undefined;
      if (this.readout) this.readout.textContent = reason ?? IDLE_TEXT;
      return reason;
    }
    this.overlay?.show(box);
    const warning = this.field?.misalignment ? ` Approximate: ${this.field.misalignment}.` : '';
    const text = describeRfBox(box, this.size!.height, this.size!.width) + warning;
    if (this.readout) this.readout.textContent = text;
    const [y0, x0, y1, x1] = box.field.unclipped;
    if (this.field?.axes?.length === 1) return `receptive field steps ${x0}\u2026${x1 - 1}`;
    return `receptive field rows ${y0}\u2026${y1 - 1}, columns ${x0}\u2026${x1 - 1}${
      this.field?.misalignment ? ' (approximate: misaligned branches)' : ''
    }`;
  }

  leave(): void {
    this.overlay?.clear();
    if (this.readout) this.readout.textContent = IDLE_TEXT;
  }
}

/**
 * A 1-D unit's field as a box over the whole height of the input plot (one row), so the overlay
 * that marks a 2-D field on a picture marks the steps a sequence unit reads.
 */
function stepsAsBox(rf: LayerReceptiveField, index: number, length: number): UnitField2D {
  const { unclipped, clipped, centre } = unitReceptiveField1D(rf, index, length);
  return {
    unclipped: [0, unclipped[0], 1, unclipped[1]],
    clipped: clipped && [0, clipped[0], 1, clipped[1]],
    // Row 0 (centres are pixel indices, as in 2-D): the overlay marks the middle of the plot.
    centre: [0, centre],
  };
}
