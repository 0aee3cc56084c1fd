// Grad-CAM (Selvaraju et al. 2017) and Guided Grad-CAM for one class, on a chain of layers that
// ends at the model's output: the gradient of the class score (before softmax) at a layer's
// output A is carried back with the projections' rules; alpha_k is its spatial mean per channel
// and the map ReLU(sum_k alpha_k A_k) stays at the layer's resolution (not normalised). Guided
// Grad-CAM multiplies guided backpropagation of the class by the map upsampled to the input.
import type * as tfType from '@tensorflow/tfjs';
import { InspectorError } from '../errors';
import type { ChainStepWithOutput } from './classChain';
import { NotInvertibleError, oneHot, propagateBack, propagateBackTo } from './projection';
import { resizeBilinear } from './resample';
import type { ArrayND } from './types';

export interface GradCamResult {
  layer: string;
  /** [h, w] for 2-D layers, [t] for 1-D ones. */
  shape: number[];
  /** ReLU(sum_k alpha_k A_k), row-major, not normalised. */
  values: Float32Array;
  /** alpha_k per channel of the layer. */
  weights: Float32Array;
  /** The map resized to the input's spatial size (bilinear, half-pixel centres). */
  upsampled: Float32Array;
  /** Guided backpropagation of the class x the upsampled map, in the input's shape. */
  guided?: ArrayND;
  notes: string[];
}

/** Layers of the chain Grad-CAM can use: outputs with spatial axes larger than one position. */
export function camCandidates(steps: ChainStepWithOutput[]): string[] {
  return steps
    .slice(0, -1)
    .filter((s) => s.outputShape.length >= 2 && s.outputShape.slice(0, -1).some((n) => n > 1))
    .map((s) => s.spec.name);
}

/** The default layer: the last convolution with a spatial output. */
export function defaultCamLayer(steps: ChainStepWithOutput[]): string {
  const candidates = new Set(camCandidates(steps));
  const conv = steps.filter(
    (s) => (s.spec.op === 'conv' || s.spec.op === 'depthwiseConv') && candidates.has(s.spec.name),
  );
  if (conv.length === 0) {
    throw new InspectorError(
      'layer',
      'Grad-CAM needs a convolution layer with a spatial output; this model has none.',
    );
  }
  return conv[conv.length - 1].spec.name;
}

/**
 * Grad-CAM of `classIndex` at `layer`. `steps` runs from the model input to the output layer;
 * `withGuided` adds Guided Grad-CAM (one more backward pass over the whole chain).
 */
export function gradCam(
  tf: typeof tfType,
  steps: ChainStepWithOutput[],
  classIndex: number,
  layer: string,
  withGuided = true,
): GradCamResult {
  const at = steps.findIndex((s) => s.spec.name === layer);
  if (at < 0 || !camCandidates(steps).includes(layer)) {
    throw new InspectorError(
      'layer',
      `Grad-CAM cannot use layer '${layer}': choose a layer with a spatial output before the output layer (${camCandidates(steps).join(', ') || 'none'}).`,
    );
  }
  const outputShape = steps[steps.length - 1].outputShape;
  const signal = oneHot(outputShape[0], classIndex);
  const { values: gradient, notes } = propagateBackTo(tf, steps, signal, 'saliency', at);
  const activation = steps[at].output;
  const channels = activation.shape[activation.shape.length - 1];
  const positions = activation.data.length / channels;
  const weights = new Float32Array(channels);
  for (let p = 0; p < positions; p++)
    for (let k = 0; k < channels; k++) weights[k] += gradient.data[p * channels + k] / positions;
  const values = new Float32Array(positions);
  for (let p = 0; p < positions; p++) {
    let sum = 0;
    for (let k = 0; k < channels; k++) sum += weights[k] * activation.data[p * channels + k];
    values[p] = Math.max(sum, 0);
  }
  const shape = activation.shape.slice(0, -1);
  const inputShape = steps[0].input.shape;
  const upsampled =
    shape.length === 2
      ? resizeBilinear(values, shape[0], shape[1], inputShape[0], inputShape[1])
      : resizeBilinear(values, 1, shape[0], 1, inputShape[0]);
  const result: GradCamResult = { layer, shape, values, weights, upsampled, notes };
  if (withGuided) {
    try {
      const guided = propagateBack(tf, steps, signal, 'guided').values;
      const inChannels = inputShape[inputShape.length - 1];
      const data = guided.data.map((g, i) => g * upsampled[Math.floor(i / inChannels)]);
      result.guided = { data, shape: guided.shape };
    } catch (error) {
      // the map stands without it: a layer below the chosen one may not be passable
      if (!(error instanceof NotInvertibleError)) throw error;
      result.notes = [...notes, `Guided Grad-CAM: ${error.message}`];
    }
  }
  return result;
}
