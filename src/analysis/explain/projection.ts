// Projections of one unit back to the input, along the chain of layers that feeds it:
// - the deconvnet of Zeiler & Fergus (2014): unpool with the forward pass's switches, rectify,
//   filter with the transposed filters;
// - guided backpropagation (Springenberg et al. 2015);
// - the plain gradient (saliency, Simonyan et al. 2014).
// All three share the layers' linear steps; they differ only at activation functions (see
// activationBackward). Softmax is passed over: the unit's score before it is explained.
import type * as tfType from '@tensorflow/tfjs';
import {
  activationBackward,
  constantArithmeticBackward,
  selectChannelsBackward,
  denseBackward,
  globalPoolBackward,
  maxPoolSwitches,
  scaleChannels,
  foldPadding,
  shiftWindow,
  spreadAverage,
  unpool,
  type ProjectionMethod,
} from './backward';
import { convTranspose, preActivation } from './convolutionOps';
import { mergeBackward } from './mergeBackward';
import { layerNormBackward } from './layerNormBackward';
import type { ArrayND, LayerSpec } from './types';

export type { ProjectionMethod } from './backward';
export const PROJECTION_METHODS: ProjectionMethod[] = ['deconvnet', 'guided', 'saliency'];

/**
 * One layer of the chain with the values that entered it in the forward pass. Steps are in forward
 * (topological) order; a chain of single layers needs no `sources`, a graph with merges names
 * where each step's inputs come from.
 */
export interface ChainStep {
  spec: LayerSpec;
  /** What entered the layer (a merge: its first input). */
  input: ArrayND;
  outputShape: number[];
  /** Indices of the steps whose outputs enter this one (-1: the model input); default: the step before. */
  sources?: number[];
  /** A merge's inputs, in `sources` order. */
  inputs?: ArrayND[];
}

/** Where step `i`'s inputs come from (-1: the model input). */
export function sourcesOf(steps: ChainStep[], i: number): number[] {
  return steps[i].sources ?? [i - 1];
}

export interface UnitRef {
  layer: string;
  channel: number;
  /** Spatial position ([y, x] or [t]); [] for a vector layer. */
  position: number[];
}

export interface Projection {
  method: ProjectionMethod;
  /** In the model input's shape (channels last, no batch). */
  values: ArrayND;
  /** What the projection did not follow exactly (softmax skipped, activations passed...). */
  notes: string[];
}

export class NotInvertibleError extends Error {
  constructor(
    readonly layer: string,
    readonly className: string,
    readonly reason: string,
  ) {
    super(`layer '${layer}' (${className}) cannot be inverted: ${reason}`);
  }
}

/** Flat index of the unit in its layer's output (channels last). */
export function unitIndex(outputShape: number[], unit: UnitRef): number {
  const spatial = outputShape.slice(0, -1);
  const channels = outputShape[outputShape.length - 1];
  if (unit.position.length !== spatial.length) {
    throw new RangeError(
      `layer '${unit.layer}' needs ${spatial.length} coordinate(s), got [${unit.position.join(', ')}]`,
    );
  }
  unit.position.forEach((p, a) => {
    if (!Number.isInteger(p) || p < 0 || p >= spatial[a]) {
      throw new RangeError(
        `position ${p} is outside layer '${unit.layer}' along axis ${a} (length ${spatial[a]})`,
      );
    }
  });
  if (!Number.isInteger(unit.channel) || unit.channel < 0 || unit.channel >= channels) {
    throw new RangeError(
      `channel ${unit.channel} is outside layer '${unit.layer}' (${channels} channels)`,
    );
  }
  const flat = unit.position.reduce((acc, p, a) => acc * spatial[a] + p, 0);
  return flat * channels + unit.channel;
}

/** A convolution's or dense layer's signal carried back through its own activation. */
function throughOwnActivation(
  tf: typeof tfType,
  method: ProjectionMethod,
  { spec, input }: ChainStep,
  signal: Float32Array,
  notes: string[],
): Float32Array {
  if (spec.activation === 'linear') return signal;
  if (spec.activation === 'softmax') {
    notes.push(`'${spec.name}': softmax is passed over (the score before it is explained)`);
    return signal;
  }
  return activationBackward(
    method,
    spec.activation,
    signal,
    preActivation(tf, spec, input),
    spec.activationParam,
  );
}

