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
  const last = chain.layers[chain.layers.length - 1];
  const layer = last.name;
  const outShape = (last.outputShape as number[]).slice(1);
  checkRequest(layer, outShape, channel, inputShape, o.steps);
  const random = seededRandom(o.seed);
  let image = randomStart(inputShape, range, random);
  const signal = meanOfChannel(outShape, channel);
  const jitter = () => Math.round((random() * 2 - 1) * o.jitter);
  for (let step = 0; step < o.steps; step++) {
    if (run.isCancelled?.())
      throw new InspectorError('cancelled', 'Feature visualization was cancelled.');
    image = await ascentStep(tf, chain, image, signal, jitter(), jitter(), o.stepSize, range);
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

function checkRequest(
  layer: string,
  outShape: number[],
  channel: number,
  inputShape: number[],
  steps: number,
): void {
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
  if (!Number.isInteger(steps) || steps < 1 || steps > 10000)
    throw new InspectorError(
      'usage',
      `Feature visualization needs 1 to 10000 steps, got ${steps}.`,
    );
}

/** Mid-range input with a little seeded noise (10 % of the range either way). */
function randomStart(inputShape: number[], range: [number, number], random: () => number): ArrayND {
  const [low, high] = range;
  const mid = (low + high) / 2;
  return {
    data: Float32Array.from(
      { length: inputShape.reduce((a, b) => a * b, 1) },
      () => mid + (random() - 0.5) * 0.2 * (high - low),
    ),
    shape: inputShape,
  };
}

/** The output gradient of the channel's mean activation: 1 / positions on every unit of it. */
function meanOfChannel(outShape: number[], channel: number): Float32Array {
  const channels = outShape[outShape.length - 1];
  const positions = outShape.slice(0, -1).reduce((a, b) => a * b, 1);
  const signal = new Float32Array(positions * channels);
  for (let p = 0; p < positions; p++) signal[p * channels + channel] = 1 / positions;
  return signal;
}

/** One normalised gradient step on the image rolled by (dy, dx), clamped to the input range. */
async function ascentStep(
  tf: typeof tfType,
  chain: LayerChain,
  image: ArrayND,
  signal: Float32Array,
  dy: number,
  dx: number,
  stepSize: number,
  [low, high]: [number, number],
): Promise<ArrayND> {
  const steps = await forwardOne(tf, chain, roll(image, dy, dx));
  let gradient = roll(propagateBack(tf, steps, signal, 'saliency').values, -dy, -dx);
  let energy = sumOfSquares(gradient.data);
  if (energy === 0) {
    // a silent channel (every unit below its ReLU's threshold): follow the pre-activation
    const last = steps[steps.length - 1];
    steps[steps.length - 1] = { ...last, spec: { ...last.spec, activation: 'linear' } };
    gradient = roll(propagateBack(tf, steps, signal, 'saliency').values, -dy, -dx);
    energy = sumOfSquares(gradient.data);
  }
  const scale = (stepSize * (high - low)) / (Math.sqrt(energy / gradient.data.length) + 1e-12);
  const data = image.data.map((v, i) =>
    Math.min(high, Math.max(low, v + scale * gradient.data[i])),
  );
  return { data, shape: image.shape };
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
