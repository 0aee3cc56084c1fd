/**
 * The settings forms of the Why tab's long class methods (occlusion, integrated gradients, the
 * input a unit wants) and the cost line beside their Run button, which follows the settings.
 * The view (explainClass.ts) reads the forms when it asks; this module only builds them.
 */
import { el } from './dom';

/** A labelled number field; `attrs` sets min, max and step. */
function numberField(
  name: string,
  text: string,
  value: string,
  attrs: Record<string, string> = {},
): HTMLLabelElement {
  const input = Object.assign(document.createElement('input'), { name, value, type: 'number' });
  Object.entries(attrs).forEach(([k, v]) => input.setAttribute(k, v));
  const label = el('label', 'control');
  label.append(text, input);
  return label;
}

function labelled(text: string, control: HTMLElement): HTMLLabelElement {
  const label = el('label', 'control');
  label.append(text, control);
  return label;
}

/** How many windows (forward passes) occlusion slides over a height x width input. */
export function occlusionPasses(
  input: { width: number; height: number },
  window: number,
  stride: number,
): number {
  const along = (size: number) => Math.floor((size - window) / stride) + 1;
  return along(input.height) * along(input.width);
}

export function occlusionSettings(
  input: { width: number; height: number },
  initial: { window: number; stride: number },
): HTMLElement {
  const settings = el('span', 'why-class-settings');
  settings.append(
    numberField('window', 'Window ', String(initial.window), {
      min: '1',
      max: String(Math.min(input.width, input.height)),
    }),
    numberField('stride', 'Stride ', String(initial.stride), { min: '1' }),
    numberField('fill', 'Fill ', '0', { step: 'any' }),
  );
  return settings;
}

export function integratedGradientsSettings(): HTMLElement {
  const baseline = document.createElement('select');
  baseline.name = 'baseline';
  baseline.add(new Option('black (zeros)', 'zeros'));
  baseline.add(new Option('blurred input', 'blur'));
  const settings = el('span', 'why-class-settings');
  settings.append(
    numberField('steps', 'Steps ', '64', { min: '1', max: '4096' }),
    labelled('Baseline ', baseline),
  );
  return settings;
}

/** The unit whose preferred input is drawn: a spatial layer and a channel, kept by the view. */
export interface UnitChoice {
  layers: string[];
  layer: string | undefined;
  channel: number;
  onLayer(layer: string): void;
  onChannel(channel: number): void;
}

export function featureVisualizationSettings(unit: UnitChoice): HTMLElement {
  const layer = document.createElement('select');
  layer.name = 'layer';
  for (const name of unit.layers) layer.add(new Option(name, name, false, name === unit.layer));
  layer.addEventListener('change', () => unit.onLayer(layer.value));
  const channel = numberField('channel', 'Channel ', String(unit.channel), { min: '0' });
  channel.querySelector('input')!.addEventListener('change', (e) => {
    const value = Number((e.target as HTMLInputElement).value) || 0;
    unit.onChannel(Math.max(0, Math.floor(value)));
  });
  const settings = el('span', 'why-class-settings');
  settings.append(
    labelled('Layer ', layer),
    channel,
    numberField('steps', 'Steps ', '128', { min: '1', max: '10000' }),
  );
  return settings;
}

/** Keeps a form's cost line (`.why-class-cost`) in step with its settings as they are edited. */
export function followCost(form: HTMLFormElement, cost: () => string | undefined): void {
  form.addEventListener('input', () => {
    const line = form.querySelector('.why-class-cost');
    const text = cost();
    if (line && text !== undefined) line.textContent = text;
  });
}

/** The cost of a method run for a number of steps, or undefined while the field is not a count. */
export function stepsCost(form: HTMLFormElement, what: string): string | undefined {
  const steps = Number((form.elements.namedItem('steps') as HTMLInputElement).value);
  return Number.isInteger(steps) && steps > 0 ? `${steps} ${what}` : undefined;
}
