/** The static report's host: answers the panel from data embedded in the page. */
import type { HostToPanel, PanelToHost } from '../src/protocol/panelProtocol';
import { REPORT_DATA_ELEMENT_ID, type ReportData } from '../src/protocol/reportData';
import type { PanelHost } from './host';
import { decodeTypedArrays } from '../src/analysis/typedArrayJson';
import type { ExplainAnswer, ExplainQuery } from '../src/protocol/explainMessages';
import { isClassExplanation } from '../src/analysis/explain/classExplanationKinds';
import { errorMessage } from '../src/analysis/errors';

function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** A report's one model and pass: every message carries the same run. */
const REPORT_RUN = 1;

export function reportHost(): PanelHost {
  const text = document.getElementById(REPORT_DATA_ELEMENT_ID)!.textContent!;
  return new ReportHost(JSON.parse(text) as ReportData);
}

/** Plays the extension host's part from the report's data; a static page restores nothing. */
class ReportHost implements PanelHost {
  private listener: ((message: HostToPanel) => void) | undefined;
  private readonly explained: ExplainAnswer[];

  constructor(private readonly data: ReportData) {
    this.explained = (data.explain ?? []).map((a) => decodeTypedArrays(a, decodeBase64));
  }

  onMessage(listener: (message: HostToPanel) => void): void {
    this.listener = listener;
  }

  getState(): undefined {
    return undefined;
  }

  setState(): void {}

  post(message: PanelToHost): void {
    switch (message.type) {
      case 'ready':
        return this.replay();
      case 'selectLayer':
        return this.sendLayer(message.name, message.request);
      case 'explain':
        return this.answerExplain(message.id, message.query);
      case 'copyText':
        return this.copy(message.text, message.what);
      // A static page has no editor, no files to pick and no worker: nothing to do.
      case 'revealLayer':
      case 'pickImage':
      case 'cancelRun':
      case 'retryRun':
      case 'openLocation':
      case 'onnxWrapper':
      case 'onnxReadme':
      case 'cancelExplain':
      case 'galleryOpen':
      case 'galleryLayer':
      case 'galleryPickFolder':
      case 'galleryOpenFile':
      case 'galleryBuild':
      case 'galleryCancel':
      case 'galleryUnits':
      case 'galleryOpenPatch':
        return;
      default:
        return message satisfies never;
    }
  }

  /** Answers asynchronously, as the extension host does. */
  private send(message: HostToPanel): void {
    setTimeout(() => this.listener?.(message), 0);
  }

  /** What a panel shows when it opens: settings, model, image, layer, and the gallery. */
  private replay(): void {
    const data = this.data;
    this.send({
      type: 'settings',
      settings: { colormap: 'viridis', normalization: 'layer' },
      canPickImage: false,
    });
    this.send({
      type: 'model',
      run: REPORT_RUN,
      summary: data.summary,
      backend: data.backend,
      selectedLayer: data.selectedLayer,
      structure: data.structure ?? null,
    });
    this.send(imageMessage(data.image));
    this.sendLayer(data.selectedLayer, 0);
    // The gallery was computed by the CLI: replay its messages (no folder picking here).
    data.gallery?.messages.forEach((m) => this.send(decodeTypedArrays(m, decodeBase64)));
  }

  /** `request`: the panel's request this answers (0: the report's own choice of layer). */
  private sendLayer(name: string, request: number): void {
    const layer = this.data.layers[name];
    if (!layer) return;
    const bytes = decodeBase64(layer.dataBase64);
    const data = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    const { shape, min, max } = layer;
    this.send({ type: 'layer', run: REPORT_RUN, request, name, shape, min, max, data });
  }

  private answerExplain(id: number, query: ExplainQuery): void {
    const answer = embeddedAnswer(this.explained, query);
    this.send(
      answer
        ? { type: 'explained', id, answer }
        : { type: 'explainFailed', id, query, message: notInReport(query) },
    );
  }

  private copy(text: string, what: string): void {
    copyToClipboard(text).then(
      () => this.send({ type: 'copied', what }),
      (error: unknown) => this.send({ type: 'copied', what, error: errorMessage(error) }),
    );
  }
}

function imageMessage(image: ReportData['image']): HostToPanel {
  const { rgbaBase64, ...rest } = image;
  return {
    type: 'image',
    run: REPORT_RUN,
    ...rest,
    rgba: new Uint8ClampedArray(decodeBase64(rgbaBase64)),
  };
}

/** Why a question has no answer in the report. */
function notInReport(query: ExplainQuery): string {
  return isClassExplanation(query)
    ? 'The static report holds Grad-CAM of the top class (and, for small inputs, its occlusion and integrated gradients at the default settings); for others, use the CLI\u2019s --explain-class or open the model in VS Code.'
    : 'The static report holds the strongest unit and the filters of the layer it opened at; for others, use the CLI\u2019s --unit or open the model in VS Code.';
}

/** The async clipboard API where the page may use it, else the older copy command. */
async function copyToClipboard(text: string): Promise<void> {
  if (navigator.clipboard?.writeText) {
    try {
      await navigator.clipboard.writeText(text);
      return;
    } catch {
      // denied (no user gesture or permission): try the fallback below
    }
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  const ok = document.execCommand('copy');
  area.remove();
  if (!ok) throw new Error('the browser refused to copy');
}

/** The embedded answer to a Why-tab query, when the report computed that one. */
function embeddedAnswer(answers: ExplainAnswer[], query: ExplainQuery): ExplainAnswer | undefined {
  return answers.find((answer) => {
    if (answer.kind !== query.kind) return false;
    if (answer.kind === 'projections' && query.kind === 'projections') {
      const { unit } = answer.result;
      return (
        unit.layer === query.layer &&
        (query.channel === undefined || query.channel === unit.channel) &&
        (query.position === undefined || query.position.join() === unit.position.join())
      );
    }
    if (answer.kind === 'gradcam' && query.kind === 'gradcam')
      return answer.result.class.index === query.classIndex && query.camLayer === undefined;
    if (answer.kind === 'occlusion' && query.kind === 'occlusion') {
      const r = answer.result;
      return (
        r.class.index === query.classIndex &&
        r.window[0] === query.window &&
        r.stride[0] === query.stride &&
        r.fill === query.fill
      );
    }
    if (answer.kind === 'integratedGradients' && query.kind === 'integratedGradients') {
      const r = answer.result;
      return (
        r.class.index === query.classIndex &&
        r.steps === query.steps &&
        r.baseline === query.baseline
      );
    }
    if (answer.kind === 'filters' && query.kind === 'filters') {
      return (
        answer.result.layer === query.layer && (query.first ?? 0) === answer.result.grids.first
      );
    }
    return false;
  });
}
