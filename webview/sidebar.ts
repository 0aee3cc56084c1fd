/** The left column: the input as the model sees it, the top-5 classes and the layer list. */
import { rgbaCanvas } from './rgbaCanvas';
import type { LayerSummary, ModelSummary } from '../src/analysis/modelSummary';
import type { HostToPanel } from '../src/protocol/panelProtocol';
import { formatCount, formatShape } from '../src/analysis/format';
import { fitLayerList, keepLayerListFitted } from './layerListFit';

type ImageMessage = Extract<HostToPanel, { type: 'image' }>;

export function paramCount(layer: LayerSummary): number {
  return layer.params.trainable + layer.params.nonTrainable;
}

export function renderInput(
  container: HTMLElement,
  image: ImageMessage | undefined,
  canPickImage: boolean,
  onPick: () => void,
): void {
  const heading = document.createElement('h3');
  heading.textContent = 'Input';
  container.replaceChildren(heading);
  if (image) container.append(...inputPicture(image));
  else container.appendChild(Object.assign(paragraph('hint'), { textContent: 'No image yet.' }));
  if (canPickImage) {
    const button = document.createElement('button');
    button.id = 'pick-image';
    button.textContent = image ? 'Change image\u2026' : 'Choose image\u2026';
    button.addEventListener('click', onPick);
    container.appendChild(button);
  }
  for (const warning of image?.warnings ?? []) {
    const line = paragraph('input-warning');
    line.setAttribute('role', 'alert');
    line.textContent = `\u26a0 ${warning}`;
    container.appendChild(line);
  }
  if (image && image.top5.length) container.appendChild(topClasses(image.top5));
}

function paragraph(className: string): HTMLParagraphElement {
  const p = document.createElement('p');
  p.className = className;
  return p;
}

/** The input in its frame (receptive fields are drawn over it), its caption and the field readout. */
function inputPicture(image: ImageMessage): HTMLElement[] {
  const canvas = rgbaCanvas(image, '');
  canvas.id = 'input-image';
  const caption = paragraph('caption');
  caption.title = image.inputSource;
  caption.textContent = `${image.imageName} \u00b7 ${image.width}\u00d7${image.height}, as the model sees it`;
  // The stage leaves room around the image, where receptive fields reach into the padding.
  const stage = document.createElement('div');
  stage.className = 'input-stage';
  const frame = document.createElement('div');
  frame.className = 'input-frame';
  frame.id = 'input-frame';
  frame.appendChild(canvas);
  stage.appendChild(frame);
  const readout = paragraph('rf-readout');
  readout.id = 'rf-readout';
  readout.textContent = 'Hover a feature map to see what part of the input a unit sees.';
  return [stage, caption, readout];
}

/** The top classes with their probabilities as bars. */
function topClasses(top5: ImageMessage['top5']): HTMLOListElement {
  const list = document.createElement('ol');
  list.className = 'top5';
  list.id = 'top5';
  for (const score of top5) {
    const item = document.createElement('li');
    const label = document.createElement('span');
    label.textContent = score.label;
    const bar = document.createElement('span');
    bar.className = 'top5-bar';
    bar.style.width = `${Math.max(1, score.probability * 100)}%`;
    const value = document.createElement('span');
    value.className = 'top5-value';
    value.textContent = `${(score.probability * 100).toFixed(1)}%`;
    item.append(label, value, bar);
    list.appendChild(item);
  }
  return list;
}

export function renderLayerList(
  container: HTMLElement,
  summary: ModelSummary,
  selected: string,
  onSelect: (name: string) => void,
): void {
  const table = document.createElement('table');
  table.id = 'layer-list';
  table.className = 'layer-list';
  const head = table.createTHead().insertRow();
  for (const title of ['Layer', 'Type', 'Output', 'Params']) {
    const th = document.createElement('th');
    th.textContent = title;
    head.appendChild(th);
  }
  head.cells[0].appendChild(shapeUnderName('output'));
  const body = table.createTBody();
  summary.layers.forEach((layer, index) => {
    const row = body.insertRow();
    row.dataset.layer = layer.name;
    row.tabIndex = 0;
    row.setAttribute('aria-selected', String(layer.name === selected));
    if (layer.name === selected) row.classList.add('selected');
    const shape = formatShape(layer.outputShape);
    row.insertCell().append(...withBreaks(layer.name, /[_./-]/), shapeUnderName(shape));
    row.insertCell().textContent = layer.className;
    row.insertCell().textContent = shape;
    fillCount(row.insertCell(), paramCount(layer));
    row.addEventListener('click', () => onSelect(layer.name));
    row.addEventListener('keydown', (e) => {
      const next = e.key === 'ArrowDown' ? index + 1 : e.key === 'ArrowUp' ? index - 1 : -1;
      if (next >= 0 && next < summary.layers.length) {
        e.preventDefault();
        onSelect(summary.layers[next].name);
      }
    });
  });
  const foot = table.createTFoot().insertRow();
  foot.insertCell().textContent = 'Total';
  foot.insertCell();
  foot.insertCell();
  fillCount(foot.insertCell(), summary.totalParams);
  container.replaceChildren(table);
  fitLayerList(container);
  keepLayerListFitted(container);
  const selectedRow = table.querySelector<HTMLElement>('tr.selected');
  selectedRow?.scrollIntoView({ block: 'nearest' });
}

/**
 * A parameter count, exact ("102,764,544") and compact ("102.8M"): a list too wide for its pane
 * shows the compact one (layerListFit.ts); the exact count is always in the tooltip.
 */
function fillCount(cell: HTMLTableCellElement, count: number): void {
  const exact = count.toLocaleString('en-US');
  const compact = formatCount(count);
  cell.title = `${exact} parameters`;
  const exactText = document.createElement('span');
  exactText.className = 'count-exact';
  exactText.textContent = exact;
  const compactText = document.createElement('span');
  compactText.className = 'count-compact';
  compactText.textContent = compact;
  cell.append(exactText, compactText);
}

/**
 * The output shape as a second line of the name's cell, shown instead of the Output column by a
 * list too wide for its pane (layerListFit.ts): the name then has the width of two columns.
 */
function shapeUnderName(text: string): HTMLElement {
  const line = document.createElement('span');
  line.className = 'shape-under-name';
  line.textContent = text;
  return line;
}

/**
 * Text with a line-break opportunity after each separator (layer4.<wbr>1.<wbr>downsample.<wbr>0):
 * a long ONNX scope wraps there, not anywhere, when the list is narrower than its text.
 */
function withBreaks(text: string, separator: RegExp): Node[] {
  const nodes: Node[] = [];
  let rest = text;
  for (let at = rest.search(separator); at >= 0; at = rest.search(separator)) {
    nodes.push(document.createTextNode(rest.slice(0, at + 1)), document.createElement('wbr'));
    rest = rest.slice(at + 1);
  }
  nodes.push(document.createTextNode(rest));
  return nodes;
}
