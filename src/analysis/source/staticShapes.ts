/**
 * Shape arithmetic on the literal options of a plainly written `tf.sequential`: finds, before
 * anything runs, a spatial size that collapses to 0 (tfjs would throw while building, far from the
 * layer) and a receptive field larger than the input. Stops at the first option it cannot
 * read, so it never guesses.
 */
import { factoryCapabilities } from '../layerCapabilities';
import type { LayerCall, OptionValue, SourceScan } from './types';

export interface StaticFinding {
  /** Index into `SourceScan.layers`. */
  layer: number;
  kind: 'collapsed' | 'receptiveField' | 'unusedOutput';
  message: string;
}

function perAxis(
  value: OptionValue | undefined,
  axes: number,
  fallback: number[],
): number[] | null {
  if (value === undefined) return fallback;
  if (typeof value === 'number') return Array(axes).fill(value);
  if (Array.isArray(value) && value.length === axes) return value;
  return null;
}

const label = (call: LayerCall) => (call.name ? `${call.factory} '${call.name}'` : call.factory);
const size = (dims: number[]) => dims.join('x');

export function staticFindings(scan: SourceScan): StaticFinding[] {
  const findings: StaticFinding[] = [];
  scan.layers.forEach((call, layer) => {
    if (call.unusedOutput)
      findings.push({
        layer,
        kind: 'unusedOutput',
        message: `${label(call)}: its output is never used (the layer is created but nothing reads it).`,
      });
  });
  for (const chain of scan.sequentials) findings.push(...chainFindings(scan, chain.layers));
  return findings;
}

/** A windowed layer's geometry as its literal options give it. */
interface Window {
  kernel: number[];
  strides: number[];
  dilation: number[];
  padding: 'valid' | 'same';
}

/**
 * What the arithmetic does with a layer, from the layer-capability table: `keep` (every position
 * stays: position-wise layers, Dense on the last axis), its window, or `stop` (a layer it does not
 * follow, or an option it cannot read).
 */
function stepOf(call: LayerCall, axes: number): Window | 'keep' | 'stop' {
  const { structure } = factoryCapabilities(call.factory);
  if (structure === 'elementwise' || structure === 'dense') return 'keep';
  const ones = Array(axes).fill(1);
  let kernel: number[] | null;
  let strides: number[] | null;
  let dilation: number[] | null = ones;
  if (structure === 'conv' || structure === 'depthwiseConv' || structure === 'separableConv') {
    kernel = perAxis(call.options.kernelSize, axes, []);
    strides = perAxis(call.options.strides, axes, ones);
    dilation = perAxis(call.options.dilationRate, axes, ones);
  } else if (structure === 'pooling') {
    kernel = perAxis(call.options.poolSize, axes, Array(axes).fill(2));
    strides = perAxis(call.options.strides, axes, kernel ?? []);
  } else {
    return 'stop'; // ends the spatial axes (Flatten, global pooling) or not known to this arithmetic
  }
  const padding = call.options.padding ?? 'valid';
  if (!kernel || kernel.length !== axes || !strides || !dilation) return 'stop';
  if (padding !== 'valid' && padding !== 'same') return 'stop';
  return { kernel, strides, dilation, padding };
}

/** The spatial size of the chain's declared input (channels last), or null when not literal. */
function declaredSpatialSize(first: LayerCall | undefined): number[] | null {
  const declared = first?.options.inputShape ?? first?.options.batchInputShape;
  if (!first || !Array.isArray(declared)) return null;
  const shape = first.options.inputShape === undefined ? declared.slice(1) : declared;
  const spatial = shape.slice(0, -1); // channels last
  if (spatial.length < 1 || spatial.length > 2 || spatial.some((d) => d <= 0)) return null;
  return spatial;
}

/** Receptive field, jump and accumulated padding per axis, in input positions. */
class FieldTracker {
  readonly rf: number[];
  readonly jump: number[];
  private readonly padBefore: number[];
  private readonly padAfter: number[];

  constructor(readonly input: number[]) {
    this.rf = input.map(() => 1);
    this.jump = input.map(() => 1);
    this.padBefore = input.map(() => 0);
    this.padAfter = input.map(() => 0);
  }

  /** The output sizes of `window` applied to `sizes`; the field grows by it. */
  apply(sizes: number[], { kernel, strides, dilation, padding }: Window): number[] {
    return sizes.map((n, a) => {
      const span = (kernel[a] - 1) * dilation[a] + 1;
      const o =
        padding === 'same' ? Math.ceil(n / strides[a]) : Math.floor((n - span) / strides[a]) + 1;
      const total = Math.max((o - 1) * strides[a] + span - n, 0);
      this.padBefore[a] += Math.floor(total / 2) * this.jump[a];
      this.padAfter[a] += (total - Math.floor(total / 2)) * this.jump[a];
      this.rf[a] += (span - 1) * this.jump[a];
      this.jump[a] *= strides[a];
      return o;
    });
  }

  get padded(): number[] {
    return this.input.map((n, a) => n + this.padBefore[a] + this.padAfter[a]);
  }

  get widerThanInput(): boolean {
    return this.rf.some((r, a) => r > this.input[a]);
  }
}

function chainFindings(scan: SourceScan, chain: number[]): StaticFinding[] {
  const findings: StaticFinding[] = [];
  const spatial = declaredSpatialSize(scan.layers[chain[0]]);
  if (!spatial) return findings;
  const field = new FieldTracker([...spatial]);
  let sizes = [...spatial];
  let rfReported = false;
  for (const index of chain) {
    const call = scan.layers[index];
    const step = stepOf(call, sizes.length);
    if (step === 'keep') continue;
    if (step === 'stop') break;
    const out = field.apply(sizes, step);
    if (out.some((o) => o <= 0)) {
      findings.push({
        layer: index,
        kind: 'collapsed',
        message: collapsedMessage(call, sizes, out, step),
      });
      break;
    }
    // The exact field of a unit never leaves the padded input, so the useful alarm is a field
    // wider than the image itself: units then see the whole image plus padding.
    if (!rfReported && field.widerThanInput) {
      rfReported = true;
      findings.push({
        layer: index,
        kind: 'receptiveField',
        message: `${label(call)}: receptive field ${size(field.rf)} is larger than the ${size(field.input)} input (${size(field.padded)} with padding): its units see past the image's edges, into the padding.`,
      });
    }
    sizes = out;
  }
  return findings;
}

function collapsedMessage(
  call: LayerCall,
  before: number[],
  out: number[],
  { kernel, dilation, padding }: Window,
): string {
  return `${label(call)}: output size ${size(out.map((o) => Math.max(o, 0)))}: its ${kernel.length > 1 ? size(kernel) : kernel[0]} window${dilation.some((d) => d > 1) ? ' (dilated)' : ''} with ${padding} padding does not fit the ${size(before)} input it gets. TensorFlow.js will refuse to build the model.`;
}
