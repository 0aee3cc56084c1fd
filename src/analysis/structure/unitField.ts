// The input rectangle one unit of a layer looks at, from its receptive field.
// Rectangles are HALF-OPEN: [y0, x0, y1, x1] covers rows y0 .. y1 - 1 and columns x0 .. x1 - 1,
// so y1 - y0 is the field size and the rectangle can be used directly as a slice.
import type { AxisReceptiveField, LayerReceptiveField } from './receptiveField';

export type Rect = [y0: number, x0: number, y1: number, x1: number];

export interface UnitField2D {
  /** Unclipped, may extend into the padding (negative or past the image). */
  unclipped: Rect;
  /** The part inside the image, or null when the unit sees padding only. */
  clipped: Rect | null;
  /** Centre [y, x] in input coordinates (may be fractional: -p + i*j + (r-1)/2). */
  centre: [number, number];
}

export interface UnitField1D {
  unclipped: [start: number, end: number];
  clipped: [start: number, end: number] | null;
  centre: number;
}

function checkedAxes(rf: LayerReceptiveField, rank: number): AxisReceptiveField[] {
  if (rf.axes === null) {
    throw new Error(`layer '${rf.name}' has no receptive field: ${rf.reason ?? 'unknown reason'}`);
  }
  if (rf.axes.length !== rank) {
    throw new Error(`layer '${rf.name}' has ${rf.axes.length} spatial axes, not ${rank}`);
  }
  return rf.axes;
}

function checkedIndex(rf: LayerReceptiveField, axis: number, index: number): void {
  const limit = rf.collapsed ? 1 : rf.outputSize?.[axis];
  if (!Number.isInteger(index) || index < 0 || (limit != null && index >= limit)) {
    throw new RangeError(
      `unit index ${index} is outside layer '${rf.name}' along axis ${axis} (length ${limit ?? 'unknown'})`,
    );
  }
}

function span(a: AxisReceptiveField, index: number, inputLength: number) {
  const start = -a.padding + index * a.jump;
  const end = start + a.size;
  const lo = Math.max(start, 0);
  const hi = Math.min(end, inputLength);
  return {
    start,
    end,
    clipped: lo < hi ? ([lo, hi] as [number, number]) : null,
    centre: start + (a.size - 1) / 2,
  };
}

/** Input rectangle of unit (y, x) of a 2-D layer, for an input of inputH x inputW pixels. */
export function unitReceptiveField(
  rf: LayerReceptiveField,
  y: number,
  x: number,
  inputH: number,
  inputW: number,
): UnitField2D {
  const [ay, ax] = checkedAxes(rf, 2);
  checkedIndex(rf, 0, y);
  checkedIndex(rf, 1, x);
  const sy = span(ay, y, inputH);
  const sx = span(ax, x, inputW);
  return {
    unclipped: [sy.start, sx.start, sy.end, sx.end],
    clipped:
      sy.clipped && sx.clipped
        ? [sy.clipped[0], sx.clipped[0], sy.clipped[1], sx.clipped[1]]
        : null,
    centre: [sy.centre, sx.centre],
  };
}

/** Input interval [start, end) of unit i of a 1-D layer, for an input of inputLength steps. */
export function unitReceptiveField1D(
  rf: LayerReceptiveField,
  index: number,
  inputLength: number,
): UnitField1D {
  const [a] = checkedAxes(rf, 1);
  checkedIndex(rf, 0, index);
  const s = span(a, index, inputLength);
  return { unclipped: [s.start, s.end], clipped: s.clipped, centre: s.centre };
}
