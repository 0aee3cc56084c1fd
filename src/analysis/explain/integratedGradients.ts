// Integrated gradients (Sundararajan et al. 2017): attributions (x - x') * mean over the path of
// d score / d input at x' + alpha (x - x'), alpha at the midpoints of `steps` equal intervals
// (Captum's riemann_middle). The score is the class score before softmax. Completeness: the
// attributions sum to score(x) - score(x'), up to the quadrature error, which is reported.
import type * as tfType from '@tensorflow/tfjs';
import { InspectorError } from '../errors';
import {
  chainScores,
  forwardChain,
  yieldToEvents,
  type ClassHead,
  type LayerChain,
} from './classChain';
import type { LongRun } from './occlusion';
import { oneHot, propagateBack } from './projection';
import { gaussianBlur } from './resample';
import type { ArrayND } from './types';

export type IgBaseline = 'zeros' | 'blur';

export interface IntegratedGradientsResult {
  steps: number;
  baseline: IgBaseline;
  /** The model input's shape; attributions are per input value. */
  values: ArrayND;
  sum: number;
  scoreDifference: number;
  score: number;
  baselineScore: number;
  notes: string[];
}

/** The baseline x': zeros (black after the default preprocessing) or the input blurred. */
export function baselineOf(input: ArrayND, baseline: IgBaseline): ArrayND {
  if (baseline === 'zeros')
    return { data: new Float32Array(input.data.length), shape: input.shape };
  if (input.shape.length !== 3)
    throw new InspectorError('usage', 'The blurred baseline needs an image input.');
  const sigma = Math.max(1, Math.min(input.shape[0], input.shape[1]) / 8);
  return gaussianBlur(input, sigma);
}

/** Items per batch so that a batch's activations stay near 8 million floats. */
function batchFor(chain: LayerChain, inputSize: number): number {
  const perItem =
    inputSize +
    chain.layers.reduce(
      (sum, l) => sum + (l.outputShape as number[]).slice(1).reduce((a, b) => a * b, 1),
      0,
    );
  return Math.max(1, Math.min(16, Math.floor(8e6 / perItem)));
}

export async function integratedGradients(
  tf: typeof tfType,
  chain: LayerChain,
  head: ClassHead,
  input: ArrayND,
  classIndex: number,
  steps: number,
  baseline: IgBaseline = 'zeros',
  run: LongRun = {},
): Promise<IntegratedGradientsResult> {
  if (!Number.isInteger(steps) || steps < 1 || steps > 4096)
    throw new InspectorError('usage', `Integrated gradients need 1 to 4096 steps, got ${steps}.`);
  const base = baselineOf(input, baseline);
  const delta = input.data.map((v, i) => v - base.data[i]);
  const gradientSum = new Float64Array(input.data.length);
  const notes = new Set<string>();
  const batch = batchFor(chain, input.data.length);
  const endpointScores: number[] = [];
  // the endpoints first (for the completeness check), then the midpoints
  const alphas = [1, 0, ...Array.from({ length: steps }, (_, k) => (k + 0.5) / steps)];
  for (let start = 0; start < alphas.length; start += batch) {
    if (run.isCancelled?.())
      throw new InspectorError('cancelled', 'Integrated gradients were cancelled.');
    const slice = alphas.slice(start, start + batch);
    const items = await forwardPathPoints(tf, chain, base, delta, slice, input.shape);
    items.forEach((stepsOfItem, i) => {
      if (start + i < 2) {
        endpointScores.push(chainScores(tf, head, stepsOfItem)[classIndex]);
        return;
      }
      const g = propagateBack(tf, stepsOfItem, oneHot(head.classes, classIndex), 'saliency');
      g.notes.forEach((n) => notes.add(n));
      for (let j = 0; j < gradientSum.length; j++) gradientSum[j] += g.values.data[j];
    });
    run.onProgress?.(Math.max(0, Math.min(steps, start + slice.length - 2)), steps);
    await yieldToEvents();
  }
  const [score, baselineScore] = endpointScores;
  const { values, sum } = attributions(delta, gradientSum, steps);
  return {
    steps,
    baseline,
    values: { data: values, shape: input.shape },
    sum,
    scoreDifference: score - baselineScore,
    score,
    baselineScore,
    notes: [...notes],
  };
}

/** The chain's steps for the inputs x' + alpha (x - x'), one batch item per alpha. */
async function forwardPathPoints(
  tf: typeof tfType,
  chain: LayerChain,
  base: ArrayND,
  delta: Float32Array,
  alphas: number[],
  inputShape: number[],
) {
  const size = base.data.length;
  const data = new Float32Array(alphas.length * size);
  alphas.forEach((a, i) =>
    data.set(
      base.data.map((b, j) => b + a * delta[j]),
      i * size,
    ),
  );
  const tensor = tf.tensor(data, [alphas.length, ...inputShape]);
  try {
    return await forwardChain(tf, chain, tensor);
  } finally {
    tensor.dispose();
  }
}

/** (x - x') times the mean gradient over the path, and the attributions' sum. */
function attributions(
  delta: Float32Array,
  gradientSum: Float64Array,
  steps: number,
): { values: Float32Array; sum: number } {
  const values = new Float32Array(delta.length);
  let sum = 0;
  for (let j = 0; j < values.length; j++) {
    values[j] = (delta[j] * gradientSum[j]) / steps;
    sum += values[j];
  }
  return { values, sum };
}