/** An activation layer's signal carried to its input (softmax passed over). */
function activationLayerBack(
  method: ProjectionMethod,
  { spec, input }: ChainStep,
  signal: Float32Array,
  notes: string[],
): Float32Array {
  if (spec.activation === 'softmax') {
    notes.push(`'${spec.name}': softmax is passed over (the score before it is explained)`);
    return signal;
  }
  if (
    method === 'deconvnet' &&
    !['relu', 'relu6', 'reluMax', 'leakyRelu'].includes(spec.activation)
  ) {
    notes.push(
      `'${spec.name}': the deconvnet passes ${spec.activation} unchanged (it rectifies ReLUs only)`,
    );
  }
  return activationBackward(method, spec.activation, signal, input.data, spec.activationParam);
}

/** Padding and cropping: the signal shifted back (or, for copied borders, folded back). */
function paddingBack({ spec, input, outputShape }: ChainStep, signal: Float32Array): Float32Array {
  const amounts = spec.amounts ?? [];
  if (spec.op === 'cropping')
    return shiftWindow(
      signal,
      outputShape,
      input.shape,
      amounts.map(([before]) => before),
    );
  if (spec.padMode === 'reflect' || spec.padMode === 'edge')
    return foldPadding(signal, outputShape, input.shape, amounts, spec.padMode);
  return shiftWindow(
    signal,
    outputShape,
    input.shape,
    amounts.map(([before]) => -before),
  );
}

/** The signal at one layer's output carried to its input. */
function stepBack(
  tf: typeof tfType,
  method: ProjectionMethod,
  step: ChainStep,
  signal: Float32Array,
  notes: string[],
): Float32Array {
  const { spec, input, outputShape } = step;
  const withActivation = (r: Float32Array) => throughOwnActivation(tf, method, step, r, notes);
  switch (spec.op) {
    case 'conv':
    case 'depthwiseConv':
      if (spec.padding === 'causal')
        throw new NotInvertibleError(spec.name, spec.className, 'causal padding');
      return convTranspose(
        tf,
        spec,
        { data: withActivation(signal), shape: outputShape },
        input.shape,
      );
    case 'dense':
      return denseBackward(spec.kernel!, withActivation(signal), input.shape);
    case 'activation':
      return activationLayerBack(method, step, signal, notes);
    case 'maxPool': {
      const { switches } = maxPoolSwitches(spec, input);
      return unpool(signal, switches, input.shape);
    }
    case 'avgPool':
      return spreadAverage(spec, signal, input.shape);
    case 'globalMaxPool':
    case 'globalAvgPool':
      return globalPoolBackward(spec.op, signal, input);
    case 'batchNorm':
      return scaleChannels(signal, spec.scale!);
    case 'layerNorm':
      return layerNormBackward(signal, input, spec.scale, spec.epsilon ?? 1e-3);
    case 'identity':
    case 'reshape':
      return signal;
    case 'constantArithmetic': {
      const { op, constant, constantFirst } = spec.arithmetic!;
      return constantArithmeticBackward(op, constant, constantFirst, signal, input);
    }
    case 'channelSelect':
      return selectChannelsBackward(signal, spec.channelSources!, input.shape);
    case 'zeroPadding':
    case 'cropping':
      return paddingBack(step, signal);
    default:
      throw new NotInvertibleError(spec.name, spec.className, spec.reason ?? 'not supported');
  }
}

/** The first layer of the chain that the projections cannot pass, with the reason; undefined if none. */
export function firstNotInvertible(chain: ChainStep[]): NotInvertibleError | undefined {
  for (const { spec } of chain) {
    if (spec.op === 'unsupported')
      return new NotInvertibleError(spec.name, spec.className, spec.reason ?? 'not supported');
    if ((spec.op === 'conv' || spec.op === 'depthwiseConv') && spec.padding === 'causal') {
      return new NotInvertibleError(spec.name, spec.className, 'causal padding');
    }
  }
  return undefined;
}

