// "What the unit wants": activation maximization (Erhan et al. 2009) with the regularisers of
// Olah et al. 2017. Gradient ascent on the model input for the mean activation of one channel
// of a layer (the channel objective of Lucent; where every unit of the channel is silent, the
// pre-activation's gradient is followed so that the ascent can start), with random jitter (the image is rolled by a few pixels before every
// step and the gradient rolled back), a light Gaussian blur every few steps, normalised steps and
// the input kept inside the range the preprocessing produces from pixels 0..255.
import type * as tfType from '@tensorflow/tfjs';
import { InspectorError } from '../errors';
import { forwardChain, yieldToEvents, type LayerChain } from './classChain';
import type { LongRun } from './occlusion';
import { propagateBack } from './projection';
import { gaussianBlur, roll, seededRandom } from './resample';
import type { ArrayND } from './types';

export interface FeatureVisualizationOptions {
  steps: number;
  /** Maximum jitter in pixels (each axis). */
  jitter: number;
  /** Blur sigma in pixels, applied every `blurEvery` steps (0: never). */
  blurSigma: number;
  blurEvery: number;
  /** Step size as a fraction of the input range. */
  stepSize: number;
  seed: number;
}

export const DEFAULT_FEATURE_VISUALIZATION: FeatureVisualizationOptions = {
  steps: 128,
  jitter: 2,
  blurSigma: 0.5,
  blurEvery: 4,
  stepSize: 0.05,
  seed: 1,
};

export interface FeatureVisualizationResult {
  layer: string;
  channel: number;
  steps: number;
  /** The optimised model input. */
  image: ArrayND;
  /** The channel's largest activation on the optimised input, and its mean. */
  activation: number;
  meanActivation: number;
  range: [number, number];
}

/** The channel's max and mean over positions, from a layer output (channels last). */
export function channelStats(output: ArrayND, channel: number): { max: number; mean: number } {
  const channels = output.shape[output.shape.length - 1];
  let max = -Infinity;
  let sum = 0;
  const positions = output.data.length / channels;
  for (let p = 0; p < positions; p++) {
    const v = output.data[p * channels + channel];
    max = Math.max(max, v);
    sum += v;
  }
  return { max, mean: sum / positions };
}

export async function visualizeChannel(
  tf: typeof tfType,
  chain: LayerChain,
  channel: number,
  inputShape: number[],
  range: [number, number],
  options: Partial<FeatureVisualizationOptions> = {},
  run: LongRun = {},
): Promise<FeatureVisualizationResult> {
  const o = { ...DEFAULT_FEATURE_VISUALIZATION, ...options };
  const layer = chain.layers[chain.layers.length - 1].name;
  const outShape = (chain.layers[chain.layers.length - 1].outputShape as number[]).slice(1);
  const channels = outShape[outShape.length - 1];
  if (!Number.isInteger(channel) || channel < 0 || channel >= channels)
    throw new InspectorError(
      'usage',
      `channel ${channel} is outside layer '${layer}' (${channels} channels)`,
    );
  if (inputShape.length !== 3)
    throw new InspectorError(
      'usage',
      'Feature visualization needs an image input (height, width, channels).',
    );
  if (!Number.isInteger(o.steps) || o.steps < 1 || o.steps > 10000)
    throw new InspectorError(
      'usage',
      `Feature visualization needs 1 to 10000 steps, got ${o.steps}.`,
    );
  const [low, high] = range;
  const random = seededRandom(o.seed);
  const mid = (low + high) / 2;
  let image: ArrayND = {
    data: Float32Array.from(
      { length: inputShape.reduce((a, b) => a * b, 1) },
      () => mid + (random() - 0.5) * 0.2 * (high - low),
    ),
    shape: inputShape,
  };
  const positions = outShape.slice(0, -1).reduce((a, b) => a * b, 1);
  const signal = new Float32Array(positions * channels);
  for (let p = 0; p < positions; p++) signal[p * channels + channel] = 1 / positions;
  const jitter = () => Math.round((random() * 2 - 1) * o.jitter);
  for (let step = 0; step < o.steps; step++) {
    if (run.isCancelled?.())
      throw new InspectorError('cancelled', 'Feature visualization was cancelled.');
    const dy = jitter();
    const dx = jitter();
    const shifted = roll(image, dy, dx);
    const steps = await forwardOne(tf, chain, shifted);
    let gradient = roll(propagateBack(tf, steps, signal, 'saliency').values, -dy, -dx);
    let energy = sumOfSquares(gradient.data);
    if (energy === 0) {
      // a silent channel (every unit below its ReLU's threshold): follow the pre-activation
      const last = steps[steps.length - 1];
      steps[steps.length - 1] = { ...last, spec: { ...last.spec, activation: 'linear' } };
      gradient = roll(propagateBack(tf, steps, signal, 'saliency').values, -dy, -dx);
      energy = sumOfSquares(gradient.data);
    }
    const scale = (o.stepSize * (high - low)) / (Math.sqrt(energy / gradient.data.length) + 1e-12);
    const data = image.data.map((v, i) =>
      Math.min(high, Math.max(low, v + scale * gradient.data[i])),
    );
    image = { data, shape: inputShape };
    if (o.blurSigma > 0 && o.blurEvery > 0 && (step + 1) % o.blurEvery === 0 && step + 1 < o.steps)
      image = gaussianBlur(image, o.blurSigma);
    run.onProgress?.(step + 1, o.steps);
    if (step % 4 === 3) await yieldToEvents();
  }
  const final = await forwardOne(tf, chain, image);
  const stats = channelStats(final[final.length - 1].output, channel);
  return {
    layer,
    channel,
    steps: o.steps,
    image,
    activation: stats.max,
    meanActivation: stats.mean,
    range,
  };
}

function sumOfSquares(values: Float32Array): number {
  let sum = 0;
  for (const v of values) sum += v * v;
  return sum;
}

async function forwardOne(tf: typeof tfType, chain: LayerChain, image: ArrayND) {
  const tensor = tf.tensor(image.data, [1, ...image.shape]);
  try {
    return (await forwardChain(tf, chain, tensor))[0];
  } finally {
    tensor.dispose();
  }
}
