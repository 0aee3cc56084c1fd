/**
 * The Why tab's class section: which part of the input made the network choose a class. A class
 * selector (top-5 first, then every class by index and label) and five pictures over the input,
 * each with its legend and a one-line definition: Grad-CAM, Guided Grad-CAM, occlusion
 * sensitivity, integrated gradients, and the input a channel wants. Grad-CAM is one backward pass
 * and runs at once; the long ones run at once only on small inputs, otherwise after a click on a
 * button that states their cost, with progress and Cancel.
 */
import type { ClassAnswer, ClassQuery } from '../src/protocol/explainMessages';
import type { ExplainRequests } from './explainRequests';
import type { ModelSummary } from '../src/analysis/modelSummary';
import { layerCapabilities } from '../src/analysis/layerCapabilities';
import type { ClassScore } from '../src/analysis/topClasses';
import { el } from './dom';
import { ClassFigures } from './explainClassFigures';
import {
  featureVisualizationSettings,
  followCost,
  integratedGradientsSettings,
  occlusionPasses,
  occlusionSettings,
  stepsCost,
  type UnitChoice,
} from './explainClassSettings';

export interface ClassInput {
  width: number;
  height: number;
  rgba: Uint8ClampedArray;
  top5: ClassScore[];
  signal?: Float32Array;
}

type Method = ClassQuery['kind'];
type OcclusionQuery = Extract<ClassQuery, { kind: 'occlusion' }>;
const BACKWARD_PASSES = 'forward and backward passes';
/** The methods whose answer depends on the chosen class. */
const CLASS_METHODS: Method[] = ['gradcam', 'occlusion', 'integratedGradients'];
const METHODS: Method[] = [...CLASS_METHODS, 'featureVisualization'];

/** Inputs up to this many values (32x32x3) run the long methods without asking first. */
const AUTO_RUN_VALUES = 32 * 32 * 3;

function classCount(summary: ModelSummary): number {
  const last = summary.layers[summary.layers.length - 1];
  return last && last.outputShape.length === 1 ? (last.outputShape[0] ?? 0) : 0;
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
  private readonly controls = el('div', 'why-controls');
  private readonly figures = el('div', 'why-class-figures');
  private readonly cells = new ClassFigures((kind) => {
    this.explain.cancelRunning();
    this.explain.allowAgain(kind as Method);
  });

  constructor(private readonly explain: ExplainRequests) {
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
      const convs = summary.layers.filter(
        (l) => l.layout === 'spatial' && layerCapabilities(l.className).filters,
      );
      this.unitLayer = convs[convs.length - 1]?.name;
      this.unitChannel = 0;
    }
    this.explain.forget(...METHODS);
  }

  setInput(input: ClassInput | undefined): void {
    this.input = input;
    this.classIndex = input?.top5[0]?.index ?? this.classIndex;
    this.explain.forget(...METHODS);
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
            ? 'The panel draws class explanations for images only. For a 1-D model, the command line gives Grad-CAM, occlusion and integrated gradients of the signal as numbers: npx cnn-inspector report <model> --image <signal.csv> --json r.json --explain-class top'
            : 'Choose an input to see why the model chose a class.',
        }),
      );
      return;
    }
    if (!METHODS.some((method) => this.explain.asked(method))) {
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
    const form = this.cells.form('occlusion');
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
    const form = this.cells.form('integratedGradients');
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
    const form = this.cells.form('featureVisualization');
    const steps = Number((form?.elements.namedItem('steps') as HTMLInputElement | null)?.value);
    return {
      kind: 'featureVisualization',
      layer: this.unitLayer ?? '',
      channel: this.unitChannel,
      steps: Number.isInteger(steps) && steps > 0 ? steps : 128,
    };
  }

  private ask(query: ClassQuery): void {
    if (this.explain.askOnce(query))
      this.cells.status(query.kind, 'Computing\u2026', query.kind !== 'gradcam');
  }

  /** The answer to the latest question of its kind (older ones never arrive here). */
  onAnswer(answer: ClassAnswer): void {
    if (!this.input) return;
    this.cells.input = this.input;
    switch (answer.kind) {
      case 'gradcam':
        if (this.camCandidates.join() !== answer.result.candidates.join()) {
          this.camCandidates = answer.result.candidates;
          this.renderControls();
        }
        return this.cells.drawGradCam(answer.result);
      case 'occlusion':
        return this.cells.drawOcclusion(answer.result);
      case 'integratedGradients':
        return this.cells.drawIg(answer.result);
      case 'featureVisualization':
        return this.cells.drawFeature(answer.result, answer.gallery);
      default:
        return answer satisfies never;
    }
  }

  onFailure(kind: Method, message: string): void {
    this.cells.status(kind, message, false, true);
    if (kind === 'gradcam') this.cells.status('guided', message, false, true);
  }

  onProgress(kind: Method, message: string): void {
    this.cells.status(kind, message, true);
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
      this.explain.forget(...CLASS_METHODS);
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

  /** The five figures, the long methods' settings forms and their first status lines. */
  private renderFigures(): void {
    const input = this.input!;
    const occlusion = this.occlusionQuery() as OcclusionQuery;
    const unit: UnitChoice = {
      layers: this.summary!.layers.filter((l) => l.layout === 'spatial').map((l) => l.name),
      layer: this.unitLayer,
      channel: this.unitChannel,
      onLayer: (layer) => (this.unitLayer = layer),
      onChannel: (channel) => (this.unitChannel = channel),
    };
    this.cells.clear();
    this.figures.replaceChildren(
      this.cells.figure('gradcam', 'Grad-CAM'),
      this.cells.figure('guided', 'Guided Grad-CAM'),
      this.cells.figure(
        'occlusion',
        'Occlusion sensitivity',
        occlusionSettings(input, occlusion),
        () => this.ask(this.occlusionQuery()),
        `${occlusionPasses(input, occlusion.window, occlusion.stride)} forward passes`,
      ),
      this.cells.figure(
        'integratedGradients',
        'Integrated gradients',
        integratedGradientsSettings(),
        () => this.ask(this.igQuery()),
        `64 ${BACKWARD_PASSES}`,
      ),
      this.cells.figure(
        'featureVisualization',
        'What the unit wants',
        featureVisualizationSettings(unit),
        () => this.ask(this.featureQuery()),
        `128 ${BACKWARD_PASSES}`,
      ),
    );
    this.followCosts();
    if (!this.small())
      for (const kind of ['occlusion', 'integratedGradients'])
        this.cells.status(kind, 'Large input: press Run to compute (cost shown beside it).');
    this.cells.status('featureVisualization', 'Choose a layer and channel, then Run.');
  }

  /** The cost beside each Run button follows its settings as they are edited. */
  private followCosts(): void {
    const { width, height } = this.input!;
    followCost(this.cells.form('occlusion')!, () => {
      const q = this.occlusionQuery() as OcclusionQuery;
      return q.window <= Math.min(width, height)
        ? `${occlusionPasses({ width, height }, q.window, q.stride)} forward passes`
        : undefined;
    });
    for (const kind of ['integratedGradients', 'featureVisualization']) {
      const form = this.cells.form(kind)!;
      followCost(form, () => stepsCost(form, BACKWARD_PASSES));
    }
  }
}
