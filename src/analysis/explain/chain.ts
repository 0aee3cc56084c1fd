// The chain of layers from the model input to one layer, with the values that entered each layer
// in the forward pass. Projections follow a single chain: a layer fed by several layers (a merge)
// stops them, and says so.
import type * as tfType from '@tensorflow/tfjs';
import { layerSpecOf } from './layerSpec';
import { NotInvertibleError, type ChainStep } from './projection';
import type { ArrayND } from './types';

type Layer = tfType.layers.Layer;

/** Layers from the first after the input to `layerName`, in forward order. */
export function layersTo(model: tfType.LayersModel, layerName: string): Layer[] {
  const chain: Layer[] = [];
  let layer: Layer = model.getLayer(layerName);
  for (;;) {
    if (layer.getClassName() === 'InputLayer') break;
    chain.unshift(layer);
    const inbound = layer.inboundNodes[0]?.inboundLayers ?? [];
    if (inbound.length !== 1) {
      throw new NotInvertibleError(
        layer.name,
        layer.getClassName(),
        inbound.length === 0
          ? 'it has no inbound layer'
          : `it takes ${inbound.length} inputs (${inbound.map((l) => l.name).join(', ')}); projections follow a single chain of layers`,
      );
    }
    layer = inbound[0];
  }
  return chain;
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
  return layers.map((layer, i) => {
    const input = i === 0 ? modelInput : outputOf(layers[i - 1].name);
    return { spec: layerSpecOf(layer), input, outputShape: outputOf(layer.name).shape };
  });
}
