/**
 * The figures of the Why tab's class section: one cell per method (Grad-CAM, Guided Grad-CAM,
 * occlusion, integrated gradients, the input a unit wants) with its pictures, legend, facts,
 * one-line definition, settings form and status line, and the drawing of each method's answer.
 * The view (explainClass.ts) decides what to ask and when; this module only draws.
 */
import type { ClassAnswer } from '../src/protocol/explainMessages';
import type { GalleryComparison } from '../src/analysis/explain/featureComparison';
import {
  heatOverlay,
  heatPicture,
  maxAbs,
  isSigned,
  sumChannels,
} from '../src/analysis/explain/heatmapImage';
import { featurePicture } from '../src/analysis/explain/featureImage';
import { el } from './dom';
import { renderLegend } from './legend';
import { rgbaCanvas } from './rgbaCanvas';
import { signedPicture, type RgbaPicture } from '../src/analysis/image/rgbaPicture';
import { formatValue } from './layerData';

/** What the pictures are drawn over: the input as the model sees it. */
export interface FigureInput {
  width: number;
  height: number;
  rgba: Uint8ClampedArray;
}

const DEFINITIONS: Record<string, string> = {
  gradcam:
    'Selvaraju et al. 2017: ReLU(\u03a3\u2096 \u03b1\u2096 A\u2096), \u03b1\u2096 the spatial mean of d(score)/d(A\u2096) at the layer; the score is taken before softmax.',
  guided:
    'Guided backpropagation of the class score \u00d7 the Grad-CAM map upsampled to the input.',
  occlusion:
    'Zeiler & Fergus 2014: a window filled with a constant slides over the input; each pixel shows the mean drop score(x) \u2212 score(occluded) of the windows covering it.',
  integratedGradients:
    'Sundararajan et al. 2017: (x \u2212 baseline) \u00d7 the mean gradient along the straight path from the baseline to x, summed over channels.',
  featureVisualization:
    'Erhan et al. 2009, Olah et al. 2017: gradient ascent on the input for the channel\u2019s mean activation, with jitter and blur.',
};

function legendScale(values: ArrayLike<number>) {
  const m = maxAbs(values) || 1;
  return isSigned(values)
    ? { name: 'diverging' as const, low: -m, high: m }
    : { name: 'inferno' as const, low: 0, high: m };
}

export class ClassFigures {
  private readonly cells = new Map<string, HTMLElement>();
  input: FigureInput = { width: 0, height: 0, rgba: new Uint8ClampedArray() };

  /** `onCancel(kind)`: the Cancel button of a running method was pressed. */
  constructor(private readonly onCancel: (kind: string) => void) {}

  /** The settings form of a method's cell, if it has one. */
  form(kind: string): HTMLFormElement | null {
    return this.cells.get(kind)?.querySelector('form') ?? null;
  }

  clear(): void {
    this.cells.clear();
  }

  status(kind: string, text: string, cancellable = false, error = false): void {
    const cell = this.cells.get(kind);
    const line = cell?.querySelector<HTMLElement>('.why-class-status');
    if (!line) return;
    line.className = `why-class-status${error ? ' error' : ''}`;
    const shownCancel = line.querySelector('button[data-cancel]');
    if (cancellable && shownCancel && line.firstChild?.nodeType === Node.TEXT_NODE) {
      // Progress keeps the Cancel button: one replaced at every step is hard to hit.
      line.firstChild.textContent = text;
      return;
    }
    line.textContent = text;
    if (cancellable) {
      const cancel = Object.assign(el('button', 'secondary'), { textContent: 'Cancel' });
      cancel.dataset.cancel = kind;
      cancel.addEventListener('click', () => this.onCancel(kind));
      line.append(' ', cancel);
    }
  }

