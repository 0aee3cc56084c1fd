// The backward rules of the layers that need no convolution, in plain loops: max unpooling with
// the switches recorded in the forward pass, average spreading, dense transposition, cropping and
// padding, and the three ways of passing a signal back through an activation function.
import { activationDerivative, isRectifier } from './activationFunctions';
import { windowOf } from './arithmetic';
import type { ArrayND, LayerSpec } from './types';

export type ProjectionMethod = 'deconvnet' | 'guided' | 'saliency';

const sizeOf = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Output spatial size of a pooling layer on `inputSize` (same arithmetic as the forward pass). */
function poolOutputSize(spec: LayerSpec, inputSize: number[]): number[] {
  return inputSize.map((n, a) => {
    const span = (spec.kernelSize![a] - 1) * (spec.dilation?.[a] ?? 1) + 1;
    const s = spec.strides![a];
    return spec.padding === 'same' ? Math.ceil(n / s) : Math.floor((n - span) / s) + 1;
  });
}

function positionOf(flat: number, size: number[]): number[] {
  return size.length === 2 ? [Math.floor(flat / size[1]), flat % size[1]] : [flat];
}

/**
 * The max-pooling switches of the forward pass: for every output element (row-major, channels
 * last) the flat index into the input of the element that won the max (the first one on ties,
 * as TensorFlow's MaxPoolGrad routes it).
 */
export function maxPoolSwitches(
  spec: LayerSpec,
  input: ArrayND,
): { switches: Int32Array; outputShape: number[] } {
  const channels = input.shape[input.shape.length - 1];
  const inputSize = input.shape.slice(0, -1);
  const outSize = poolOutputSize(spec, inputSize);
  const positions = sizeOf(outSize);
  const switches = new Int32Array(positions * channels);
  for (let p = 0; p < positions; p++) {
    const { offsets } = windowOf(spec, inputSize, positionOf(p, outSize));
    for (let c = 0; c < channels; c++) {
      let best = -1;
      let bestValue = -Infinity;
      for (const o of offsets) {
        if (o < 0) continue;
        const v = input.data[o * channels + c];
        if (best < 0 || v > bestValue) {
          best = o * channels + c;
          bestValue = v;
        }
      }
      switches[p * channels + c] = best;
    }
  }
  return { switches, outputShape: [...outSize, channels] };
}

/** Unpooling: each output signal goes back to the input element its switch recorded (summed where windows overlap). */
export function unpool(
  signal: Float32Array,
  switches: Int32Array,
  inputShape: number[],
): Float32Array {
  const out = new Float32Array(sizeOf(inputShape));
  for (let i = 0; i < switches.length; i++) if (signal[i] !== 0) out[switches[i]] += signal[i];
  return out;
}

/** Average pooling backward: each output signal is shared equally by the inputs (not the padding) it averaged. */
export function spreadAverage(
  spec: LayerSpec,
  signal: Float32Array,
  inputShape: number[],
): Float32Array {
  const channels = inputShape[inputShape.length - 1];
  const inputSize = inputShape.slice(0, -1);
  const outSize = poolOutputSize(spec, inputSize);
  const out = new Float32Array(sizeOf(inputShape));
  for (let p = 0; p < sizeOf(outSize); p++) {
    const taps = windowOf(spec, inputSize, positionOf(p, outSize)).offsets.filter((o) => o >= 0);
    for (let c = 0; c < channels; c++) {
      const share = signal[p * channels + c] / taps.length;
      if (share !== 0) for (const o of taps) out[o * channels + c] += share;
    }
  }
  return out;
}

