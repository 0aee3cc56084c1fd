/**
 * The Why tab's class section: which part of the input made the network choose a class. A class
 * selector (top-5 first, then every class by index and label) and five pictures over the input,
 * each with its legend and a one-line definition: Grad-CAM, Guided Grad-CAM, occlusion
 * sensitivity, integrated gradients, and the input a channel wants. Grad-CAM is one backward pass
 * and runs at once; the long ones run at once only on small inputs, otherwise after a click on a
 * button that states their cost, with progress and Cancel.
 */
import type { ClassAnswer, ClassQuery } from '../src/protocol/explainMessages';
import type { PanelToHost } from '../src/protocol/panelProtocol';
import type { ModelSummary } from '../src/analysis/modelSummary';
import type { ClassScore } from '../src/analysis/topClasses';
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
import { signedPicture, type Rgba } from './whyPictures';
import { formatValue } from './layerData';

export interface ClassInput {
  width: number;
  height: number;
  rgba: Uint8ClampedArray;
  top5: ClassScore[];
  signal?: Float32Array;
}

type Method = ClassQuery['kind'];

/** Inputs up to this many values (32x32x3) run the long methods without asking first. */
const AUTO_RUN_VALUES = 32 * 32 * 3;

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

function classCount(summary: ModelSummary): number {
  const last = summary.layers[summary.layers.length - 1];
  return last && last.outputShape.length === 1 ? (last.outputShape[0] ?? 0) : 0;
}

function legendScale(values: ArrayLike<number>) {
  const m = maxAbs(values) || 1;
  return isSigned(values)
    ? { name: 'diverging' as const, low: -m, high: m }
    : { name: 'inferno' as const, low: 0, high: m };
}

export class ClassExplainView {
  readonly element = el('section', 'why-class');
  private summary: ModelSummary | undefined;
  private input: ClassInput | undefined;
  private classIndex: number | undefined;
  private camLayer: string | undefined;
  private camCandidates: string[] = [];
  private unitLayer: string | undefined;
  private unitChannel = 0;
  private asked = new Map<Method, string>();
  private running: Method | undefined;
  private readonly controls = el('div', 'why-controls');
  private readonly figures = el('div', 'why-class-figures');
  private readonly cells = new Map<string, HTMLElement>();

  constructor(private readonly post: (message: PanelToHost) => void) {
    const heading = el('h2', 'why-heading');
    heading.textContent = 'Why this class?';
    this.element.append(heading, this.controls, this.figures);
  }

  setModel(summary: ModelSummary): void {
    const changed =
      this.summary?.file !== summary.file || this.summary?.exportName !== summary.exportName;
    this.summary = summary;
    if (changed) {
      this.classIndex = undefined;
      this.camLayer = undefined;
      this.camCandidates = [];
      const convs = summary.layers.filter((l) => l.kind === 'spatial' && /Conv/.test(l.className));
      this.unitLayer = convs[convs.length - 1]?.name;
      this.unitChannel = 0;
    }
    this.asked.clear();
  }

  setInput(input: ClassInput | undefined): void {
    this.input = input;
    this.classIndex = input?.top5[0]?.index ?? this.classIndex;
    this.asked.clear();
  }

  /** Asks for what is not there yet (the tab is visible). */
  refresh(): void {
    const summary = this.summary;
    this.element.hidden = !summary || classCount(summary) < 2;
    if (!summary || this.element.hidden) return;
    if (!this.input || this.input.signal) {
      this.renderControls();
      this.figures.replaceChildren(
        Object.assign(el('p', 'hint'), {
          textContent: this.input
            ? 'Class explanations need an image input.'
            : 'Choose an input to see why the model chose a class.',
        }),
      );
      return;
    }
    if (this.asked.size === 0) {
      this.renderControls();
      this.renderFigures();
    }
    this.ask({ kind: 'gradcam', classIndex: this.classIndex ?? 0, camLayer: this.camLayer });
    if (this.small()) {
      this.ask(this.occlusionQuery());
      this.ask(this.igQuery());
    }
  }

