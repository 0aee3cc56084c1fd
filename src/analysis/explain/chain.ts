// The layers from the model input to one layer, with the values that entered each layer in the
// forward pass. A plain stack of layers is a chain; a network with branches (ResNet's Add,
// Inception's Concatenate) is the graph of every layer the target depends on, in an order where
// each layer comes after the layers that feed it, so the backward pass can sum the branches.
import type * as tfType from '@tensorflow/tfjs';
import { layerSpecOf } from './layerSpec';
import { NotInvertibleError, type ChainStep } from './projection';
import type { ArrayND } from './types';

type Layer = tfType.layers.Layer;

const inboundOf = (layer: Layer): Layer[] => layer.inboundNodes[0]?.inboundLayers ?? [];

/**
 * The layers `layerName` depends on, itself last, each after the layers that feed it (the
 * input layer left out). NotInvertibleError for a layer fed by nothing, or a second model input.
 */
export function layersTo(model: tfType.LayersModel, layerName: string): Layer[] {
  const order: Layer[] = [];
  const seen = new Set<Layer>();
  if (model.inputs.length > 1) {
    const second = model.inputs[1].sourceLayer;
    throw new NotInvertibleError(
      second.name,
      second.getClassName(),
      `it is a second model input (the model has ${model.inputs.length}); explanations follow one input`,
    );
  }
  const visit = (layer: Layer) => {
    if (seen.has(layer)) return;
    seen.add(layer);
    if (layer.getClassName() === 'InputLayer') return;
    const inbound = inboundOf(layer);
    if (inbound.length === 0)
      throw new NotInvertibleError(layer.name, layer.getClassName(), 'it has no inbound layer');
    inbound.forEach(visit);
    order.push(layer);
  };
  visit(model.getLayer(layerName));
  return order;
}

/** For each layer of `layers` (from layersTo), the indices of the layers that feed it (-1: the model input). */
export function sourceIndices(layers: Layer[]): number[][] {
  const index = new Map(layers.map((l, i) => [l, i]));
  return layers.map((layer) => inboundOf(layer).map((l) => index.get(l) ?? -1));
}

/** Whether every layer is fed by the one before it (the first by the input): no `sources` needed. */
const isChain = (sources: number[][]) => sources.every((s, i) => s.length === 1 && s[0] === i - 1);

/**
 * ChainSteps for `layers` (from layersTo) given a forward pass: `outputOf(i)` is the output of
 * layer i, `modelInput` what entered the model.
 */
export function stepsOf(
  layers: Layer[],
  specs: ReturnType<typeof layerSpecOf>[],
  sources: number[][],
  modelInput: ArrayND,
  outputOf: (i: number) => ArrayND,
): ChainStep[] {
  const chain = isChain(sources);
  const valueOf = (i: number) => (i < 0 ? modelInput : outputOf(i));
  return layers.map((_, i) => {
    const inputs = sources[i].map(valueOf);
    return {
      spec: specs[i],
      input: inputs[0],
      outputShape: outputOf(i).shape,
      ...(chain ? {} : { sources: sources[i] }),
      ...(inputs.length > 1 ? { inputs } : {}),
    };
  });
}

/**
 * ChainSteps for `layers` (from layersTo) given the forward pass: `outputOf(name)` is a layer's
 * output, `modelInput` what entered the first layer.
 */
export function chainSteps(
  layers: Layer[],
  modelInput: ArrayND,
  outputOf: (name: string) => ArrayND,
): ChainStep[] {
  return stepsOf(
    layers,
    layers.map((l) => layerSpecOf(l)),
    sourceIndices(layers),
    modelInput,
    (i) => outputOf(layers[i].name),
  );
}