  figure(
    kind: string,
    title: string,
    settings?: HTMLElement,
    run?: () => void,
    cost?: string,
  ): HTMLElement {
    const figure = el('figure', 'why-class-figure');
    figure.dataset.method = kind;
    const caption = el('figcaption', 'why-class-title');
    caption.textContent = title;
    const pictures = el('div', 'why-class-pictures');
    const legend = el('div', 'legend why-class-legend');
    const definition = el('p', 'why-class-definition');
    definition.textContent = DEFINITIONS[kind];
    const facts = el('p', 'why-class-facts');
    const status = el('p', 'why-class-status');
    figure.append(caption, pictures, legend, facts, definition);
    if (settings && run) {
      const button = Object.assign(el('button', ''), { type: 'submit', textContent: 'Run' });
      button.dataset.run = kind;
      if (cost) button.title = cost;
      const form = el('form', 'why-controls');
      form.append(settings, button);
      if (cost) form.append(Object.assign(el('span', 'why-class-cost'), { textContent: cost }));
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        run();
      });
      figure.append(form);
    }
    figure.append(status);
    this.cells.set(kind, figure);
    return figure;
  }

  private show(
    kind: string,
    canvases: HTMLCanvasElement[],
    values: ArrayLike<number>,
    note: string,
    facts: string,
  ) {
    const cell = this.cells.get(kind);
    if (!cell) return;
    cell.querySelector('.why-class-pictures')!.replaceChildren(...canvases);
    renderLegend(cell.querySelector<HTMLElement>('.why-class-legend')!, legendScale(values), note);
    cell.querySelector('.why-class-facts')!.textContent = facts;
    this.status(kind, '');
  }

  private canvas(picture: RgbaPicture, kind: string, view: string): HTMLCanvasElement {
    const canvas = rgbaCanvas(picture, 'why-picture');
    canvas.id = `why-class-${kind}-${view}`;
    canvas.dataset.method = kind;
    canvas.dataset.view = view;
    canvas.dataset.drawn = 'true';
    return canvas;
  }

  drawGradCam(result: Extract<ClassAnswer, { kind: 'gradcam' }>['result']): void {
    const input = this.input;
    const [h, w] = result.shape.length === 2 ? result.shape : [1, result.shape[0]];
    this.show(
      'gradcam',
      [
        this.canvas(heatOverlay(result.upsampled, input), 'gradcam', 'overlay'),
        this.canvas(heatPicture(result.values, h, w), 'gradcam', 'layer'),
      ],
      result.values,
      `at ${result.layer} (${h}\u00d7${w}), not normalised`,
      `${result.class.label}: score ${formatValue(result.class.score)} before softmax`,
    );
    if (result.guided) {
      const picture = signedPicture(
        result.guided.data,
        result.guided.shape,
        undefined,
        result.channelOrder,
      );
      this.show(
        'guided',
        [this.canvas(picture, 'guided', 'full')],
        result.guided.data,
        'signed, 0 is mid grey',
        result.notes.join(' '),
      );
      const legend = this.cells.get('guided')?.querySelector<HTMLElement>('.why-class-legend');
      legend?.replaceChildren(
        Object.assign(el('span', 'legend-note'), {
          textContent: 'black negative \u2013 grey 0 \u2013 white positive',
        }),
      );
    } else {
      const why = result.notes.find((n) => n.startsWith('Guided Grad-CAM'));
      this.cells.get('guided')?.querySelector('.why-class-pictures')?.replaceChildren();
      this.status('guided', why ?? 'Guided Grad-CAM is not available here.', false, true);
    }
  }

  drawOcclusion(result: Extract<ClassAnswer, { kind: 'occlusion' }>['result']): void {
    this.show(
      'occlusion',
      [
        this.canvas(heatOverlay(result.perPixel, this.input), 'occlusion', 'overlay'),
        this.canvas(heatPicture(result.values, result.rows, result.cols), 'occlusion', 'positions'),
      ],
      result.perPixel,
      'score drop per pixel',
      `${result.rows}\u00d7${result.cols} windows of ${result.window[0]}\u00d7${result.window[1]}, stride ${result.stride[0]}, fill ${result.fill}; largest drop ${formatValue(Math.max(...result.values))}`,
    );
  }

  drawIg(result: Extract<ClassAnswer, { kind: 'integratedGradients' }>['result']): void {
    const map = sumChannels(result.values.data, result.values.shape[2]);
    const error =
      Math.abs(result.sum - result.scoreDifference) / (Math.abs(result.scoreDifference) || 1);
    this.show(
      'integratedGradients',
      [this.canvas(heatOverlay(map, this.input), 'integratedGradients', 'overlay')],
      map,
      'attribution per pixel',
      `completeness: \u03a3 attributions ${formatValue(result.sum)} vs score difference ${formatValue(result.scoreDifference)} (${(100 * error).toFixed(2)}% off; ${result.steps} steps, ${result.baseline === 'zeros' ? 'black' : 'blurred'} baseline)`,
    );
  }

  drawFeature(
    result: Extract<ClassAnswer, { kind: 'featureVisualization' }>['result'],
    gallery?: GalleryComparison,
  ): void {
    const picture = featurePicture(result.image, result.range, result.channelOrder);
    const cell = this.cells.get('featureVisualization');
    if (!cell) return;
    cell
      .querySelector('.why-class-pictures')!
      .replaceChildren(this.canvas(picture, 'featureVisualization', 'image'));
    cell.querySelector('.why-class-legend')!.replaceChildren(
      Object.assign(el('span', 'legend-note'), {
        textContent: 'the optimised input, shown as pixels',
      }),
    );
    const facts = cell.querySelector('.why-class-facts')!;
    facts.replaceChildren(
      `${result.layer} channel ${result.channel}, ${result.steps} steps (mean activation ${formatValue(result.meanActivation)}). Largest activation:`,
      activationBars(result, gallery),
    );
    if (!gallery)
      facts.append(
        Object.assign(el('p', 'hint'), {
          textContent: `Build a folder gallery of ${result.layer} (Gallery tab) to compare with the images that excite this unit most.`,
        }),
      );
    this.status('featureVisualization', '');
  }
}

/**
 * The unit's largest activation on the optimised input, on this input and on the gallery's top
 * patches, as bars on one scale (the largest value is the full width; negative values draw none).
 */
function activationBars(
  result: { activation: number; currentActivation: number | null },
  gallery?: GalleryComparison,
): HTMLElement {
  const rows: { label: string; value: number | null; title?: string }[] = [
    { label: 'optimised input', value: result.activation },
    { label: 'this image', value: result.currentActivation },
    ...(gallery?.topPatches ?? []).map((p, i) => ({
      label: `gallery #${i + 1}`,
      value: p.value,
      title: `${p.file} (folder ${gallery!.folder})`,
    })),
  ];
  const top = Math.max(...rows.map((r) => r.value ?? 0), 1e-12);
  const list = el('ol', 'why-compare');
  for (const row of rows) {
    const item = el('li', 'why-compare-row');
    item.dataset.label = row.label;
    if (row.title) item.title = row.title;
    const bar = el('span', 'why-compare-bar');
    bar.style.width = `${Math.max(0, (100 * (row.value ?? 0)) / top).toFixed(1)}%`;
    const track = el('span', 'why-compare-track');
    track.append(bar);
    const value = el('span', 'why-compare-value');
    value.textContent = row.value === null ? '\u2013' : formatValue(row.value);
    item.append(
      Object.assign(el('span', 'why-compare-label'), { textContent: row.label }),
      track,
      value,
    );
    list.append(item);
  }
  return list;
}