  private small(): boolean {
    const input = this.input!;
    const channels = this.summary?.inputShape[2] ?? 3;
    return input.width * input.height * (channels ?? 3) <= AUTO_RUN_VALUES;
  }

  private occlusionQuery(): ClassQuery {
    const { width, height } = this.input!;
    const form = this.cells.get('occlusion')?.querySelector('form');
    const read = (name: string, fallback: number) => {
      const v = Number((form?.elements.namedItem(name) as HTMLInputElement | null)?.value);
      return Number.isFinite(v) && v > 0 ? v : fallback;
    };
    const window = read('window', Math.max(1, Math.round(Math.min(width, height) / 4)));
    return {
      kind: 'occlusion',
      classIndex: this.classIndex ?? 0,
      window,
      stride: read('stride', Math.max(1, Math.floor(window / 3))),
      fill: Number((form?.elements.namedItem('fill') as HTMLInputElement | null)?.value ?? 0) || 0,
    };
  }

  private igQuery(): ClassQuery {
    const form = this.cells.get('integratedGradients')?.querySelector('form');
    const steps = Number((form?.elements.namedItem('steps') as HTMLInputElement | null)?.value);
    const baseline = (form?.elements.namedItem('baseline') as HTMLSelectElement | null)?.value;
    return {
      kind: 'integratedGradients',
      classIndex: this.classIndex ?? 0,
      steps: Number.isInteger(steps) && steps > 0 ? steps : 64,
      baseline: baseline === 'blur' ? 'blur' : 'zeros',
    };
  }

  private featureQuery(): ClassQuery {
    const form = this.cells.get('featureVisualization')?.querySelector('form');
    const steps = Number((form?.elements.namedItem('steps') as HTMLInputElement | null)?.value);
    return {
      kind: 'featureVisualization',
      layer: this.unitLayer ?? '',
      channel: this.unitChannel,
      steps: Number.isInteger(steps) && steps > 0 ? steps : 128,
    };
  }

  private ask(query: ClassQuery): void {
    const key = JSON.stringify(query);
    if (this.asked.get(query.kind) === key) return;
    this.asked.set(query.kind, key);
    if (query.kind !== 'gradcam') this.running = query.kind;
    this.status(query.kind, 'Computing\u2026', query.kind !== 'gradcam');
    this.post({ type: 'explain', query });
  }

  onAnswer(answer: ClassAnswer): void {
    if (this.running === answer.kind) this.running = undefined;
    switch (answer.kind) {
      case 'gradcam':
        return this.drawGradCam(answer.result);
      case 'occlusion':
        return this.drawOcclusion(answer.result);
      case 'integratedGradients':
        return this.drawIg(answer.result);
      case 'featureVisualization':
        return this.drawFeature(answer.result);
    }
  }

  onFailure(kind: Method, message: string): void {
    if (this.running === kind) this.running = undefined;
    this.asked.delete(kind);
    this.status(kind, message, false, true);
    if (kind === 'gradcam') this.status('guided', message, false, true);
  }

  onProgress(kind: Method, message: string): void {
    this.status(kind, message, true);
  }

  private status(kind: string, text: string, cancellable = false, error = false): void {
    const cell = this.cells.get(kind);
    const line = cell?.querySelector<HTMLElement>('.why-class-status');
    if (!line) return;
    line.className = `why-class-status${error ? ' error' : ''}`;
    line.textContent = text;
    if (cancellable) {
      const cancel = Object.assign(el('button', 'secondary'), { textContent: 'Cancel' });
      cancel.dataset.cancel = kind;
      cancel.addEventListener('click', () => {
        this.post({ type: 'cancelExplain' });
        this.asked.delete(kind as Method);
      });
      line.append(' ', cancel);
    }
  }