/** Global pooling backward: to the max element (switch) or equally to every position. */
export function globalPoolBackward(
  op: 'globalMaxPool' | 'globalAvgPool',
  signal: Float32Array,
  input: ArrayND,
): Float32Array {
  const channels = input.shape[input.shape.length - 1];
  const positions = input.data.length / channels;
  const out = new Float32Array(input.data.length);
  for (let c = 0; c < channels; c++) {
    if (op === 'globalAvgPool') {
      for (let p = 0; p < positions; p++) out[p * channels + c] = signal[c] / positions;
    } else {
      let best = 0;
      for (let p = 1; p < positions; p++)
        if (input.data[p * channels + c] > input.data[best * channels + c]) best = p;
      out[best * channels + c] = signal[c];
    }
  }
  return out;
}

/** Dense backward: the signal through the transposed weights, R_in[i] = sum_o W[i, o] R[o]. */
export function denseBackward(
  kernel: ArrayND,
  signal: Float32Array,
  inputShape: number[],
): Float32Array {
  const [inUnits, outUnits] = kernel.shape;
  const out = new Float32Array(sizeOf(inputShape));
  const rows = out.length / inUnits;
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < outUnits; o++) {
      const s = signal[r * outUnits + o];
      if (s === 0) continue;
      for (let i = 0; i < inUnits; i++) out[r * inUnits + i] += kernel.data[i * outUnits + o] * s;
    }
  }
  return out;
}

/** Per-channel scale (inference batch normalisation is y = x * scale + offset). */
export function scaleChannels(signal: Float32Array, scale: Float32Array): Float32Array {
  const out = new Float32Array(signal.length);
  for (let i = 0; i < signal.length; i++) out[i] = signal[i] * scale[i % scale.length];
  return out;
}

/**
 * Back through a layer whose output channel o is input channel `sources[o]` (channels last):
 * each output channel's signal returns to its source; channels not selected get none.
 */
export function selectChannelsBackward(
  signal: Float32Array,
  sources: number[],
  inputShape: number[],
): Float32Array {
  const inChannels = inputShape[inputShape.length - 1];
  const outChannels = sources.length;
  const positions = signal.length / outChannels;
  const out = new Float32Array(positions * inChannels);
  for (let p = 0; p < positions; p++)
    for (let o = 0; o < outChannels; o++)
      out[p * inChannels + sources[o]] += signal[p * outChannels + o];
  return out;
}

/**
 * Moves a window of `from` into `to`: `offset` per spatial axis is where `from`'s origin lies in
 * `to` (negative to crop). Used backward for ZeroPadding (crop) and Cropping (pad with zeros).
 */
export function shiftWindow(
  signal: Float32Array,
  fromShape: number[],
  toShape: number[],
  offset: number[],
): Float32Array {
  const channels = fromShape[fromShape.length - 1];
  const fromSize = fromShape.slice(0, -1);
  const toSize = toShape.slice(0, -1);
  const out = new Float32Array(sizeOf(toShape));
  const positions = sizeOf(fromSize);
  for (let p = 0; p < positions; p++) {
    const pos = positionOf(p, fromSize).map((v, a) => v + offset[a]);
    if (pos.some((v, a) => v < 0 || v >= toSize[a])) continue;
    const q = pos.length === 2 ? pos[0] * toSize[1] + pos[1] : pos[0];
    for (let c = 0; c < channels; c++) out[q * channels + c] = signal[p * channels + c];
  }
  return out;
}

/** A constant of shape `constantShape` (batch axis first, size 1) read at every element of `shape`. */
function broadcastConstant(
  values: number[],
  constantShape: number[],
  shape: number[],
): Float32Array {
  const dims = constantShape.slice(1);
  const pad = shape.length - dims.length;
  const full = [...new Array<number>(Math.max(pad, 0)).fill(1), ...dims.slice(Math.max(-pad, 0))];
  const out = new Float32Array(sizeOf(shape));
  for (let i = 0; i < out.length; i++) {
    let rest = i;
    let source = 0;
    let stride = 1;
    for (let a = shape.length - 1; a >= 0; a--) {
      const coordinate = rest % shape[a];
      rest = Math.floor(rest / shape[a]);
      if (full[a] !== 1) source += coordinate * stride;
      stride *= full[a];
    }
    out[i] = values[source];
  }
  return out;
}

