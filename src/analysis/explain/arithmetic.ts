// The arithmetic of one output value of a convolution or pooling layer, step by step: the input
// window it reads (with the taps that fall in the zero padding marked), the kernel weights of each
// input channel, the products, their sum, the bias and the activation, ending at the value the
// layer outputs. Plain loops on the layer's input values; sums are accumulated in float64.
import { layerCapabilities } from '../layerCapabilities';
import { paddingAmounts } from '../structure/geometry';
import { activate, knownActivation, softmax } from './activationFunctions';
import type { ArrayND, LayerSpec } from './types';

export interface ArithmeticTerm {
  inputChannel: number;
  /** One value per tap (row-major over the kernel), 0 where the tap reads padding. */
  inputs: Float32Array;
  /** Kernel weights per tap; empty for pooling. */
  weights: Float32Array;
  /** inputs x weights per tap (pooling: the inputs themselves). */
  products: Float32Array;
  /** Sum of this channel's products (float64). */
  sum: number;
}

export interface UnitArithmetic {
  layer: string;
  className: string;
  op: 'conv' | 'depthwiseConv' | 'maxPool' | 'avgPool';
  /** Output position per spatial axis ([y, x] or [t]) and output channel. */
  position: number[];
  channel: number;
  kernelSize: number[];
  strides: number[];
  dilation: number[];
  padding: 'valid' | 'same' | 'causal';
  /** Zero padding added before index 0 of each axis. */
  padBefore: number[];
  /** Input coordinate of the window's first tap per axis (negative inside the padding). */
  windowStart: number[];
  /** Spatial size of the layer's input. */
  inputSize: number[];
  /** Per tap: 1 where the tap lies in the padding (outside the input). */
  padded: Uint8Array;
  terms: ArithmeticTerm[];
  /** conv: the sum of every product; max pooling: the maximum; average pooling: the mean. */
  sum: number;
  bias: number;
  /** sum + bias, the activation's argument. */
  preActivation: number;
  activation: string;
  activationParam?: number;
  /** The output value: activation(preActivation). */
  value: number;
  pooling?: { op: 'max' | 'average'; chosenTap: number; count: number };
}

function checkUnit(
  spec: LayerSpec,
  input: ArrayND,
  position: number[],
  channels: number,
  channel: number,
): void {
  const rank = spec.spatialRank;
  if (rank !== 1 && rank !== 2)
    throw new Error(`layer '${spec.name}' is not a 1-D or 2-D windowed layer`);
  if (input.shape.length !== rank + 1) {
    throw new Error(
      `layer '${spec.name}' expects a rank-${rank + 1} input, got [${input.shape.join(', ')}]`,
    );
  }
  if (position.length !== rank) {
    throw new RangeError(
      `layer '${spec.name}' needs ${rank} coordinate(s), got [${position.join(', ')}]`,
    );
  }
  if (!Number.isInteger(channel) || channel < 0 || channel >= channels) {
    throw new RangeError(
      `channel ${channel} is outside layer '${spec.name}' (${channels} channels)`,
    );
  }
}

/** The window geometry of output `position`; throws when the position is outside the output. */
export function windowOf(spec: LayerSpec, inputSize: number[], position: number[]) {
  const kernelSize = spec.kernelSize!;
  const strides = spec.strides ?? kernelSize.map(() => 1);
  const dilation = spec.dilation ?? kernelSize.map(() => 1);
  const padding = spec.padding ?? 'valid';
  const padBefore: number[] = [];
  const windowStart: number[] = [];
  kernelSize.forEach((k, a) => {
    const keff = (k - 1) * dilation[a] + 1;
    const pads = paddingAmounts(padding, inputSize[a], keff, strides[a])!;
    const outLength = Math.floor((inputSize[a] + pads.total - keff) / strides[a]) + 1;
    const p = position[a];
    if (!Number.isInteger(p) || p < 0 || p >= outLength) {
      throw new RangeError(
        `position ${p} is outside layer '${spec.name}' along axis ${a} (length ${outLength})`,
      );
    }
    padBefore.push(pads.before);
    windowStart.push(p * strides[a] - pads.before);
  });
  // Flat input offsets (in spatial positions) of every tap, -1 in the padding.
  const taps = kernelSize.reduce((a, b) => a * b, 1);
  const offsets = new Int32Array(taps);
  for (let t = 0; t < taps; t++) {
    let rest = t;
    let offset = 0;
    let inside = true;
    for (let a = kernelSize.length - 1, stride = 1; a >= 0; a--) {
      const k = rest % kernelSize[a];
      rest = Math.floor(rest / kernelSize[a]);
      const i = windowStart[a] + k * dilation[a];
      if (i < 0 || i >= inputSize[a]) inside = false;
      offset += i * stride;
      stride *= inputSize[a];
    }
    offsets[t] = inside ? offset : -1;
  }
  return { kernelSize, strides, dilation, padding, padBefore, windowStart, taps, offsets };
}

