/**
 * The TensorFlow.js namespace a model file sees: the real runtime, except that
 * `tf.loadLayersModel('file://./x/model.json')` resolves relative paths against the model file's
 * folder (tfjs-node would use the process's working directory, which means nothing in an editor)
 * and are read by {@link fileSystemLoadHandler}, and, given a recorder, `tf.layers.*` factories remember where each layer was created.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as tfType from '@tensorflow/tfjs';
import type { LayerSiteRecorder } from './layerCreationSites';
import { FILE_SCHEME, filePathFromUrl, fileSystemLoadHandler } from './fileSystemIO';

/**
 * A relative `file://./x` URL as an absolute, properly encoded `file:///...` URL: the model file's
 * folder may hold '%', '#' or spaces, which the loader's one decoding must give back as they are.
 */
export function resolveFileUrl(url: unknown, modelFile: string): unknown {
  if (typeof url !== 'string' || !url.startsWith('file://')) return url;
  const rest = url.slice('file://'.length);
  if (isAbsolute(rest)) return url;
  let path = rest;
  try {
    path = decodeURI(rest); // `file://./my%20weights/model.json` names 'my weights'
  } catch {
    // a lone '%' in the user's relative path: taken as written
  }
  return pathToFileURL(resolve(dirname(modelFile), path)).href;
}

export function runtimeForModelFile(
  tf: typeof tfType,
  modelFile: string,
  sites?: LayerSiteRecorder,
): typeof tfType {
  const loadLayersModel: typeof tf.loadLayersModel = (pathOrIOHandler, options) => {
    const resolved = resolveFileUrl(pathOrIOHandler, modelFile) as typeof pathOrIOHandler;
    // Files are read by this extension's loader on every backend (tfjs-node brings its own, which
    // follows weight paths out of the model's folder).
    const source =
      typeof resolved === 'string' && resolved.startsWith(FILE_SCHEME)
        ? fileSystemLoadHandler(filePathFromUrl(resolved))
        : resolved;
    return tf.loadLayersModel(source, options);
  };
  const loadGraphModel: typeof tf.loadGraphModel = (modelUrl, options) =>
    tf.loadGraphModel(resolveFileUrl(modelUrl, modelFile) as typeof modelUrl, options);
  // A plain object copy: module namespaces are frozen. `default` lets `import tf from ...` work.
  const namespace = { ...tf, loadLayersModel, loadGraphModel } as Record<string, unknown>;
  if (sites) namespace.layers = sites.wrapLayers(tf.layers);
  namespace.default = namespace;
  return namespace as unknown as typeof tfType;
}
