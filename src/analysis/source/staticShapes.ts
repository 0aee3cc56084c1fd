/**
 * Shape arithmetic on the literal options of a plainly written `tf.sequential`: finds, before
 * anything runs, a spatial size that collapses to 0 (tfjs would throw while building, far from the
 * layer) and a receptive field larger than the input. Stops at the first option it cannot
 * read, so it never guesses.
 */
import type { LayerCall, OptionValue, SourceScan } from './types';

export interface StaticFinding {
  /** Index into `SourceScan.layers`. */
  layer: number;
  kind: 'collapsed' | 'receptiveField' | 'unusedOutput';
  message: string;
}

const CONV = new Set(['conv1d', 'conv2d', 'separableConv1d', 'separableConv2d', 'depthwiseConv2d']);
const POOL = new Set(['maxPooling1d', 'maxPooling2d', 'averagePooling1d', 'averagePooling2d']);
const KEEPS_POSITIONS = new Set([
  'activation',
  'batchNormalization',
  'dropout',
  'spatialDropout1d',
  'spatialDropout2d',
  'gaussianNoise',
  'gaussianDropout',
  'layerNormalization',
  'leakyReLU',
  'reLU',
  'elu',
  'softmax',
  'prelu',
  'thresholdedReLU',
  'dense', // acts on the last axis only
]);
const ENDS_SPATIAL = new Set(['flatten', 'globalAveragePooling2d', 'globalMaxPooling2d']);

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

function chainFindings(scan: SourceScan, chain: number[]): StaticFinding[] {
  const findings: StaticFinding[] = [];
  const first = scan.layers[chain[0]];
  const declared = first?.options.inputShape ?? first?.options.batchInputShape;
  if (!Array.isArray(declared)) return findings;
  const shape = first.options.inputShape === undefined ? declared.slice(1) : declared;
  const spatial = shape.slice(0, -1); // channels last
  if (spatial.length < 1 || spatial.length > 2 || spatial.some((d) => d <= 0)) return findings;
  const input = [...spatial];
  let sizes = [...spatial];
  const rf = spatial.map(() => 1);
  const jump = spatial.map(() => 1);
  const padBefore = spatial.map(() => 0);
  const padAfter = spatial.map(() => 0);
  let rfReported = false;
  for (const index of chain) {
    const call = scan.layers[index];
    const axes = sizes.length;
    if (ENDS_SPATIAL.has(call.factory)) break;
    if (KEEPS_POSITIONS.has(call.factory)) continue;
    let kernel: number[] | null;
    let strides: number[] | null;
    let dilation: number[] | null = sizes.map(() => 1);
    if (CONV.has(call.factory)) {
      kernel = perAxis(call.options.kernelSize, axes, []);
      strides = perAxis(call.options.strides, axes, Array(axes).fill(1));
      dilation = perAxis(call.options.dilationRate, axes, Array(axes).fill(1));
    } else if (POOL.has(call.factory)) {
      kernel = perAxis(call.options.poolSize, axes, Array(axes).fill(2));
      strides = perAxis(call.options.strides, axes, kernel ?? []);
    } else {
      break; // a layer this arithmetic does not know
    }
    const padding = call.options.padding ?? 'valid';
    if (!kernel || kernel.length !== axes || !strides || !dilation) break;
    if (padding !== 'valid' && padding !== 'same') break;
    const before = [...sizes];
    const out = sizes.map((n, a) => {
      const span = (kernel![a] - 1) * dilation![a] + 1;
      const o =
        padding === 'same' ? Math.ceil(n / strides![a]) : Math.floor((n - span) / strides![a]) + 1;
      const total = Math.max((o - 1) * strides![a] + span - n, 0);
      padBefore[a] += Math.floor(total / 2) * jump[a];
      padAfter[a] += (total - Math.floor(total / 2)) * jump[a];
      rf[a] += (span - 1) * jump[a];
      jump[a] *= strides![a];
      return o;
    });
    if (out.some((o) => o <= 0)) {
      findings.push({
        layer: index,
        kind: 'collapsed',
        message: `${label(call)}: output size ${size(out.map((o) => Math.max(o, 0)))}: its ${kernel.length > 1 ? size(kernel) : kernel[0]} window${dilation.some((d) => d > 1) ? ' (dilated)' : ''} with ${padding} padding does not fit the ${size(before)} input it gets. TensorFlow.js will refuse to build the model.`,
      });
      break;
    }
    // The exact field of a unit never leaves the padded input, so the useful alarm is a field
    // wider than the image itself: units then see the whole image plus padding.
    const padded = input.map((n, a) => n + padBefore[a] + padAfter[a]);
    if (!rfReported && rf.some((r, a) => r > input[a])) {
      rfReported = true;
      findings.push({
        layer: index,
        kind: 'receptiveField',
        message: `${label(call)}: receptive field ${size(rf)} is larger than the ${size(input)} input (${size(padded)} with padding): its units see past the image's edges, into the padding.`,
      });
    }
    sizes = out;
  }
  return findings;
}
