// Steps of opening an InspectionSession: the opened model's summary, and what its native engine
// is chosen from (kept so that the engine can be chosen again when its options change).
import type * as tfType from '@tensorflow/tfjs';
import { dirname } from 'node:path';
import type { EngineOptions, ModelIdentity } from './engines/chooseEngine';
import { declaredInputShape } from './model/modelInputs';
import type { OpenedModel } from './model/openModel';
import { userFilePredicate } from './model/layerCreationSites';
import { assertNoEmptyOutputs } from './model/emptyOutputs';
import { summarizeModel, type ModelSummary } from './modelSummary';

/** The opened model's summary with the layers' creation sites; refuses layers with empty outputs. */
export function summarizeOpened(opened: OpenedModel, modelFile: string): ModelSummary {
  const { module, model, resolvedName } = opened;
  const summary = summarizeModel(model, modelFile, resolvedName, module.labels);
  summary.creationSites = module.layerSites.sitesOf(
    model.layers,
    userFilePredicate(dirname(modelFile), opened.inputs),
  );
  try {
    assertNoEmptyOutputs(model, summary);
  } catch (error) {
    model.dispose(); // the session is never made: free the weights now
    throw error;
  }
  return summary;
}

export function engineSourceOf(
  tf: typeof tfType,
  opened: OpenedModel,
  summary: ModelSummary,
  modelFile: string,
  options: EngineOptions,
): EngineSource {
  return {
    model: opened.model,
    inputShape: declaredInputShape(summary.inputShape, opened.module.inputSize),
    identity: {
      bundleHash: opened.hash,
      exportName: opened.resolvedName,
      dataFiles: opened.dataFiles,
      tf,
      file: modelFile,
    },
    options,
  };
}

/** What a native engine is chosen from: the built model, its input shape and identity, the options. */
export interface EngineSource {
  model: tfType.LayersModel;
  inputShape: (number | null)[];
  identity: ModelIdentity;
  options: EngineOptions;
}
