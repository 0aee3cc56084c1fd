/**
 * Shared vocabulary of the tf.LayersModel -> ONNX translation (layersToOnnx.ts).
 *
 * Layout: a Keras tensor of rank >= 3 is channels-last ([N, ...spatial, C]); inside the ONNX graph
 * it is held channels-first ([N, C, ...spatial]: NCHW, NCL), ONNX Runtime's native layout, so
 * convolutions and pooling need no transposes. Rank-2 tensors ([N, features]) are the same in
 * both. `shape` is always the Keras shape (batch 1), so the analyses' sizes and TF's `same`
 * padding arithmetic read naturally.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { OnnxGraphBuilder } from './onnxGraphBuilder';

export interface OnnxValue {
  /** Value name in the ONNX graph (held channels-first when rank >= 3). */
  name: string;
  /** Keras (channels-last) shape, batch 1. */
  shape: number[];
}

/** Thrown when a layer has no exact ONNX translation: the model then runs on TensorFlow.js. */
export class UntranslatableLayer extends Error {
  constructor(
    readonly layerName: string,
    readonly className: string,
    readonly reason: string,
  ) {
    super(`layer '${layerName}' (${className}) ${reason}`);
  }
}

export interface LayerContext {
  builder: OnnxGraphBuilder;
  layer: tfType.layers.Layer;
  /** The layer's config (tfjs `getConfig()`, camelCase keys). */
  config: Record<string, unknown>;
  inputs: OnnxValue[];
  /** Keras output shape at this input size, batch 1. */
  outputShape: number[];
  /** The weight whose name ends with `/<suffix>` as float32 values and shape, or undefined. */
  weight(suffix: string): { values: Float32Array; shape: number[] } | undefined;
  /** Same, for weights the layer must have. */
  requireWeight(suffix: string): { values: Float32Array; shape: number[] };
  /** Stops the translation of this model with the reason (a layer config we cannot express). */
  refuse(reason: string): never;
  /** A name hint for helper values of this layer. */
  hint: string;
}

/** Returns the layer's output value (Keras shape = ctx.outputShape), held channels-first. */
export type LayerTranslator = (ctx: LayerContext) => string;

/** Permutation from Keras channels-last to the held channels-first layout, for a rank. */
export function toHeldPerm(rank: number): number[] {
  return [0, rank - 1, ...Array.from({ length: rank - 2 }, (_, i) => i + 1)];
}

/** Permutation from the held channels-first layout back to Keras channels-last. */
export function toKerasPerm(rank: number): number[] {
  return [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2), 1];
}

/** Position in the held layout of Keras axis `axis` (negative counts from the end). */
export function heldAxis(axis: number, rank: number): number {
  const k = axis < 0 ? axis + rank : axis;
  if (rank < 3 || k === 0) return k;
  return k === rank - 1 ? 1 : k + 1;
}

/** A value in Keras channels-last order (a Transpose when rank >= 3). */
export function asKerasLayout(b: OnnxGraphBuilder, value: OnnxValue, hint: string): string {
  const rank = value.shape.length;
  return rank < 3
    ? value.name
    : b.node('Transpose', [value.name], hint, { perm: toKerasPerm(rank) });
}

/** A Keras channels-last value of `rank` into the held layout. */
export function fromKerasLayout(
  b: OnnxGraphBuilder,
  name: string,
  rank: number,
  hint: string,
  output?: string,
): string {
  if (rank < 3) return output ? b.node('Identity', [name], hint, {}, output) : name;
  return b.node('Transpose', [name], hint, { perm: toHeldPerm(rank) }, output);
}

export function numberList(value: unknown, length: number, what: string): number[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 1 && length > 1) return new Array<number>(length).fill(Number(list[0]));
  if (list.length !== length || list.some((v) => typeof v !== 'number')) {
    throw new Error(`${what} must be ${length} numbers, got ${JSON.stringify(value)}`);
  }
  return list as number[];
}
