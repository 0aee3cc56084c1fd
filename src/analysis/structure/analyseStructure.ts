import type * as tfType from '@tensorflow/tfjs';
import { errorMessage } from '../errors';
import type { ModelSummary } from '../modelSummary';
import { extractLayerGraph } from './index';
import { describeStructure, type ModelStructure } from './modelStructure';

/**
 * Structure of the model at the input size it declares. Pure arithmetic on the layer configs: a
 * layer this analysis trips over must not stop the model from loading, so failures become a reason.
 */
export function analyseStructure(
  model: tfType.LayersModel,
  summary: ModelSummary,
): { structure: ModelStructure | null; structureError?: string } {
  try {
    const names = summary.layers.map((l) => l.name);
    return { structure: describeStructure(extractLayerGraph(model), names) };
  } catch (error) {
    return {
      structure: null,
      structureError: `structure analysis failed: ${errorMessage(error)}`,
    };
  }
}
