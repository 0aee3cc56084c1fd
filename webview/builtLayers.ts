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

const GETTING_READY = ' \u00b7 getting ready';

export function showBuiltLayers(
  header: HTMLElement,
  layerPane: HTMLElement,
  summary: ModelSummary,
): void {
  const name = el('h1', 'model-name');
  name.id = 'panel-title';
  name.textContent = modelDisplayName(summary);
  const facts = el('span', 'model-facts');
  facts.textContent = `input ${formatShape(summary.inputShape)} \u00b7 ${summary.layers.length} layers \u00b7 ${summary.totalParams.toLocaleString('en-US')} parameters${GETTING_READY}`;
  header.replaceChildren(name, facts);
  renderLayerList(layerPane, summary, '', () => {});
  const list = layerPane.querySelector<HTMLElement>('#layer-list');
  list?.classList.add('pending');
  list?.setAttribute('aria-busy', 'true');
  list?.setAttribute('title', 'The model is built; the panel is getting it ready.');
}

/** The greyed list of a load the user cancelled no longer says it is getting ready. */
export function stopBuiltLayers(header: HTMLElement, layerPane: HTMLElement): void {
  const facts = header.querySelector<HTMLElement>('.model-facts');
  const text = facts?.textContent ?? '';
  if (facts && text.endsWith(GETTING_READY))
    facts.textContent = `${text.slice(0, -GETTING_READY.length)} \u00b7 not loaded`;
  const list = layerPane.querySelector<HTMLElement>('#layer-list.pending');
  list?.setAttribute('aria-busy', 'false');
  list?.setAttribute('title', 'The model was built, but its loading was cancelled.');
}
