/**
 * Runs one forward pass and reads back every layer's output (batch 1), so that switching layers
 * in the panel costs nothing. Tensors are disposed as soon as their values are on the JS side.
 */
import type * as tfType from '@tensorflow/tfjs';
import { InspectorError } from './errors';
import { inspectableLayers } from './modelSummary';

export interface LayerActivation {
  name: string;
  /** Without the batch dimension, e.g. [h, w, c], [steps, c] or [units]. */
  shape: number[];
  data: Float32Array;
  min: number;
  max: number;
}

/** A model whose outputs are every inspectable layer's output; built once per model. */
export function buildActivationModel(
  tf: typeof tfType,
  model: tfType.LayersModel,
): { probe: tfType.LayersModel; layerNames: string[] } {
  const layers = inspectableLayers(model);
  const outputs = layers.map((layer) => {
    const output = layer.inboundNodes.length > 1 ? layer.getOutputAt(0) : layer.output;
    if (Array.isArray(output)) {
      throw new InspectorError(
        'layer',
        `Layer '${layer.name}' (${layer.getClassName()}) has ${output.length} outputs; CNN Inspector shows layers with one output.`,
      );
    }
    return output as tfType.SymbolicTensor;
  });
  const probe = tf.model({ inputs: model.inputs, outputs, name: `${model.name}_probe` });
  return { probe, layerNames: layers.map((l) => l.name) };
}

export async function computeActivations(
  tf: typeof tfType,
  probe: tfType.LayersModel,
  layerNames: string[],
  input: tfType.Tensor,
): Promise<Map<string, LayerActivation>> {
  const predicted = tf.tidy(() => {
    const out = probe.predict(input);
    return Array.isArray(out) ? out : [out];
  });
  const result = new Map<string, LayerActivation>();
  try {
    for (let i = 0; i < predicted.length; i++) {
      const tensor = predicted[i];
      const data = (await tensor.data()) as Float32Array;
      result.set(layerNames[i], {
        name: layerNames[i],
        shape: tensor.shape.slice(1),
        data: data instanceof Float32Array ? data : Float32Array.from(data),
        ...range(data),
      });
    }
  } finally {
    tf.dispose(predicted);
  }
  return result;
}

export function range(data: ArrayLike<number>): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return data.length ? { min, max } : { min: 0, max: 0 };
}
