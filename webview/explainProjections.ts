/**
 * The Why view's projections of one unit back to the input: deconvnet (Zeiler & Fergus), guided
 * backpropagation and the plain gradient, each beside the input, cropped to the unit's receptive
 * field and full size. 2-D inputs are pictures around mid grey; 1-D inputs are line plots.
 * Canvases carry data-method / data-view / data-drawn so tests can find and read them.
 */
import { rgbaCanvas } from './rgbaCanvas';
import type { ProjectionResult } from '../src/analysis/explain/explainSession';
import type { ProjectionMethod } from '../src/analysis/explain/projection';
import { el } from './dom';
import { formatValue } from './layerData';
import { channelSum, drawSignalPlot } from './signalPlot';
import { isFlat } from './explainPictures';
import {
  cropPicture,
  signedPicture,
  type Box,
  type RgbaPicture,
} from '../src/analysis/image/rgbaPicture';

export const METHOD_TITLES: Record<ProjectionMethod, string> = {
  deconvnet: 'Deconvnet',
  guided: 'Guided backprop',
  saliency: 'Gradient (effective receptive field)',
};

const METHOD_HINTS: Record<ProjectionMethod, string> = {
  deconvnet:
    'Zeiler & Fergus (2014): unpool with the recorded max switches, rectify, filter with the transposed filters.',
  guided:
    'Springenberg et al. (2015): the gradient, with negative values zeroed at every ReLU on the way back.',
  saliency:
    'The plain gradient of the unit with respect to the input (Simonyan et al. 2014): where it is large is the unit\u2019s effective receptive field for this image (Luo et al. 2016), inside the theoretical field outlined on the full-size picture.',
};

/** What the panel knows of the input: its display pixels, and the values of a 1-D signal. */
export interface ExplainInput {
  width: number;
  height: number;
  rgba: Uint8ClampedArray;
  signal?: Float32Array;
}

function pictureCanvas(picture: RgbaPicture, method: string, view: string): HTMLCanvasElement {
  const canvas = rgbaCanvas(picture, 'why-picture');
  canvas.id = `why-${method}-${view}`;
  canvas.dataset.method = method;
  canvas.dataset.view = view;
  canvas.dataset.width = String(picture.width);
  canvas.dataset.height = String(picture.height);
  canvas.dataset.blank = String(isFlat(picture));
  canvas.dataset.drawn = 'true';
  return canvas;
}

/** The full-size input with the receptive field outlined (CSS box, percentages of the frame). */
function framed(canvas: HTMLCanvasElement, box: Box | undefined, width: number, height: number) {
  const frame = el('div', 'why-frame');
  frame.appendChild(canvas);
  if (box) {
    const outline = el('div', 'why-field-box');
    const [y0, x0, y1, x1] = box;
    outline.style.left = `${(100 * x0) / width}%`;
    outline.style.top = `${(100 * y0) / height}%`;
    outline.style.width = `${(100 * (x1 - x0)) / width}%`;
    outline.style.height = `${(100 * (y1 - y0)) / height}%`;
    frame.appendChild(outline);
  }
  return frame;
}

function header(texts: string[]): HTMLTableRowElement {
  const row = el('tr', '');
  for (const text of texts) {
    const th = el('th', '');
    th.textContent = text;
    row.appendChild(th);
  }
  return row;
}

function labelled(label: string, ...cells: HTMLElement[]): HTMLTableRowElement {
  const row = el('tr', '');
  const th = el('th', 'why-row-label');
  th.textContent = label;
  row.appendChild(th);
  for (const content of cells) {
    const td = el('td', '');
    td.appendChild(content);
    row.appendChild(td);
  }
  return row;
}

function pictureTable(result: ProjectionResult, input: ExplainInput): HTMLElement {
  const [h, w] = result.inputShape;
  const box = result.field && result.field.length === 4 ? (result.field as Box) : undefined;
  const inputPicture: RgbaPicture = { width: input.width, height: input.height, rgba: input.rgba };
  const table = el('table', 'why-table');
  table.appendChild(
    header(['', 'Input', ...result.projections.map((p) => METHOD_TITLES[p.method])]),
  );
  const sameSize = input.width === w && input.height === h;
  if (box && sameSize) {
    table.appendChild(
      labelled(
        `Receptive field ${box[2] - box[0]}\u00d7${box[3] - box[1]}`,
        pictureCanvas(cropPicture(inputPicture, box), 'input', 'crop'),
        ...result.projections.map((p) =>
          pictureCanvas(
            signedPicture(p.values.data, p.values.shape, box, result.channelOrder),
            p.method,
            'crop',
          ),
        ),
      ),
    );
  }
  table.appendChild(
    labelled(
      `Full size ${h}\u00d7${w}`,
      framed(pictureCanvas(inputPicture, 'input', 'full'), sameSize ? box : undefined, w, h),
      ...result.projections.map((p) =>
        framed(
          pictureCanvas(
            signedPicture(p.values.data, p.values.shape, undefined, result.channelOrder),
            p.method,
            'full',
          ),
          box,
          w,
          h,
        ),
      ),
    ),
  );
  return table;
}