/**
 * The deconvnet's starting value: the unit's activation, except after a softmax, which is passed
 * over (the score before it is explained), so the start is that score, not the probability.
 */
function deconvnetStart(tf: typeof tfType, last: ChainStep, index: number, unitValue: number) {
  if (last.spec.activation !== 'softmax') return unitValue;
  if (last.spec.op === 'activation') return last.input.data[index];
  return preActivation(tf, last.spec, last.input)[index];
}

/**
 * Projects `unit` of the chain's last layer back to the chain's input. `chain` runs from the
 * layer right after the model input to the unit's layer; `unitValue` is the unit's activation,
 * the deconvnet's starting signal (Zeiler & Fergus keep the activation and zero the rest; for a
 * softmax unit, the score before the softmax). The gradient methods start from 1.
 */
export function projectUnit(
  tf: typeof tfType,
  chain: ChainStep[],
  unit: UnitRef,
  unitValue: number,
  method: ProjectionMethod,
): Projection {
  if (chain.length === 0) throw new Error('the chain of layers is empty');
  const last = chain[chain.length - 1];
  if (last.spec.name !== unit.layer)
    throw new Error(`the chain ends at '${last.spec.name}', not '${unit.layer}'`);
  const signal: Float32Array = new Float32Array(last.outputShape.reduce((a, b) => a * b, 1));
  const index = unitIndex(last.outputShape, unit);
  signal[index] = method === 'deconvnet' ? deconvnetStart(tf, last, index, unitValue) : 1;
  return { method, ...propagateBack(tf, chain, signal, method) };
}

/** The signal that carries one class's score back: 1 at `index`, 0 elsewhere. */
export function oneHot(length: number, index: number): Float32Array {
  const signal = new Float32Array(length);
  signal[index] = 1;
  return signal;
}

/**
 * Carries `signal` (at the chain's last output) back to the chain's input with `method`'s rules.
 * With 'saliency' it is the gradient of sum(signal * output) with respect to the chain's input.
 * Throws NotInvertibleError at the first layer it cannot pass.
 */
export function propagateBack(
  tf: typeof tfType,
  chain: ChainStep[],
  signal: Float32Array,
  method: ProjectionMethod,
): { values: ArrayND; notes: string[] } {
  return propagateBackTo(tf, chain, signal, method, -1);
}

/**
 * Carries `signal` back to the output of step `until` (-1: the chain's input). Through a graph,
 * steps run in reverse order, so every consumer of a step has added its share before the step
 * passes the sum on: branches that meet again (a residual connection) add their gradients.
 */
export function propagateBackTo(
  tf: typeof tfType,
  chain: ChainStep[],
  signal: Float32Array,
  method: ProjectionMethod,
  until: number,
): { values: ArrayND; notes: string[] } {
  const blocked = firstNotInvertible(chain.slice(until + 1));
  if (blocked) throw blocked;
  const notes: string[] = [...new Set(chain.flatMap((s) => s.spec.notes ?? []))];
  const arriving: (Float32Array | undefined)[] = new Array(chain.length);
  arriving[chain.length - 1] = Float32Array.from(signal); // sums are added in place
  let atInput: Float32Array | undefined;
  const add = (to: number, r: Float32Array) => {
    const sum = to < 0 ? atInput : arriving[to];
    if (!sum) {
      if (to < 0) atInput = r;
      else arriving[to] = r;
    } else for (let j = 0; j < r.length; j++) sum[j] += r[j];
  };
  for (let i = chain.length - 1; i > until; i--) {
    const r = arriving[i];
    if (!r) continue; // a step that does not lead to the signal's layer
    arriving[i] = undefined;
    const step = chain[i];
    const sources = sourcesOf(chain, i);
    if (step.spec.op === 'merge') {
      mergeBackward(step.spec, step.inputs ?? [step.input], r).forEach((back, k) =>
        add(sources[k], back),
      );
    } else add(sources[0], stepBack(tf, method, step, r, notes));
  }
  const shape = until < 0 ? chain[0].input.shape : chain[until].outputShape;
  const data = (until < 0 ? atInput : arriving[until]) ?? new Float32Array(sizeOf(shape));
  return { values: { data, shape }, notes: [...new Set(notes)] };
}

const sizeOf = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
