/**
 * ONNX files as models: a bare `.onnx` file opened directly, and `loadOnnxModel(path)` for model
 * files (`import { loadOnnxModel } from 'cnn-inspector'`, resolved by bundleModelFile like the
 * tfjs imports), which add labels and preprocessing. Relative paths are resolved against the
 * model file's folder.
 */
import { stat } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import type * as tfType from '@tensorflow/tfjs';
import type { TfNamespace } from '../runtime';
import { InspectorError } from '../errors';
import { loadOnnxFile, type OnnxLoadOptions } from '../onnx/loadOnnxModel';
import { LayerSiteRecorder } from './layerCreationSites';
import type { ModelModule } from './modelModule';

export { isOnnxFile } from './onnxFile';

/** What `import ... from 'cnn-inspector'` gives a model file. */
export interface ModelFileApi {
  loadOnnxModel(
    path: string,
    options?: { inputSize?: [number, number] },
  ): Promise<tfType.LayersModel>;
}

export function modelFileApi(
  tf: TfNamespace,
  modelFile: string,
  onProgress?: OnnxLoadOptions['onProgress'],
): ModelFileApi {
  return {
    async loadOnnxModel(path, options = {}) {
      if (typeof path !== 'string' || !path) {
        throw new InspectorError(
          'usage',
          `${modelFile}: loadOnnxModel needs the path of an .onnx file.`,
        );
      }
      const file = isAbsolute(path) ? path : resolve(dirname(modelFile), path);
      const loaded = await loadOnnxFile(tf, file, { inputSize: options.inputSize, onProgress });
      return loaded.model;
    },
  };
}

export interface OnnxModelFile {
  module: ModelModule;
  model: tfType.LayersModel;
  hash: string;
}

/** A bare .onnx file: documented defaults (input size from the graph, image / 255, no labels). */
export async function openBareOnnxFile(
  tf: TfNamespace,
  file: string,
  onProgress?: OnnxLoadOptions['onProgress'],
): Promise<OnnxModelFile> {
  const loaded = await loadOnnxFile(tf, file, { onProgress });
  const module: ModelModule = {
    file,
    exports: { default: loaded.model },
    layerSites: new LayerSiteRecorder(),
  };
  // Changes when the file is rewritten (the panel re-runs on change), without hashing 500 MB.
  const { size, mtimeMs } = await stat(file);
  const hash = `onnx:${size}:${mtimeMs}`;
  return { module, model: loaded.model, hash };
}
