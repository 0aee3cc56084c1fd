// The two convolution steps the projections need, on the runtime's tf (any backend that has
// Conv2DBackpropInput, wasm included): a layer's pre-activation, and the transposed convolution
// that carries a signal from a layer's output back to its input. 1-D layers run as 2-D with
// height 1; dilation is applied by spreading the kernel with zeros, and depthwise and grouped
// kernels become block-diagonal full kernels (a grouped convolution's transpose is the grouped
// transposed convolution: each group's signal goes back to its own input channels only), so only
// plain conv2d and conv2dTranspose are used.
import type * as tfType from '@tensorflow/tfjs';
import type { ArrayND, LayerSpec } from './types';

type Tf = typeof tfType;

/**
 * The kernel as a [kh, kw, inC, outC] array, depthwise and grouped kernels expanded (zeros
 * between groups), dilation spread with zeros.
 */
export function fullKernel2d(spec: LayerSpec): ArrayND {
  const k = spec.kernel!;
  const rank = spec.spatialRank;
  const kh = rank === 2 ? k.shape[0] : 1;
  const kw = rank === 2 ? k.shape[1] : k.shape[0];
  const groups = spec.op === 'conv' ? (spec.groups ?? 1) : 1;
  const perGroup = k.shape[rank];
  const inC = perGroup * groups;
  const depthwise = spec.op === 'depthwiseConv';
  const dm = depthwise ? k.shape[rank + 1] : 1;
  const outC = depthwise ? inC * dm : k.shape[rank + 1];
  const outPerGroup = outC / groups;
  const [dh, dw] = rank === 2 ? (spec.dilation ?? [1, 1]) : [1, spec.dilation?.[0] ?? 1];
  const eh = (kh - 1) * dh + 1;
  const ew = (kw - 1) * dw + 1;
  const data = new Float32Array(eh * ew * inC * outC);
  for (let y = 0; y < kh; y++) {
    for (let x = 0; x < kw; x++) {
      const tap = y * kw + x;
      const base = (y * dh * ew + x * dw) * inC * outC;
      for (let c = 0; c < inC; c++) {
        if (depthwise) {
          for (let m = 0; m < dm; m++)
            data[base + c * outC + c * dm + m] = k.data[(tap * inC + c) * dm + m];
        } else {
          // Input channel c belongs to group g and reads as that group's channel c - g * perGroup.
          const g = Math.floor(c / perGroup);
          const local = c - g * perGroup;
          for (let o = g * outPerGroup; o < (g + 1) * outPerGroup; o++)
            data[base + c * outC + o] = k.data[(tap * perGroup + local) * outC + o];
        }
      }
    }
  }
  return { data, shape: [eh, ew, inC, outC] };
}

const as4d = (a: ArrayND, rank: number): [number, number, number, number] =>
  rank === 2 ? [1, a.shape[0], a.shape[1], a.shape[2]] : [1, 1, a.shape[0], a.shape[1]];

const strides2d = (spec: LayerSpec): [number, number] =>
  spec.spatialRank === 2 ? [spec.strides![0], spec.strides![1]] : [1, spec.strides![0]];

/**
 * The pre-activation (convolution + bias, or dense + bias) of a layer on its input. For 1-D 'same'
 * layers the height-1 trick is exact because padding along the height is 0 for a height-1 kernel.
 */
export function preActivation(tf: Tf, spec: LayerSpec, input: ArrayND): Float32Array {
  const result = tf.tidy(() => {
    if (spec.op === 'dense') {
      const [inUnits, outUnits] = spec.kernel!.shape;
      const x = tf.tensor2d(input.data, [input.data.length / inUnits, inUnits]);
      const y = tf.matMul(x, tf.tensor2d(spec.kernel!.data, [inUnits, outUnits]));
      return spec.bias ? y.add(tf.tensor1d(spec.bias)) : y;
    }
    const kernel = fullKernel2d(spec);
    const x = tf.tensor4d(input.data, as4d(input, spec.spatialRank));
    const y = tf.conv2d(
      x,
      tf.tensor4d(kernel.data, kernel.shape as [number, number, number, number]),
      strides2d(spec),
      spec.padding === 'same' ? 'same' : 'valid',
    );
    return spec.bias ? y.add(tf.tensor1d(spec.bias)) : y;
  });
  try {
    return Float32Array.from(result.dataSync());
  } finally {
    result.dispose();
  }
}

/**
 * A signal at a conv layer's output (shape [...spatial, outC]) carried back to its input shape
 * by the transposed convolution (the deconvnet's "filtering with transposed filters", and the
 * gradient of the convolution with respect to its input).
 */
export function convTranspose(
  tf: Tf,
  spec: LayerSpec,
  signal: ArrayND,
  inputShape: number[],
): Float32Array {
  const kernel = fullKernel2d(spec);
  const result = tf.tidy(() => {
    const r = tf.tensor4d(signal.data, as4d(signal, spec.spatialRank));
    const outShape = as4d({ data: new Float32Array(0), shape: inputShape }, spec.spatialRank);
    return tf.conv2dTranspose(
      r,
      tf.tensor4d(kernel.data, kernel.shape as [number, number, number, number]),
      outShape,
      strides2d(spec),
      spec.padding === 'same' ? 'same' : 'valid',
    );
  });
  try {
    return Float32Array.from(result.dataSync());
  } finally {
    result.dispose();
  }
}