function channelTerm(
  input: ArrayND,
  offsets: Int32Array,
  c: number,
  weightAt?: (t: number) => number,
): ArithmeticTerm {
  const channels = input.shape[input.shape.length - 1];
  const n = offsets.length;
  const inputs = new Float32Array(n);
  const weights = new Float32Array(weightAt ? n : 0);
  const products = new Float32Array(n);
  let sum = 0;
  for (let t = 0; t < n; t++) {
    const v = offsets[t] < 0 ? 0 : input.data[offsets[t] * channels + c];
    inputs[t] = v;
    if (weightAt) {
      weights[t] = weightAt(t);
      const p = v * weights[t];
      products[t] = p;
      sum += p;
    } else {
      products[t] = v;
    }
  }
  return { inputChannel: c, inputs, weights, products, sum };
}

/** One term per input channel the convolution's output `channel` reads (its group's only). */
function convTerms(
  spec: LayerSpec,
  input: ArrayND,
  offsets: Int32Array,
  channel: number,
): ArithmeticTerm[] {
  const kernel = spec.kernel!;
  const { first, perGroup, outC } = groupOf(spec, channel);
  return Array.from({ length: perGroup }, (_, c) =>
    channelTerm(input, offsets, first + c, (t) => kernel.data[(t * perGroup + c) * outC + channel]),
  );
}

/** Pre-activation of output channel `o` of a convolution from its window (float64). */
function convPreActivation(
  spec: LayerSpec,
  input: ArrayND,
  offsets: Int32Array,
  o: number,
): number {
  const kernel = spec.kernel!;
  const inC = input.shape[input.shape.length - 1];
  const { first, perGroup, outC } = groupOf(spec, o);
  let sum = spec.bias ? spec.bias[o] : 0;
  for (let t = 0; t < offsets.length; t++) {
    if (offsets[t] < 0) continue;
    for (let c = 0; c < perGroup; c++)
      sum += input.data[offsets[t] * inC + first + c] * kernel.data[(t * perGroup + c) * outC + o];
  }
  return sum;
}

/**
 * The input channels output channel `o` of a convolution reads: all of them, or its group's
 * (`first` .. `first + perGroup`) for a grouped convolution, whose kernel holds only those.
 */
function groupOf(spec: LayerSpec, o: number): { first: number; perGroup: number; outC: number } {
  const shape = spec.kernel!.shape;
  const outC = shape[shape.length - 1];
  const perGroup = shape[shape.length - 2];
  const groups = spec.groups ?? 1;
  return { first: Math.floor(o / (outC / groups)) * perGroup, perGroup, outC };
}

/**
 * The arithmetic of output `channel` at spatial `position` of a Conv1D/Conv2D, DepthwiseConv2D or
 * Max/AveragePooling1D/2D layer, given the layer's input values (channels last, no batch).
 */
export function unitArithmetic(
  spec: LayerSpec,
  input: ArrayND,
  position: number[],
  channel: number,
): UnitArithmetic {
  const { op, outC } = checkArithmetic(spec, input, position, channel);
  const inputSize = input.shape.slice(0, -1);
  const w = windowOf(spec, inputSize, position);
  const padded = Uint8Array.from(w.offsets, (o) => (o < 0 ? 1 : 0));
  const common = {
    layer: spec.name,
    className: spec.className,
    op,
    position: [...position],
    channel,
    kernelSize: w.kernelSize,
    strides: w.strides,
    dilation: w.dilation,
    padding: w.padding,
    padBefore: w.padBefore,
    windowStart: w.windowStart,
    inputSize,
    padded,
  };
  if (op === 'maxPool' || op === 'avgPool')
    return { ...common, ...poolingArithmetic(op, input, w.offsets, padded, channel) };
  return { ...common, ...convolutionArithmetic(spec, input, w.offsets, channel, outC) };
}

type WindowOp = UnitArithmetic['op'];

