/**
 * tf.LayersModel -> ONNX model bytes, for ONNX Runtime: the same computation, held channels-first
 * inside (NCHW / NCL), with every inspectable layer's output exposed as a graph output in Keras
 * channels-last order, so the views read them exactly as TensorFlow.js's activations.
 *
 * A layer without an exact translation throws UntranslatableLayer: the model then runs on
 * TensorFlow.js, and the reason is shown.
 */
import type * as tfType from '@tensorflow/tfjs';
import { inspectableLayers } from '../modelSummary';
import { OnnxGraphBuilder } from './onnxGraphBuilder';
import {
  asKerasLayout,
  fromKerasLayout,
  UntranslatableLayer,
  type LayerContext,
  type LayerTranslator,
  type OnnxValue,
} from './layerTranslation';
import {
  translateAvgPool,
  translateConv,
  translateDense,
  translateDepthwiseConv,
  translateGlobalAvgPool,
  translateGlobalMaxPool,
  translateMaxPool,
  translateSeparableConv,
} from './translateWindowLayers';
import {
  translateActivationLayer,
  translateAdd,
  translateAverage,
  translateBatchNorm,
  translateConcatenate,
  translateCropping,
  translateELU,
  translateFlatten,
  translateIdentity,
  translateLeakyReLU,
  translateMaximum,
  translateMinimum,
  translateMultiply,
  translatePermute,
  translateReLU,
  translateReshape,
  translateSoftmax,
  translateThresholdedReLU,
  translateUpSampling,
  translateZeroPadding,
} from './translateShapeLayers';
import { errorMessage } from '../errors';

const TRANSLATORS: Record<string, LayerTranslator> = {
  Conv1D: translateConv,
  Conv2D: translateConv,
  DepthwiseConv2D: translateDepthwiseConv,
  SeparableConv2D: translateSeparableConv,
  Dense: translateDense,
  MaxPooling1D: translateMaxPool,
  MaxPooling2D: translateMaxPool,
  AveragePooling1D: translateAvgPool,
  AveragePooling2D: translateAvgPool,
  GlobalMaxPooling1D: translateGlobalMaxPool,
  GlobalMaxPooling2D: translateGlobalMaxPool,
  GlobalAveragePooling1D: translateGlobalAvgPool,
  GlobalAveragePooling2D: translateGlobalAvgPool,
  BatchNormalization: translateBatchNorm,
  Activation: translateActivationLayer,
  ReLU: translateReLU,
  LeakyReLU: translateLeakyReLU,
  ELU: translateELU,
  ThresholdedReLU: translateThresholdedReLU,
  Softmax: translateSoftmax,
  Dropout: translateIdentity,
  SpatialDropout1D: translateIdentity,
  SpatialDropout2D: translateIdentity,
  GaussianNoise: translateIdentity,
  GaussianDropout: translateIdentity,
  AlphaDropout: translateIdentity,
  Flatten: translateFlatten,
  Reshape: translateReshape,
  Permute: translatePermute,
  ZeroPadding2D: translateZeroPadding,
  Cropping2D: translateCropping,
  UpSampling2D: translateUpSampling,
  Add: translateAdd,
  Multiply: translateMultiply,
  Average: translateAverage,
  Maximum: translateMaximum,
  Minimum: translateMinimum,
  Concatenate: translateConcatenate,
};

export const TRANSLATED_LAYER_CLASSES = Object.keys(TRANSLATORS);

/** The graph's batch size in its inputs and outputs: free (onnxGraphBuilder writes a dimParam). */
const FREE_BATCH = -1;

/** A weight's values as float32 (default: read from the backend; a caller may have read them). */
export type WeightReader = (variable: tfType.LayerVariable) => Float32Array;

export const readFromBackend: WeightReader = (variable) =>
  variable.read().dataSync() as Float32Array;

export interface OnnxTranslation {
  /** The graph, weights included: serialise it, or write it with its weights beside it. */
  graph: OnnxGraphBuilder;
  modelName: string;
  inputName: string;
  /** Keras input shape for one image, batch 1 (the graph takes any batch, channels-last). */
  inputShape: number[];
  /** Per inspectable layer, in model order: the graph output holding it, channels-last. */
  outputs: { layer: string; output: string; shape: number[] }[];
}