  private renderControls(): void {
    const summary = this.summary!;
    const count = classCount(summary);
    const select = document.createElement('select');
    select.id = 'why-class';
    const label = (i: number) => `${i}: ${summary.labels?.[i] ?? `class ${i}`}`;
    const top = this.input?.top5 ?? [];
    const group = (name: string) =>
      Object.assign(document.createElement('optgroup'), { label: name });
    const topGroup = group('Top 5');
    for (const s of top)
      topGroup.append(
        new Option(`${label(s.index)} (${(100 * s.probability).toFixed(1)}%)`, String(s.index)),
      );
    const all = group('All classes');
    for (let i = 0; i < count; i++) all.append(new Option(label(i), String(i)));
    if (top.length) select.append(topGroup);
    select.append(all);
    select.value = String(this.classIndex ?? top[0]?.index ?? 0);
    select.addEventListener('change', () => {
      this.classIndex = Number(select.value);
      this.asked.clear();
      this.renderFigures();
      this.refresh();
    });
    const cam = document.createElement('select');
    cam.id = 'why-cam-layer';
    cam.add(new Option('last convolution', ''));
    for (const name of this.camCandidates)
      cam.add(new Option(name, name, false, name === this.camLayer));
    cam.value = this.camLayer ?? '';
    cam.addEventListener('change', () => {
      this.camLayer = cam.value || undefined;
      this.refresh();
    });
    const wrap = (text: string, control: HTMLElement) => {
      const l = el('label', 'control');
      l.append(text, control);
      return l;
    };
    this.controls.replaceChildren(wrap('Class ', select), wrap('Grad-CAM layer ', cam));
  }

