// LayerNorm over the channels (ConvNeXt, imported from ONNX, or a Keras LayerNormalization over the
// last axis): y = gamma * (x - mean) / sqrt(var + epsilon) + beta, with mean and var over the
// channels of each position. Its statistics depend on the input, so the signal goes back through
// the layer's Jacobian at the input (the gradient), for every projection method: for one position
// with xhat = (x - mean) / sigma and g = gamma * r,
//   dx = (g - mean(g) - xhat * mean(g * xhat)) / sigma.
import type { ArrayND } from './types';

export function layerNormBackward(
  signal: Float32Array,
  input: ArrayND,
  gamma: Float32Array | undefined,
  epsilon: number,
): Float32Array {
  const channels = input.shape[input.shape.length - 1];
  const out = new Float32Array(signal.length);
  const xhat = new Float64Array(channels);
  const g = new Float64Array(channels);
  for (let base = 0; base < signal.length; base += channels) {
    let mean = 0;
    for (let c = 0; c < channels; c++) mean += input.data[base + c];
    mean /= channels;
    let variance = 0;
    for (let c = 0; c < channels; c++) variance += (input.data[base + c] - mean) ** 2;
    const sigma = Math.sqrt(variance / channels + epsilon);
    let meanG = 0;
    let meanGx = 0;
    for (let c = 0; c < channels; c++) {
      xhat[c] = (input.data[base + c] - mean) / sigma;
      g[c] = signal[base + c] * (gamma ? gamma[c] : 1);
      meanG += g[c];
      meanGx += g[c] * xhat[c];
    }
    meanG /= channels;
    meanGx /= channels;
    for (let c = 0; c < channels; c++) out[base + c] = (g[c] - meanG - xhat[c] * meanGx) / sigma;
  }
  return out;
}
