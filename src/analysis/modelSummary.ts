/** The model facts the panel's layer list and the report need, as plain serialisable data. */
import type * as tfType from '@tensorflow/tfjs';
import { InspectorError } from './errors';
import type { LayerCreationSite } from './model/layerCreationSites';

/** How a layer's output is laid out, from its rank: a map [h, w, c], a sequence [steps, c], a vector. */
export type OutputLayout = 'spatial' | 'sequence' | 'vector' | 'other';

export interface LayerSummary {
  name: string;
  className: string;
  /** Output shape without the batch dimension; null entries are free sizes. */
  outputShape: (number | null)[];
  layout: OutputLayout;
  params: { trainable: number; nonTrainable: number };
}

export interface ModelSummary {
  file: string;
  exportName: string;
  modelName: string;
  /** Input shape without the batch dimension. */
  inputShape: (number | null)[];
  layers: LayerSummary[];
  labels?: string[];
  totalParams: number;
  /** Per layer name: where the model file created the layer (absent for layers loaded from JSON). */
  creationSites?: Record<string, LayerCreationSite>;
}

export function layoutOfShape(shape: readonly (number | null)[]): OutputLayout {
  if (shape.length === 3) return 'spatial';
  if (shape.length === 2) return 'sequence';
  if (shape.length === 1) return 'vector';
  return 'other';
}

/** Layers whose outputs the inspector shows: every layer except the input placeholders. */
export function inspectableLayers(model: tfType.LayersModel): tfType.layers.Layer[] {
  return model.layers.filter((layer) => layer.getClassName() !== 'InputLayer');
}

export function firstOutputShape(layer: tfType.layers.Layer): (number | null)[] {
  const shape = layer.outputShape as (number | null)[] | (number | null)[][];
  const single = Array.isArray(shape[0]) ? (shape[0] as (number | null)[]) : shape;
  return (single as (number | null)[]).slice(1);
}

function countWeights(weights: tfType.LayerVariable[]): number {
  return weights.reduce((sum, w) => sum + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0);
}

export function summarizeModel(
  model: tfType.LayersModel,
  file: string,
  exportName: string,
  labels?: string[],
): ModelSummary {
  if (model.inputs.length !== 1) {
    throw new InspectorError(
      'not-an-image-model',
      `${file}: model '${exportName}' has ${model.inputs.length} inputs; CNN Inspector shows models with one input.`,
    );
  }
  const layers = inspectableLayers(model).map((layer): LayerSummary => {
    const outputShape = firstOutputShape(layer);
    return {
      name: layer.name,
      className: layer.getClassName(),
      outputShape,
      layout: layoutOfShape(outputShape),
      params: {
        trainable: countWeights(layer.trainableWeights),
        nonTrainable: countWeights(layer.nonTrainableWeights),
      },
    };
  });
  return {
    file,
    exportName,
    modelName: model.name,
    inputShape: model.inputs[0].shape.slice(1),
    layers,
    labels,
    totalParams: layers.reduce((s, l) => s + l.params.trainable + l.params.nonTrainable, 0),
  };
}
