/**
 * Opening a model file: a TypeScript model file is bundled and run, a bare .onnx file imported.
 * Either way the result is a tf.LayersModel with the module's declarations around it.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { TfRuntime } from '../runtime';
import { bundleModelFile } from './bundleModelFile';
import { evaluateModelBundle, resolveModel, type ModelModule } from './loadModelModule';
import { recordFilesRead, registerFileSystemRouter } from './fileSystemIO';
import { isOnnxFile, openBareOnnxFile } from './onnxModels';

export interface OpenedModel {
  module: ModelModule;
  model: tfType.LayersModel;
  resolvedName: string;
  hash: string;
  /** The files the model was built from (the bundle's inputs, or the .onnx file). */
  inputs: string[];
  /** Files the model file loaded through TensorFlow.js's `file://` handler (model.json, weights). */
  dataFiles: string[];
}

let fileRouterRegistered = false;

export async function openModel(
  runtime: TfRuntime,
  modelFile: string,
  exportName: string | undefined,
  progress: (message: string) => void,
): Promise<OpenedModel> {
  const { tf } = runtime;
  if (runtime.backend !== 'tensorflow' && !fileRouterRegistered) {
    registerFileSystemRouter(tf); // tfjs-node brings its own file:// handler
    fileRouterRegistered = true;
  }
  return isOnnxFile(modelFile)
    ? openOnnx(tf, modelFile, progress)
    : openModelFile(tf, modelFile, exportName, progress);
}

async function openModelFile(
  tf: typeof tfType,
  modelFile: string,
  exportName: string | undefined,
  progress: (message: string) => void,
): Promise<OpenedModel> {
  progress(`Bundling ${modelFile}`);
  const bundle = await bundleModelFile(modelFile);
  progress('Running the model file');
  const module = evaluateModelBundle(tf, modelFile, bundle);
  progress('Building the model and loading weights');
  const { result, files } = await recordFilesRead(() => resolveModel(module, exportName));
  const { model, exportName: resolvedName } = result;
  return {
    module,
    model,
    resolvedName,
    hash: bundle.hash,
    inputs: bundle.inputs,
    dataFiles: files,
  };
}

async function openOnnx(
  tf: typeof tfType,
  modelFile: string,
  progress: (message: string) => void,
): Promise<OpenedModel> {
  progress(`Importing ${modelFile}`);
  const { module, model, hash } = await openBareOnnxFile(tf, modelFile, (step, fraction) =>
    progress(`${step} (${Math.round(fraction * 100)}%)`),
  );
  return { module, model, resolvedName: 'default', hash, inputs: [modelFile], dataFiles: [] };
}
