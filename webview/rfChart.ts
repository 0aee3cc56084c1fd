/**
 * Receptive-field size across depth: one point per layer (height, and width when it differs),
 * with the input size marked, so one sees where units start to see the whole image. Layers the
 * theory cannot describe leave a gap; layers without a spatial layout (Flatten, Dense) are hollow.
 */
import type { ModelStructure } from '../src/analysis/structure/modelStructure';
import { formatShape } from '../src/analysis/format';
import { svgEl as node } from './dom';

const W = 640;
const H = 240;
const M = { left: 48, right: 16, top: 14, bottom: 30 };

/** Round tick values from 0 to at least `max`: steps of 1, 2 or 5 times a power of ten. */
export function niceTicks(max: number, target = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / target;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let t = 0; t < max + step; t += step) {
    ticks.push(Number(t.toPrecision(12)));
    if (t >= max) break;
  }
  return ticks;
}

type Layers = ModelStructure['layers'];
type Input = ModelStructure['inputSize'];

/** The chart's scales: layer index to x, receptive-field size in pixels to y. */
interface Scales {
  ticks: number[];
  px: (i: number) => number;
  py: (v: number) => number;
}

function scalesOf(layers: Layers, input: Input): Scales {
  const sizes = layers.flatMap((l) => l.receptiveField.axes?.map((a) => a.size) ?? []);
  const inputMax = Math.max(0, ...(input ?? []).map((d) => d ?? 0));
  const ticks = niceTicks(Math.max(1, inputMax, ...sizes));
  const top = ticks[ticks.length - 1];
  const n = layers.length;
  return {
    ticks,
    px: (i) => M.left + (n <= 1 ? 0.5 : i / (n - 1)) * (W - M.left - M.right),
    py: (v) => H - M.bottom - (v / top) * (H - M.top - M.bottom),
  };
}

/** Grid lines with their pixel values, depth labels and the two axis titles. */
function drawAxes(chart: SVGSVGElement, n: number, { ticks, px, py }: Scales): void {
  for (const t of ticks) {
    chart.appendChild(
      node('line', { x1: M.left, x2: W - M.right, y1: py(t), y2: py(t), class: 'grid' }),
    );
    chart.appendChild(
      node('text', { x: M.left - 6, y: py(t) + 4, class: 'tick', 'text-anchor': 'end' }, String(t)),
    );
  }
  const step = Math.ceil(n / 24); // at most ~24 depth labels
  for (let i = 0; i < n; i++) {
    if (i % step === 0 || i === n - 1) {
      chart.appendChild(
        node(
          'text',
          { x: px(i), y: H - M.bottom + 16, class: 'tick', 'text-anchor': 'middle' },
          String(i + 1),
        ),
      );
    }
  }
  chart.appendChild(
    node(
      'text',
      { x: W - M.right, y: H - 2, class: 'axis-label', 'text-anchor': 'end' },
      'layer # (depth)',
    ),
  );
  const middle = M.top + (H - M.top - M.bottom) / 2;
  chart.appendChild(
    node(
      'text',
      {
        x: 12,
        y: middle,
        class: 'axis-label',
        'text-anchor': 'middle',
        transform: `rotate(-90 12 ${middle})`,
      },
      'pixels',
    ),
  );
}

/** A line at the input's height (and width, when it differs), where units see the whole input. */
function drawInputLines(chart: SVGSVGElement, input: Input, { py }: Scales): void {
  (input ?? []).forEach((d, axis) => {
    if (d === null || (axis > 0 && d === input![0])) return;
    const y = py(d);
    const name =
      axis === 0 && input!.length > 1
        ? input![1] === d
          ? 'input'
          : 'input height'
        : 'input width';
    chart.appendChild(
      node('line', {
        x1: M.left,
        x2: W - M.right,
        y1: y,
        y2: y,
        class: 'input-line',
        'data-axis': axis,
      }),
    );
    chart.appendChild(
      node(
        'text',
        { x: W - M.right, y: y - 4, class: 'input-label', 'text-anchor': 'end' },
        `${name} ${d}`,
      ),
    );
  });
}

/** One axis's sizes across depth: a line broken where the theory stops, and a point per layer. */
function drawSeries(
  chart: SVGSVGElement,
  layers: Layers,
  axis: number,
  axisCount: number,
  { px, py }: Scales,
  onSelect: (name: string) => void,
): void {
  let path = '';
  let pen = false;
  layers.forEach((l, i) => {
    const a = l.receptiveField.axes?.[axis];
    if (!a) {
      pen = false;
      return;
    }
    path += `${pen ? 'L' : 'M'}${px(i).toFixed(1)},${py(a.size).toFixed(1)}`;
    pen = true;
  });
  chart.appendChild(node('path', { d: path, class: `series series-${axis}` }));
  layers.forEach((l, i) => {
    const a = l.receptiveField.axes?.[axis];
    if (!a) return;
    const dot = node('circle', {
      cx: px(i),
      cy: py(a.size),
      r: 4,
      class: `point series-${axis}${l.receptiveField.collapsed ? ' collapsed' : ''}`,
      'data-layer': l.name,
      'data-size': a.size,
    });
    dot.appendChild(
      node(
        'title',
        {},
        `${i + 1}. ${l.name}: ${axis === 0 && axisCount > 1 ? 'height ' : axis === 1 ? 'width ' : ''}${a.size} px, jump ${a.jump}, padding ${a.padding}${l.receptiveField.collapsed ? ' (whole input gathered)' : ''}`,
      ),
    );
    dot.addEventListener('click', () => onSelect(l.name));
    chart.appendChild(dot);
  });
}

export function renderRfChart(
  structure: ModelStructure,
  onSelect: (name: string) => void,
): HTMLElement {
  const figure = document.createElement('figure');
  figure.className = 'rf-chart';
  figure.id = 'rf-chart';
  const caption = document.createElement('figcaption');
  const input = structure.inputSize;
  caption.textContent = `Receptive field size across depth${input ? ` \u00b7 input ${formatShape(input)}` : ''}`;
  figure.appendChild(caption);
  const layers = structure.layers;
  const axisCount = Math.max(0, ...layers.map((l) => l.receptiveField.axes?.length ?? 0));
  const scales = scalesOf(layers, input);
  const chart = node('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', class: 'rf-chart-svg' });
  chart.appendChild(node('title', {}, 'Receptive field size per layer'));
  drawAxes(chart, layers.length, scales);
  drawInputLines(chart, input, scales);
  for (let axis = 0; axis < axisCount; axis++) {
    const same =
      axis > 0 &&
      layers.every(
        (l) =>
          !l.receptiveField.axes ||
          l.receptiveField.axes[axis]?.size === l.receptiveField.axes[0].size,
      );
    if (same) continue; // width equals height everywhere: one series says it all
    drawSeries(chart, layers, axis, axisCount, scales, onSelect);
  }
  figure.appendChild(chart);
  const unsupported = layers.filter((l) => !l.receptiveField.axes);
  if (unsupported.length) {
    const note = document.createElement('p');
    note.className = 'hint';
    note.textContent = `No receptive field for ${unsupported.map((l) => l.name).join(', ')}: ${unsupported[0].receptiveField.reason ?? ''}`;
    figure.appendChild(note);
  }
  return figure;
}