/** `inputShape` without batch: the model's own, or the run's when the model leaves sizes free. */
export function layersModelToOnnx(
  model: tfType.LayersModel,
  inputShape: number[],
  readWeight: WeightReader = readFromBackend,
): OnnxTranslation {
  if (model.inputs.length !== 1) {
    throw new UntranslatableLayer(model.name, 'Model', 'has several inputs.');
  }
  const b = new OnnxGraphBuilder();
  const input = model.inputs[0];
  const inputName = 'input';
  // The graph takes any batch (a gallery runs several images per call); the layers' shapes are
  // worked out for one image, and no node fixes the batch (Reshape keeps it with a 0).
  const kerasInput = [1, ...inputShape];
  b.addInput(inputName, [FREE_BATCH, ...inputShape]);
  const values = new Map<string, OnnxValue>();
  values.set(input.name, {
    name: fromKerasLayout(b, inputName, kerasInput.length, 'input'),
    shape: kerasInput,
  });
  const outputs: OnnxTranslation['outputs'] = [];
  const exposed = new Map<string, string>();
  for (const layer of inspectableLayers(model)) {
    const value = translateLayer(b, layer, values, readWeight);
    let output = exposed.get(value.name);
    if (!output) {
      // Rank 2 is already in Keras order; an Identity gives the output its own name anyway.
      output =
        value.shape.length < 3
          ? b.node('Identity', [value.name], `${layer.name}/out`)
          : asKerasLayout(b, value, `${layer.name}/out`);
      exposed.set(value.name, output);
      b.addOutput(output, [FREE_BATCH, ...value.shape.slice(1)]);
    }
    outputs.push({ layer: layer.name, output, shape: value.shape.slice(1) });
  }
  return { graph: b, modelName: model.name, inputName, inputShape: kerasInput, outputs };
}

type Refuse = (reason: string) => never;

function translateLayer(
  b: OnnxGraphBuilder,
  layer: tfType.layers.Layer,
  values: Map<string, OnnxValue>,
  readWeight: WeightReader,
): OnnxValue {
  const refuse: Refuse = (reason) => {
    throw new UntranslatableLayer(layer.name, layer.getClassName(), reason);
  };
  const translate = translatorOf(layer, refuse);
  const inputs = inputValues(layer, values, refuse);
  const outputShape = outputShapeOf(layer, inputs, refuse);
  const ctx = layerContext(b, layer, inputs, outputShape, readWeight, refuse);
  let name: string;
  try {
    name = translate(ctx);
  } catch (error) {
    if (error instanceof UntranslatableLayer) throw error;
    return refuse(`could not be translated: ${errorMessage(error)}`);
  }
  const value = { name, shape: outputShape };
  values.set((layer.output as tfType.SymbolicTensor).name, value);
  return value;
}

/** The layer's translator, when the layer is one the graph can compute exactly. */
function translatorOf(layer: tfType.layers.Layer, refuse: Refuse): LayerTranslator {
  const translate = TRANSLATORS[layer.getClassName()];
  if (!translate) refuse('has no translation to ONNX in the native engine.');
  if (layer.inboundNodes.length !== 1) refuse('is applied more than once (a shared layer).');
  if (layer.dtype && layer.dtype !== 'float32') refuse(`computes in ${layer.dtype}.`);
  return translate;
}

/** The values the layer reads, each translated from an earlier layer. */
function inputValues(
  layer: tfType.layers.Layer,
  values: Map<string, OnnxValue>,
  refuse: Refuse,
): OnnxValue[] {
  const symbolicInputs = ([] as tfType.SymbolicTensor[]).concat(
    layer.input as tfType.SymbolicTensor,
  );
  return symbolicInputs.map((t) => {
    const known = values.get(t.name);
    if (!known) refuse(`reads '${t.name}', which is not computed by an earlier layer.`);
    return known!;
  });
}

/** Keras output shape at batch 1: one output, every size known at this input size. */
function outputShapeOf(layer: tfType.layers.Layer, inputs: OnnxValue[], refuse: Refuse): number[] {
  const inputShapes = inputs.map((v) => v.shape);
  const computed = layer.computeOutputShape(
    inputShapes.length === 1 ? inputShapes[0] : inputShapes,
  );
  if (Array.isArray(computed[0])) refuse('has several outputs.');
  const outputShape = (computed as (number | null)[]).map((d, i) => (i === 0 ? 1 : d));
  if (outputShape.some((d) => d === null || d === undefined || d < 0)) {
    refuse(`has an output shape with free sizes (${JSON.stringify(computed)}).`);
  }
  return outputShape as number[];
}

function layerContext(
  b: OnnxGraphBuilder,
  layer: tfType.layers.Layer,
  inputs: OnnxValue[],
  outputShape: number[],
  readWeight: WeightReader,
  refuse: Refuse,
): LayerContext {
  // Each weight is read once, however often the translator asks for it.
  const weights = new Map<string, { values: Float32Array; shape: number[] }>();
  const weightOf = (suffix: string) => {
    const variable = layer.weights.find((w) => w.originalName.endsWith(`/${suffix}`));
    if (!variable) return undefined;
    if (!weights.has(suffix)) {
      weights.set(suffix, {
        values: readWeight(variable),
        shape: variable.shape as number[],
      });
    }
    return weights.get(suffix);
  };
  return {
    builder: b,
    layer,
    config: layer.getConfig() as Record<string, unknown>,
    inputs,
    outputShape,
    weight: weightOf,
    requireWeight(suffix) {
      return weightOf(suffix) ?? refuse(`has no '${suffix}' weight.`);
    },
    refuse,
    hint: layer.name,
  };
}