function plotCanvas(values: Float32Array, method: string, view: string, band?: [number, number]) {
  const canvas = el('canvas', 'why-plot');
  canvas.id = `why-${method}-${view}`;
  canvas.dataset.method = method;
  canvas.dataset.view = view;
  drawSignalPlot(canvas, values, { band, width: 180, height: 80 });
  canvas.dataset.blank = String(values.every((v) => v === values[0]));
  canvas.dataset.drawn = 'true';
  return canvas;
}

function plotTable(result: ProjectionResult, input: ExplainInput): HTMLElement {
  const channels = result.inputShape[1];
  const band =
    result.field && result.field.length === 2
      ? ([result.field[0], result.field[1]] as [number, number])
      : undefined;
  const series = [
    { method: 'input', values: input.signal ? channelSum(input.signal, channels) : undefined },
    ...result.projections.map((p) => ({
      method: p.method as string,
      values: channelSum(p.values.data, channels),
    })),
  ];
  const table = el('table', 'why-table');
  table.appendChild(
    header(['', 'Input', ...result.projections.map((p) => METHOD_TITLES[p.method])]),
  );
  const cells = (view: 'crop' | 'full') =>
    series.map(({ method, values }) => {
      if (!values) return Object.assign(el('span', 'hint'), { textContent: 'no values' });
      const shown = view === 'crop' && band ? values.slice(band[0], band[1]) : values;
      return plotCanvas(shown, method, view, view === 'full' ? band : undefined);
    });
  if (band)
    table.appendChild(
      labelled(`Receptive field t ${band[0]}\u2026${band[1] - 1}`, ...cells('crop')),
    );
  table.appendChild(labelled(`Full length ${result.inputShape[0]}`, ...cells('full')));
  return table;
}

/** The projections of `result`, or why there are none. */
export function renderProjections(
  result: ProjectionResult,
  input: ExplainInput | undefined,
): HTMLElement {
  const section = el('section', 'why-projections');
  section.id = 'why-projections';
  const { unit } = result;
  section.dataset.layer = unit.layer;
  section.dataset.channel = String(unit.channel);
  section.dataset.position = unit.position.join(',');
  section.dataset.value = String(result.value);
  const where =
    unit.position.length === 2
      ? `y ${unit.position[0]}, x ${unit.position[1]}`
      : unit.position.length === 1
        ? `t ${unit.position[0]}`
        : 'vector unit';
  const title = el('h3', 'why-unit');
  title.id = 'why-unit';
  title.textContent = `${unit.layer} \u00b7 channel ${unit.channel} \u00b7 ${where} \u00b7 activation ${formatValue(result.value)}`;
  section.appendChild(title);
  if (result.notInvertible) {
    const { layer, className, reason } = result.notInvertible;
    const message = el('p', 'error');
    message.id = 'why-not-invertible';
    message.dataset.layer = layer;
    message.textContent = `No projection: layer '${layer}' (${className}) cannot be inverted (${reason}). The deconvnet, guided backprop and gradient all pass back through every layer between the input and '${unit.layer}'.`;
    section.appendChild(message);
    return section;
  }
  if (!input) {
    section.appendChild(Object.assign(el('p', 'hint'), { textContent: 'Choose an input first.' }));
    return section;
  }
  section.appendChild(
    result.inputShape.length === 3 ? pictureTable(result, input) : plotTable(result, input),
  );
  const legend = el('ul', 'why-notes');
  for (const p of result.projections) {
    const item = el('li', '');
    item.textContent = `${METHOD_TITLES[p.method]}: ${METHOD_HINTS[p.method]}`;
    legend.appendChild(item);
  }
  const notes = [...new Set(result.projections.flatMap((p) => p.notes))];
  for (const note of notes) {
    const item = el('li', 'hint');
    item.textContent = note;
    legend.appendChild(item);
  }
  const scale = el('li', 'hint');
  scale.textContent =
    result.inputShape.length === 3
      ? 'Mid grey is 0; each picture is scaled by its own largest |value| (white +, black \u2212).'
      : 'Each plot has its own vertical range, always including 0.';
  legend.appendChild(scale);
  section.appendChild(legend);
  return section;
}
