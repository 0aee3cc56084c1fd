/** The left column: the input as the model sees it, the top-5 classes and the layer list. */
import { rgbaCanvas } from './rgbaCanvas';
import type { LayerSummary, ModelSummary } from '../src/analysis/modelSummary';
import type { HostToPanel } from '../src/protocol/panelProtocol';
import { formatShape } from '../src/analysis/format';

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
  container.replaceChildren();
  const heading = document.createElement('h3');
  heading.textContent = 'Input';
  container.appendChild(heading);
  if (image) {
    const canvas = rgbaCanvas(image, '');
    canvas.id = 'input-image';
    const caption = document.createElement('p');
    caption.className = 'caption';
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
    const readout = document.createElement('p');
    readout.className = 'rf-readout';
    readout.id = 'rf-readout';
    readout.textContent = 'Hover a feature map to see what part of the input a unit sees.';
    container.append(stage, caption, readout);
  } else {
    const empty = document.createElement('p');
    empty.className = 'hint';
    empty.textContent = 'No image yet.';
    container.appendChild(empty);
  }
  if (canPickImage) {
    const button = document.createElement('button');
    button.id = 'pick-image';
    button.textContent = image ? 'Change image\u2026' : 'Choose image\u2026';
    button.addEventListener('click', onPick);
    container.appendChild(button);
  }
  for (const warning of image?.warnings ?? []) {
    const line = document.createElement('p');
    line.className = 'input-warning';
    line.setAttribute('role', 'alert');
    line.textContent = `\u26a0 ${warning}`;
    container.appendChild(line);
  }
  if (image && image.top5.length) {
    const list = document.createElement('ol');
    list.className = 'top5';
    list.id = 'top5';
    for (const score of image.top5) {
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
    container.appendChild(list);
  }
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
  const body = table.createTBody();
  summary.layers.forEach((layer, index) => {
    const row = body.insertRow();
    row.dataset.layer = layer.name;
    row.tabIndex = 0;
    row.setAttribute('aria-selected', String(layer.name === selected));
    if (layer.name === selected) row.classList.add('selected');
    const cells = [
      layer.name,
      layer.className,
      formatShape(layer.outputShape),
      paramCount(layer).toLocaleString('en-US'),
    ];
    cells.forEach((text) => (row.insertCell().textContent = text));
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
  foot.insertCell().textContent = summary.totalParams.toLocaleString('en-US');
  container.replaceChildren(table);
  const selectedRow = table.querySelector<HTMLElement>('tr.selected');
  selectedRow?.scrollIntoView({ block: 'nearest' });
}
