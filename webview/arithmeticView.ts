/**
 * The arithmetic of one output value, in a dialog: the input window (zero-padding taps marked),
 * each input channel's weights and products, their sum, the bias and the activation, ending at
 * the value of the feature map. Pooling shows the window and the chosen max or the mean.
 */
import { describeWindow } from './windowWording';
import type { ArithmeticResult } from '../src/analysis/explain/explainSession';
import { formatValue } from './layerData';
import { el } from './dom';

/** Input channels drawn as grids; the others are summarised by their sums. */
const MAX_CHANNEL_GRIDS = 8;

/** A tap's cell; the parts of "x × w = p" are spans, one under the other in a narrow panel. */
function cell(parts: string[], className: string, title?: string): HTMLElement {
  const td = el('td', className);
  parts.forEach((part, i) => {
    if (i > 0) td.append(' ');
    td.append(Object.assign(el('span', 'arith-part'), { textContent: part }));
  });
  if (title) td.title = title;
  return td;
}

function tapLabel(a: ArithmeticResult, t: number): string {
  const kw = a.kernelSize[a.kernelSize.length - 1];
  const coords = a.kernelSize.length === 2 ? [Math.floor(t / kw), t % kw] : [t];
  const input = coords.map((k, i) => a.windowStart[i] + k * a.dilation[i]);
  return `input ${a.kernelSize.length === 2 ? `(${input[0]}, ${input[1]})` : `t ${input[0]}`}`;
}

/** One grid: rows of the kernel, each cell "input × weight = product" (or the input for pooling). */
function termGrid(a: ArithmeticResult, term: ArithmeticResult['terms'][number]): HTMLElement {
  const table = el('table', 'arith-grid');
  const kw = a.kernelSize[a.kernelSize.length - 1];
  const rows = a.kernelSize.length === 2 ? a.kernelSize[0] : 1;
  const pooling = a.pooling !== undefined;
  for (let r = 0; r < rows; r++) {
    const tr = el('tr', '');
    for (let c = 0; c < kw; c++) {
      const t = r * kw + c;
      const pad = a.padded[t] === 1;
      const chosen = a.pooling?.op === 'max' && a.pooling.chosenTap === t;
      const input = pad ? (pooling ? 'pad' : '0\u2009(pad)') : formatValue(term.inputs[t]);
      const parts = pooling
        ? [input]
        : [input, `\u00d7 ${formatValue(term.weights[t])}`, `= ${formatValue(term.products[t])}`];
      tr.appendChild(
        cell(parts, `tap${pad ? ' pad' : ''}${chosen ? ' chosen' : ''}`, tapLabel(a, t)),
      );
    }
    table.appendChild(tr);
  }
  return table;
}

function line(label: string, value: string, id?: string): HTMLElement {
  const p = el('p', 'arith-line');
  const name = el('span', 'arith-label');
  name.textContent = label;
  const v = el('span', 'arith-number');
  v.textContent = value;
  if (id) v.id = id;
  p.append(name, v);
  return p;
}

export class ArithmeticView {
  private readonly dialog: HTMLDialogElement;
  private readonly title: HTMLElement;
  private readonly body: HTMLElement;

  /** `onClose`: the user closed the dialog (an answer still to come is no longer wanted). */
  constructor(parent: HTMLElement, onClose: () => void) {
    this.dialog = el('dialog', 'arithmetic');
    this.dialog.id = 'arithmetic-view';
    this.dialog.addEventListener('close', onClose);
    const header = el('header', '');
    this.title = el('h2', '');
    const close = el('button', 'secondary');
    close.textContent = 'Close';
    close.addEventListener('click', () => this.dialog.close());
    header.append(this.title, close);
    this.body = el('div', 'arith-body');
    this.dialog.append(header, this.body);
    parent.appendChild(this.dialog);
  }

  pending(layer: string, channel: number, position: number[]): void {
    this.title.textContent = `${layer} \u00b7 channel ${channel} \u00b7 ${position.join(', ')}`;
    this.body.replaceChildren(Object.assign(el('p', 'hint'), { textContent: 'Computing\u2026' }));
    if (!this.dialog.open) this.dialog.showModal();
  }

  failed(message: string): void {
    this.body.replaceChildren(Object.assign(el('p', 'error'), { textContent: message }));
  }

  show(a: ArithmeticResult): void {
    const where =
      a.position.length === 2 ? `y ${a.position[0]}, x ${a.position[1]}` : `t ${a.position[0]}`;
    this.title.textContent = `${a.layer} (${a.className}) \u00b7 channel ${a.channel} \u00b7 ${where}`;
    const parts: HTMLElement[] = [
      Object.assign(el('p', 'arith-window'), { textContent: describeWindow(a) }),
    ];
    for (const note of a.notes) parts.push(Object.assign(el('p', 'hint'), { textContent: note }));
    const shown = a.terms.slice(0, MAX_CHANNEL_GRIDS);
    for (const term of shown) {
      const block = el('section', 'arith-channel');
      const caption = el('h3', '');
      caption.textContent = a.pooling
        ? `input channel ${term.inputChannel}`
        : `input channel ${term.inputChannel}: \u03a3 = ${formatValue(term.sum)}`;
      block.append(caption, termGrid(a, term));
      parts.push(block);
    }
    if (a.terms.length > shown.length) {
      const rest = a.terms.slice(shown.length).reduce((s, t) => s + t.sum, 0);
      parts.push(
        line(
          `channels ${shown.length}\u2026${a.terms.length - 1} (not drawn), \u03a3`,
          formatValue(rest),
        ),
      );
    }
    if (a.pooling?.op === 'max') {
      parts.push(line('max of the window (padding never wins)', formatValue(a.sum)));
    } else if (a.pooling) {
      parts.push(
        line(
          `mean = ${formatValue(a.terms[0].sum)} / ${a.pooling.count} (padding not counted)`,
          formatValue(a.sum),
        ),
      );
    } else {
      parts.push(line('\u03a3 of all products', formatValue(a.sum)));
      parts.push(line('+ bias', formatValue(a.bias)));
      parts.push(line('= pre-activation', formatValue(a.preActivation)));
      parts.push(line(`${a.activation}(pre-activation)`, formatValue(a.value)));
    }
    parts.push(line('output value', formatValue(a.value), 'arithmetic-value'));
    parts.push(
      line('feature map (forward pass)', formatValue(a.featureMapValue), 'arithmetic-feature-map'),
    );
    this.body.replaceChildren(...parts);
    if (!this.dialog.open) this.dialog.showModal();
  }
}

/** The position of map pixel (y, x) in a layer of `shape`: [y, x] for 2-D maps, [x] for 1-D ones. */
export function explainablePosition(shape: number[], y: number, x: number): number[] | undefined {
  if (shape.length === 3) return [y, x];
  if (shape.length === 2) return [x];
  return undefined;
}
