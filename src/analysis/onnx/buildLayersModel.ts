/**
 * FoldedGraph -> tf.LayersModel in NHWC whose layers carry the nodes' readable names, so every
 * analysis of layers models (feature maps, receptive fields, counts, Structure, galleries, Why,
 * arithmetic, reports) works on it unchanged. One node becomes one layer (plus a padding layer
 * named `<node>.pad` where ONNX pads explicitly); weights are set exactly after the model is made.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { TfNamespace } from '../runtime';
import type { FoldedGraph, GraphNode } from './graph';
import { customLayers } from './customLayers';
import type { BuiltValue, StoredLayout, TranslationContext, Translator } from './builderTypes';
import { nodeError } from './onnxErrors';
import { buildWithWeights } from './layerWeights';
import { validTensorName } from './names';
import {
  translateConv,
  translateConvTranspose,
  translateGlobalPool,
  translatePool,
} from './translateWindowOps';
import { translateGemm, translateMatMul } from './translateDense';
import { translateResize } from './translateResize';
import {
  translateChannelPick,
  translateChannelShuffle,
  translateSlice,
  translateSplitPart,
} from './translateChannelOps';
import { CHANNEL_SHUFFLE_OP, INTERNAL_DOMAIN } from './channelShuffle';
import { CHANNEL_PICK_OP, GELU_OP, MATMUL_ADD_OP } from './fuseDecomposedOps';
import { translateGelu, translateLayerNorm } from './translateNormalization';
import {
  translateActivation,
  translateArithmetic,
  translateBatchNorm,
} from './translateElementwise';
import {
  translateConcat,
  translatePad,
  translateReduceMean,
  translateReshapeLike,
  translateTranspose,
} from './translateShapeOps';

const TRANSLATORS: Record<string, Translator> = {
  Conv: translateConv,
  ConvTranspose: translateConvTranspose,
  MaxPool: translatePool,
  AveragePool: translatePool,
  GlobalAveragePool: translateGlobalPool,
  GlobalMaxPool: translateGlobalPool,
  Gemm: translateGemm,
  MatMul: translateMatMul,
  Relu: translateActivation,
  LeakyRelu: translateActivation,
  Elu: translateActivation,
  Sigmoid: translateActivation,
  Tanh: translateActivation,
  HardSigmoid: translateActivation,
  HardSwish: translateActivation,
  Clip: translateActivation,
  Softmax: translateActivation,
  BatchNormalization: translateBatchNorm,
  Add: translateArithmetic,
  Sub: translateArithmetic,
  Mul: translateArithmetic,
  Div: translateArithmetic,
  Flatten: translateReshapeLike,
  Reshape: translateReshapeLike,
  Squeeze: translateReshapeLike,
  Unsqueeze: translateReshapeLike,
  Transpose: translateTranspose,
  Concat: translateConcat,
  Pad: translatePad,
  ReduceMean: translateReduceMean,
  Resize: translateResize,
  Slice: translateSlice,
  Split: translateSplitPart,
  LayerNormalization: translateLayerNorm,
};

/** Nodes the folding makes of several ONNX nodes (domain INTERNAL_DOMAIN). */
const FOLDED_TRANSLATORS: Record<string, Translator> = {
  [CHANNEL_SHUFFLE_OP]: translateChannelShuffle,
  [GELU_OP]: translateGelu,
  [MATMUL_ADD_OP]: translateMatMul,
  [CHANNEL_PICK_OP]: translateChannelPick,
};

export const SUPPORTED_OPS = Object.keys(TRANSLATORS);

/** Where an ONNX value is in the built model, and how to read it back in ONNX layout. */
export interface ValueLocation {
  layer: string;
  layout: StoredLayout;
  shape: number[];
  flattenedFrom?: [number, number, number];
}

export interface BuiltModel {
  model: tfType.LayersModel;
  /** Every computed ONNX value held by a layer's output (aliases point at the same layer). */
  values: Map<string, ValueLocation>;
}

export interface BuildOptions {
  /** Called after each node's layers are made with their weights (progress on large files). */
  onNode?: (done: number, total: number) => void;
}

export function buildLayersModel(
  tf: TfNamespace,
  graph: FoldedGraph,
  options: BuildOptions = {},
): BuiltModel {
  const custom = customLayers(tf);
  const [, channels, height, width] = graph.input.shape;
  const input = tf.input({
    shape: [height, width, channels],
    name: validTensorName(graph.input.name),
  });
  const built = new Map<string, BuiltValue>([
    [
      graph.input.name,
      { tensor: input, shape: graph.input.shape, layout: 'nhwc', nonNegative: false },
    ],
  ]);
  // Layers get their weights as they are made: if a later node is refused, they are freed.
  const weighted: tfType.layers.Layer[] = [];
  let model: tfType.LayersModel;
  try {
    graph.nodes.forEach((node, index) => {
      const translators = { '': TRANSLATORS, [INTERNAL_DOMAIN]: FOLDED_TRANSLATORS }[node.domain];
      const translate =
        translators && Object.hasOwn(translators, node.opType)
          ? translators[node.opType]
          : undefined;
      if (!translate) {
        throw nodeError(node, graph.opset, 'this op is not supported by the ONNX import.');
      }
      const result = translate(contextFor(tf, custom, graph, node, built, weighted));
      built.set(node.outputs[0], result);
      options.onNode?.(index + 1, graph.nodes.length);
    });
    const outputs = graph.outputs.map((o) => built.get(o.name));
    if (outputs.some((o) => !o))
      throw new Error(`${graph.file}: a graph output is not computed by any node.`);
    model = tf.model({
      inputs: input,
      outputs: outputs.map((o) => o!.tensor),
      name: modelName(graph),
    });
  } catch (error) {
    for (const layer of weighted) for (const w of layer.weights) w.dispose();
    throw error;
  }
  const values = new Map<string, ValueLocation>();
  for (const [name, value] of built) {
    const layer = value.tensor.sourceLayer.name;
    values.set(name, {
      layer,
      layout: value.layout,
      shape: value.shape,
      flattenedFrom: value.flattenedFrom,
    });
  }
  return { model, values };
}

function modelName(graph: FoldedGraph): string {
  const base = graph.file.split(/[\\/]/).pop() ?? 'model';
  return base.replace(/\.onnx$/i, '').replace(/[^A-Za-z0-9_.-]/g, '_') || 'onnx_model';
}

function contextFor(
  tf: TfNamespace,
  custom: ReturnType<typeof customLayers>,
  graph: FoldedGraph,
  node: GraphNode,
  built: Map<string, BuiltValue>,
  weighted: tfType.layers.Layer[],
): TranslationContext {
  const fail = (detail: string) => nodeError(node, graph.opset, detail);
  return {
    tf,
    custom,
    graph,
    node,
    fail,
    value(i) {
      const value = built.get(node.inputs[i]);
      if (!value)
        throw fail(`input ${i} ('${node.inputs[i]}') must be a computed tensor, not a constant.`);
      return value;
    },
    constant(i) {
      return node.inputs[i] ? graph.constants.get(node.inputs[i]) : undefined;
    },
    requireConstant(i, what) {
      const c = node.inputs[i] ? graph.constants.get(node.inputs[i]) : undefined;
      if (!c) throw fail(`its ${what} (input ${i}) must be constant initializers.`);
      return c;
    },
    apply(layer, inputs) {
      return layer.apply(inputs) as tfType.SymbolicTensor;
    },
    layerName(suffix) {
      return suffix ? `${node.name}.${suffix}` : node.name;
    },
    setWeights(layer, make) {
      weighted.push(layer);
      buildWithWeights(layer, make);
    },
  };
}