/** The layer can show this unit's arithmetic: its op, and its output channel count. */
function checkArithmetic(
  spec: LayerSpec,
  input: ArrayND,
  position: number[],
  channel: number,
): { op: WindowOp; outC: number } {
  const inC = input.shape[input.shape.length - 1];
  const op = spec.op;
  // The class's entry says whether it has a window arithmetic; the op is 'unsupported' where the
  // layer's configuration stops it (channels-first data).
  const windowed = op === 'conv' || op === 'depthwiseConv' || op === 'maxPool' || op === 'avgPool';
  if (!layerCapabilities(spec.className).arithmetic || !windowed) {
    throw new Error(
      `layer '${spec.name}' (${spec.className}) is not a convolution or pooling layer`,
    );
  }
  if ((op === 'conv' || op === 'depthwiseConv') && !spec.kernel)
    throw new Error(`layer '${spec.name}' has no kernel`);
  const dm = spec.depthMultiplier ?? 1;
  const outC =
    op === 'conv'
      ? spec.kernel!.shape[spec.kernel!.shape.length - 1]
      : op === 'depthwiseConv'
        ? inC * dm
        : inC;
  checkUnit(spec, input, position, outC, channel);
  if (spec.padding === 'causal')
    throw new Error(`layer '${spec.name}': causal padding is not supported`);
  if (
    op === 'conv' &&
    spec.kernel!.shape[spec.kernel!.shape.length - 2] * (spec.groups ?? 1) !== inC
  ) {
    throw new Error(
      `layer '${spec.name}': kernel has ${spec.kernel!.shape.at(-2)} input channels${spec.groups ? ` per group (${spec.groups} groups)` : ''}, input has ${inC}`,
    );
  }
  return { op, outC };
}

/** Max or mean of the window; padding never wins a max and is not counted in a mean. */
function poolingArithmetic(
  op: 'maxPool' | 'avgPool',
  input: ArrayND,
  offsets: Int32Array,
  padded: Uint8Array,
  channel: number,
) {
  const term = channelTerm(input, offsets, channel);
  let chosenTap = -1;
  let count = 0;
  let acc = 0;
  for (let t = 0; t < offsets.length; t++) {
    if (padded[t]) continue; // as TensorFlow
    count++;
    acc += term.inputs[t];
    if (chosenTap < 0 || term.inputs[t] > term.inputs[chosenTap]) chosenTap = t;
  }
  term.sum = acc;
  const value = op === 'maxPool' ? term.inputs[chosenTap] : acc / count;
  return {
    terms: [term],
    sum: value,
    bias: 0,
    preActivation: value,
    activation: 'linear',
    value,
    pooling: { op: op === 'maxPool' ? ('max' as const) : ('average' as const), chosenTap, count },
  };
}

/** Products per input channel, their sum, the bias and the activation. */
function convolutionArithmetic(
  spec: LayerSpec,
  input: ArrayND,
  offsets: Int32Array,
  channel: number,
  outC: number,
) {
  const inC = input.shape[input.shape.length - 1];
  const dm = spec.depthMultiplier ?? 1;
  const kernel = spec.kernel!;
  const terms =
    spec.op === 'conv'
      ? convTerms(spec, input, offsets, channel)
      : [
          channelTerm(input, offsets, Math.floor(channel / dm), (t) => {
            const c = Math.floor(channel / dm);
            return kernel.data[(t * inC + c) * dm + (channel % dm)];
          }),
        ];
  const sum = terms.reduce((s, term) => s + term.sum, 0);
  const bias = spec.bias ? spec.bias[channel] : 0;
  const preActivation = sum + bias;
  if (!knownActivation(spec.activation)) {
    throw new Error(`layer '${spec.name}': unknown activation '${spec.activation}'`);
  }
  let value: number;
  if (spec.activation === 'softmax') {
    if (spec.op !== 'conv')
      throw new Error(`layer '${spec.name}': softmax on a depthwise convolution is not supported`);
    const all = Array.from({ length: outC }, (_, o) => convPreActivation(spec, input, offsets, o));
    value = softmax(all)[channel];
  } else {
    value = activate(spec.activation, preActivation, spec.activationParam);
  }
  return {
    terms,
    sum,
    bias,
    preActivation,
    activation: spec.activation,
    ...(spec.activationParam !== undefined ? { activationParam: spec.activationParam } : {}),
    value,
  };
}
