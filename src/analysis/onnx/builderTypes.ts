import type * as tfType from '@tensorflow/tfjs';
import type { TfNamespace } from '../runtime';
import type { ConstantTensor, FoldedGraph, GraphNode } from './graph';
import type { CustomLayerFactories } from './customLayers';

/**
 * How a graph value is held in the TensorFlow.js model.
 * - `nhwc`: an ONNX [N, C, H, W] tensor stored as [N, H, W, C].
 * - `flat`: stored as [N, K] in ONNX's element order, whatever its ONNX shape ([N, K], or
 *   [N, C, 1, 1] after global pooling, [N, C, 1] between two Unsqueezes): reshapes are free.
 * - `flatNhwc`: an ONNX [N, C*H*W] flatten of an NCHW tensor, stored in NHWC order (H*W > 1):
 *   the dense layer reading it permutes its weight rows, so it sees the same features as in
 *   PyTorch.
 * - `channelsLast`: an ONNX [N, H, W, C] value (a Transpose (0, 2, 3, 1) of an NCHW image, as
 *   ConvNeXt's blocks hold it) stored as it is, which is the NHWC storage of the image: the
 *   Transposes to and from it need no layer, and ops on its last axis act on the channels.
 */
export type StoredLayout = 'nhwc' | 'flat' | 'flatNhwc' | 'channelsLast';

export interface BuiltValue {
  tensor: tfType.SymbolicTensor;
  /** ONNX shape, batch 1. */
  shape: number[];
  layout: StoredLayout;
  /** For `flatNhwc`: the [C, H, W] that was flattened. */
  flattenedFrom?: [number, number, number];
  /** Known to be >= 0 (after ReLU, sigmoid...): max pooling may then pad with zeros exactly. */
  nonNegative: boolean;
}

export interface TranslationContext {
  tf: TfNamespace;
  custom: CustomLayerFactories;
  graph: FoldedGraph;
  node: GraphNode;
  /** The computed value of input i (throws a node error when it is a constant). */
  value(i: number): BuiltValue;
  /** The constant at input i, or undefined when computed or absent. */
  constant(i: number): ConstantTensor | undefined;
  /** Constant input i, or a node error naming what is missing. */
  requireConstant(i: number, what: string): ConstantTensor;
  /** Applies a layer named after the node (plus `suffix` for helper layers). */
  apply(
    layer: tfType.layers.Layer,
    inputs: tfType.SymbolicTensor | tfType.SymbolicTensor[],
  ): tfType.SymbolicTensor;
  layerName(suffix?: string): string;
  /**
   * The layer's weights, made when it is built (call before applying it): `make` returns every
   * weight in the layer's order, made once (layerWeights.ts).
   */
  setWeights(layer: tfType.layers.Layer, make: () => tfType.Tensor[]): void;
  fail(detail: string): Error;
}

export type Translation = BuiltValue;
export type Translator = (ctx: TranslationContext) => Translation;
