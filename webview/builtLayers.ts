/**
 * A model still being opened: its name and layers as soon as the worker has built it, before the
 * slower steps (structure, ONNX Runtime) end, so a cold VGG-16 panel is not blank for half a
 * minute. The list is greyed and inert; the `model` message replaces both with the real ones.
 */
import type { ModelSummary } from '../src/analysis/modelSummary';
import { modelDisplayName } from '../src/analysis/modelDisplayName';
import { el } from './dom';
import { formatShape } from '../src/analysis/format';
import { renderLayerList } from './sidebar';

export function showBuiltLayers(
  header: HTMLElement,
  layerPane: HTMLElement,
  summary: ModelSummary,
): void {
  const name = el('h1', 'model-name');
  name.id = 'panel-title';
  name.textContent = modelDisplayName(summary);
  const facts = el('span', 'model-facts');
  facts.textContent = `input ${formatShape(summary.inputShape)} \u00b7 ${summary.layers.length} layers \u00b7 ${summary.totalParams.toLocaleString('en-US')} parameters \u00b7 getting ready`;
  header.replaceChildren(name, facts);
  renderLayerList(layerPane, summary, '', () => {});
  const list = layerPane.querySelector<HTMLElement>('#layer-list');
  list?.classList.add('pending');
  list?.setAttribute('aria-busy', 'true');
  list?.setAttribute('title', 'The model is built; the panel is getting it ready.');
}
