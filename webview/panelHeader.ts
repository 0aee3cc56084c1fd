/** The panel's heading: model name, facts, the engine badge, the file, and a bare .onnx file's hint. */
import type { ModelSummary } from '../src/analysis/modelSummary';
import { modelDisplayName } from '../src/analysis/modelDisplayName';
import type { PanelHost } from './host';
import { el } from './dom';
import { formatShape } from '../src/analysis/format';

export interface HeaderFacts {
  summary: ModelSummary;
  backend: string;
  backendNotes: string[];
  engineFallback: string | undefined;
  /** False in the static HTML report, which has no host to write a wrapper. */
  inVsCode: boolean;
}

export function renderPanelHeader(header: HTMLElement, facts: HeaderFacts, host: PanelHost): void {
  const { summary, backend } = facts;
  const name = el('h1', 'model-name');
  name.id = 'panel-title';
  name.textContent = modelDisplayName(summary);
  const file = el('span', 'model-file');
  file.textContent = summary.file;
  file.title = summary.file;
  const modelFacts = el('span', 'model-facts');
  modelFacts.textContent = `input ${formatShape(summary.inputShape)} \u00b7 ${summary.layers.length} layers \u00b7 ${summary.totalParams.toLocaleString('en-US')} parameters`;
  const badge = el('span', 'badge');
  badge.id = 'backend';
  badge.textContent = facts.engineFallback ? `${backend} \u26a0` : backend;
  const what =
    backend === 'onnxruntime'
      ? 'Activations computed by ONNX Runtime (native); explanations by TensorFlow.js.'
      : 'TensorFlow.js backend running this model.';
  badge.title = [what, ...facts.backendNotes].join('\n');
  header.replaceChildren(name, modelFacts, badge, file);
  if (facts.inVsCode && /\.onnx$/i.test(summary.file)) header.append(onnxHint(host));
}

/** A bare .onnx file has numbered classes and /255: say, quietly, how to add the rest. */
function onnxHint(host: PanelHost): HTMLElement {
  const hint = el('span', 'model-hint');
  hint.id = 'onnx-hint';
  const link = (text: string, type: 'onnxWrapper' | 'onnxReadme') => {
    const a = el('a', 'hint-link');
    a.href = '#';
    a.textContent = text;
    a.dataset.action = type;
    a.addEventListener('click', (event) => {
      event.preventDefault();
      host.post({ type });
    });
    return a;
  };
  hint.append(
    'Bare ONNX file: classes are numbered and the image is only divided by 255. ',
    link('Write a wrapper model file', 'onnxWrapper'),
    ' to add labels and preprocessing (',
    link('how', 'onnxReadme'),
    ').',
  );
  return hint;
}