/**
 * The signal back through arithmetic with a constant (the ONNX import's OnnxElementwise: a
 * pooling's divisor, `x * scale`, `x - mean`...): the derivative of each element, for every method
 * (these are linear maps, or 1/x for `c / x`; nothing to rectify).
 */
export function constantArithmeticBackward(
  op: 'add' | 'sub' | 'mul' | 'div',
  constant: { shape: number[]; values: number[] },
  constantFirst: boolean,
  signal: Float32Array,
  input: ArrayND,
): Float32Array {
  const c = broadcastConstant(constant.values, constant.shape, input.shape);
  const out = new Float32Array(signal.length);
  for (let i = 0; i < signal.length; i++) {
    const r = signal[i];
    switch (op) {
      case 'add':
        out[i] = r;
        break;
      case 'sub':
        out[i] = constantFirst ? -r : r;
        break;
      case 'mul':
        out[i] = r * c[i];
        break;
      case 'div': {
        const x = input.data[i];
        out[i] = constantFirst ? (-r * c[i]) / (x * x) : r / c[i];
        break;
      }
    }
  }
  return out;
}

/**
 * The signal back through a padding that copies input values into the border (ONNX Pad's
 * `reflect` and `edge` modes): each output position adds its signal to the input position its
 * value was copied from (the gradient of the padding; the border is not zeros to drop).
 */
export function foldPadding(
  signal: Float32Array,
  fromShape: number[],
  toShape: number[],
  amounts: [number, number][],
  mode: 'reflect' | 'edge',
): Float32Array {
  const channels = fromShape[fromShape.length - 1];
  const fromSize = fromShape.slice(0, -1);
  const toSize = toShape.slice(0, -1);
  const source = (v: number, a: number): number => {
    const n = toSize[a];
    const i = v - amounts[a][0];
    if (mode === 'edge') return Math.min(Math.max(i, 0), n - 1);
    // Reflection without repeating the edge (numpy / ONNX 'reflect'), period 2(n - 1).
    if (n === 1) return 0;
    const period = 2 * (n - 1);
    const r = ((i % period) + period) % period;
    return r < n ? r : period - r;
  };
  const out = new Float32Array(sizeOf(toShape));
  const positions = sizeOf(fromSize);
  for (let p = 0; p < positions; p++) {
    const pos = positionOf(p, fromSize).map(source);
    const q = pos.length === 2 ? pos[0] * toSize[1] + pos[1] : pos[0];
    for (let c = 0; c < channels; c++) out[q * channels + c] += signal[p * channels + c];
  }
  return out;
}

/**
 * The signal back through an activation function f at pre-activations z:
 * - saliency (the plain gradient): R * f'(z);
 * - guided backpropagation (Springenberg et al. 2015): only positive signal passes where the unit
 *   was active, R_in = (R > 0) * R * f'(z) (for ReLU: (z > 0)(R > 0) R);
 * - deconvnet (Zeiler & Fergus 2014): the reconstruction itself is rectified, R_in = max(R, 0),
 *   whatever z was; activations that are not rectifiers pass it unchanged.
 */
export function activationBackward(
  method: ProjectionMethod,
  name: string,
  signal: Float32Array,
  z: Float32Array,
  param?: number,
): Float32Array {
  const out = new Float32Array(signal.length);
  if (name === 'linear' || name === 'softmax') {
    out.set(signal);
    return out;
  }
  for (let i = 0; i < signal.length; i++) {
    const r = signal[i];
    if (method === 'deconvnet') out[i] = isRectifier(name) ? Math.max(r, 0) : r;
    else if (method === 'guided') out[i] = r > 0 ? r * activationDerivative(name, z[i], param) : 0;
    else out[i] = r * activationDerivative(name, z[i], param);
  }
  return out;
}