  private figure(
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

  private renderFigures(): void {
    const { width, height } = this.input!;
    const field = (
      name: string,
      text: string,
      value: string,
      attrs: Record<string, string> = {},
    ) => {
      const input = Object.assign(document.createElement('input'), { name, value, type: 'number' });
      Object.entries(attrs).forEach(([k, v]) => input.setAttribute(k, v));
      const l = el('label', 'control');
      l.append(text, input);
      return l;
    };
    const occlusionDefault = this.occlusionQuery() as Extract<ClassQuery, { kind: 'occlusion' }>;
    const occlusionSettings = el('span', 'why-class-settings');
    occlusionSettings.append(
      field('window', 'Window ', String(occlusionDefault.window), {
        min: '1',
        max: String(Math.min(width, height)),
      }),
      field('stride', 'Stride ', String(occlusionDefault.stride), { min: '1' }),
      field('fill', 'Fill ', '0', { step: 'any' }),
    );
    const positions = (w: number, s: number) =>
      (Math.floor((height - w) / s) + 1) * (Math.floor((width - w) / s) + 1);
    const igSettings = el('span', 'why-class-settings');
    const baseline = document.createElement('select');
    baseline.name = 'baseline';
    baseline.add(new Option('black (zeros)', 'zeros'));
    baseline.add(new Option('blurred input', 'blur'));
    const baselineLabel = el('label', 'control');
    baselineLabel.append('Baseline ', baseline);
    igSettings.append(field('steps', 'Steps ', '64', { min: '1', max: '4096' }), baselineLabel);
    const featureSettings = el('span', 'why-class-settings');
    const layer = document.createElement('select');
    layer.name = 'layer';
    for (const l of this.summary!.layers.filter((x) => x.kind === 'spatial'))
      layer.add(new Option(l.name, l.name, false, l.name === this.unitLayer));
    layer.addEventListener('change', () => (this.unitLayer = layer.value));
    const layerLabel = el('label', 'control');
    layerLabel.append('Layer ', layer);
    const channel = field('channel', 'Channel ', String(this.unitChannel), { min: '0' });
    channel.querySelector('input')!.addEventListener('change', (e) => {
      this.unitChannel = Math.max(0, Math.floor(Number((e.target as HTMLInputElement).value) || 0));
    });
    featureSettings.append(
      layerLabel,
      channel,
      field('steps', 'Steps ', '128', { min: '1', max: '10000' }),
    );
    this.cells.clear();
    this.figures.replaceChildren(
      this.figure('gradcam', 'Grad-CAM'),
      this.figure('guided', 'Guided Grad-CAM'),
      this.figure(
        'occlusion',
        'Occlusion sensitivity',
        occlusionSettings,
        () => this.ask(this.occlusionQuery()),
        `${positions(occlusionDefault.window, occlusionDefault.stride)} forward passes`,
      ),
      this.figure(
        'integratedGradients',
        'Integrated gradients',
        igSettings,
        () => this.ask(this.igQuery()),
        '64 forward and backward passes',
      ),
      this.figure(
        'featureVisualization',
        'What the unit wants',
        featureSettings,
        () => this.ask(this.featureQuery()),
        '128 forward and backward passes',
      ),
    );
    const occlusionForm = this.cells.get('occlusion')!.querySelector('form')!;
    occlusionForm.addEventListener('input', () => {
      const q = this.occlusionQuery() as Extract<ClassQuery, { kind: 'occlusion' }>;
      const cost = occlusionForm.querySelector('.why-class-cost');
      if (cost && q.window <= Math.min(width, height))
        cost.textContent = `${positions(q.window, q.stride)} forward passes`;
    });
    for (const [kind, what] of [
      ['integratedGradients', 'forward and backward passes'],
      ['featureVisualization', 'forward and backward passes'],
    ]) {
      const form = this.cells.get(kind)!.querySelector('form')!;
      form.addEventListener('input', () => {
        const steps = Number((form.elements.namedItem('steps') as HTMLInputElement).value);
        const cost = form.querySelector('.why-class-cost');
        if (cost && Number.isInteger(steps) && steps > 0) cost.textContent = `${steps} ${what}`;
      });
    }
    if (!this.small())
      for (const kind of ['occlusion', 'integratedGradients'])
        this.status(kind, 'Large input: press Run to compute (cost shown beside it).');
    this.status('featureVisualization', 'Choose a layer and channel, then Run.');
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

  private canvas(picture: Rgba, kind: string, view: string): HTMLCanvasElement {
    const canvas = rgbaCanvas(picture, 'why-picture');
    canvas.id = `why-class-${kind}-${view}`;
    canvas.dataset.method = kind;
    canvas.dataset.view = view;
    canvas.dataset.drawn = 'true';
    return canvas;
  }

  private drawGradCam(result: Extract<ClassAnswer, { kind: 'gradcam' }>['result']): void {
    if (result.class.index !== this.classIndex) return;
    if (this.camCandidates.join() !== result.candidates.join()) {
      this.camCandidates = result.candidates;
      this.renderControls();
    }
    const input = this.input!;
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

  private drawOcclusion(result: Extract<ClassAnswer, { kind: 'occlusion' }>['result']): void {
    if (result.class.index !== this.classIndex) return;
    this.show(
      'occlusion',
      [
        this.canvas(heatOverlay(result.perPixel, this.input!), 'occlusion', 'overlay'),
        this.canvas(heatPicture(result.values, result.rows, result.cols), 'occlusion', 'positions'),
      ],
      result.perPixel,
      'score drop per pixel',
      `${result.rows}\u00d7${result.cols} windows of ${result.window[0]}\u00d7${result.window[1]}, stride ${result.stride[0]}, fill ${result.fill}; largest drop ${formatValue(Math.max(...result.values))}`,
    );
  }

  private drawIg(result: Extract<ClassAnswer, { kind: 'integratedGradients' }>['result']): void {
    if (result.class.index !== this.classIndex) return;
    const map = sumChannels(result.values.data, result.values.shape[2]);
    const error =
      Math.abs(result.sum - result.scoreDifference) / (Math.abs(result.scoreDifference) || 1);
    this.show(
      'integratedGradients',
      [this.canvas(heatOverlay(map, this.input!), 'integratedGradients', 'overlay')],
      map,
      'attribution per pixel',
      `completeness: \u03a3 attributions ${formatValue(result.sum)} vs score difference ${formatValue(result.scoreDifference)} (${(100 * error).toFixed(2)}% off; ${result.steps} steps, ${result.baseline === 'zeros' ? 'black' : 'blurred'} baseline)`,
    );
  }

  private drawFeature(
    result: Extract<ClassAnswer, { kind: 'featureVisualization' }>['result'],
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
    cell.querySelector('.why-class-facts')!.textContent =
      `${result.layer} channel ${result.channel}, ${result.steps} steps: largest activation ${formatValue(result.activation)} (mean ${formatValue(result.meanActivation)}); on this image ${result.currentActivation === null ? '\u2013' : formatValue(result.currentActivation)}`;
    this.status('featureVisualization', '');
  }
}
