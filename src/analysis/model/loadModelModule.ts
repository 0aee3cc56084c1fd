/**
 * Runs a bundled model file and finds the models it exports.
 *
 * Contract (documented in the README): a model file exports a `tf.LayersModel`, or a function (sync
 * or async) returning one, as the default export or as named exports. Reserved optional exports:
 * `preprocess(image) => tensor`, `labels: string[]`, `inputSize: [height, width]`,
 * `channelOrder: 'rgb' | 'bgr'` (the colour order of the model input's channels).
 */
import { rmSync } from 'node:fs';
import { threadId } from 'node:worker_threads';
import { basename, dirname } from 'node:path';
import type * as tfType from '@tensorflow/tfjs';
import { InspectorError, formatLocation } from '../errors';
import { API_GLOBAL, RUNTIME_GLOBAL, type ModelBundle } from './bundleModelFile';
import { writeBundle } from './bundleFolder';
import { modelFileApi } from './onnxModels';
import { userFrame, trimStack } from './userStack';
import { runtimeForModelFile } from './runtimeForModelFile';
import { LayerSiteRecorder } from './layerCreationSites';
import { CHANNEL_ORDERS, type ChannelOrder } from '../explain/channelOrder';
import type { ModelModule, Preprocess } from './modelModule';
import { isWasmFailure, wasmOutOfMemoryError } from '../wasmFailure';

export const RESERVED_EXPORTS = new Set([
  'preprocess',
  'labels',
  'inputSize',
  'channelOrder',
  '__esModule',
]);

export type { ModelModule, Preprocess } from './modelModule';

let bundleCounter = 0;

export function evaluateModelBundle(
  tf: typeof tfType,
  modelFile: string,
  bundle: ModelBundle,
): ModelModule {
  // A fresh name each time: Node caches modules and their source maps by path.
  // Worker threads share the process's folder: the thread id keeps their files apart.
  const name = `${basename(modelFile)}.${threadId}.${++bundleCounter}.cjs`;
  const bundlePath = writeBundle(name, bundle.code);
  const layerSites = new LayerSiteRecorder();
  (globalThis as Record<string, unknown>)[RUNTIME_GLOBAL] = runtimeForModelFile(
    tf,
    modelFile,
    layerSites,
  );
  (globalThis as Record<string, unknown>)[API_GLOBAL] = modelFileApi(tf, modelFile);
  let exports: Record<string, unknown>;
  let bundleModule: NodeJS.Module | undefined;
  try {
    // A real require (not eval) so Node applies the bundle's source map to stack traces.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    exports = require(bundlePath) as Record<string, unknown>;
  } catch (error) {
    throw userCodeError(error, modelFile, 'while loading');
  } finally {
    bundleModule = forgetModule(bundlePath);
    rmSync(bundlePath, { force: true });
  }
  return {
    file: modelFile,
    exports,
    preprocess: optionalFunction(exports.preprocess, 'preprocess', modelFile) as Preprocess,
    labels: optionalLabels(exports.labels, modelFile),
    inputSize: optionalInputSize(exports.inputSize, modelFile),
    channelOrder: optionalChannelOrder(exports.channelOrder, modelFile),
    layerSites,
    bundleModule,
  };
}

/**
 * Drops every reference Node's loader keeps to a required bundle: the cache entry, and the entry
 * in the requiring module's `children`, which would otherwise keep each bundle's code, exports and
 * source map alive after its session is gone (0.15 MB a load; re-run on save loads on every save).
 * Returns the Module for the caller to hold while the model is in use.
 */
function forgetModule(path: string): NodeJS.Module | undefined {
  const loaded = require.cache[path];
  delete require.cache[path];
  const children = module.children;
  for (let i = children.length - 1; i >= 0; i--) {
    if (children[i].filename === path) children.splice(i, 1);
  }
  return loaded;
}

/** Export names that may hold models: default first, then alphabetical (stable across edits). */
export function modelExportNames(module: ModelModule): string[] {
  const names = Object.keys(module.exports).filter((n) => !RESERVED_EXPORTS.has(n));
  return names.sort((a, b) => (a === 'default' ? -1 : b === 'default' ? 1 : a.localeCompare(b)));
}

export function isLayersModel(value: unknown): value is tfType.LayersModel {
  const v = value as tfType.LayersModel | undefined;
  return (
    !!v &&
    typeof v === 'object' &&
    Array.isArray(v.layers) &&
    Array.isArray(v.inputs) &&
    typeof v.predict === 'function'
  );
}

export async function resolveModel(
  module: ModelModule,
  exportName: string | undefined,
): Promise<{ model: tfType.LayersModel; exportName: string }> {
  const candidates = modelExportNames(module);
  const name = exportName ?? candidates[0];
  if (!name) {
    throw new InspectorError(
      'no-model',
      `${module.file}: exports no model. Export a tf.LayersModel or a function that returns one (default or named export).`,
    );
  }
  if (!(name in module.exports) || RESERVED_EXPORTS.has(name)) {
    const list = candidates.length ? candidates.join(', ') : 'none';
    throw new InspectorError(
      'export-not-found',
      `${module.file}: has no model export named '${name}' (model exports: ${list}).`,
    );
  }
  let value = module.exports[name];
  if (typeof value === 'function') {
    try {
      value = await (value as () => unknown)();
    } catch (error) {
      throw userCodeError(error, module.file, `in export '${name}'`);
    }
  }
  if (!isLayersModel(value)) {
    throw new InspectorError(
      'no-model',
      `${module.file}: export '${name}' ${typeof module.exports[name] === 'function' ? 'returned' : 'is'} ${describe(value)}, not a tf.LayersModel.`,
    );
  }
  return { model: value, exportName: name };
}

export function userCodeError(error: unknown, modelFile: string, when: string): InspectorError {
  if (error instanceof InspectorError) return error;
  const err = error instanceof Error ? error : new Error(String(error));
  const location = userFrame(err.stack, dirname(modelFile));
  if (isWasmFailure(error)) {
    return wasmOutOfMemoryError(error, modelFile, when, location, trimStack(err.stack));
  }
  const where = location ? formatLocation(location) : modelFile;
  return new InspectorError(
    'runtime',
    `${where}: ${err.name === 'Error' ? '' : `${err.name}: `}${err.message} (thrown ${when})`,
    location,
    trimStack(err.stack),
  );
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'object') return `an object (${value.constructor?.name ?? 'Object'})`;
  return `a ${typeof value}`;
}

function optionalFunction(value: unknown, name: string, file: string): unknown {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') {
    throw new InspectorError('usage', `${file}: export '${name}' must be a function.`);
  }
  return value;
}

function optionalLabels(value: unknown, file: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new InspectorError('usage', `${file}: export 'labels' must be an array of strings.`);
  }
  return value;
}

function optionalInputSize(value: unknown, file: string): [number, number] | undefined {
  if (value === undefined) return undefined;
  const ok =
    Array.isArray(value) &&
    value.length === 2 &&
    value.every((v) => Number.isInteger(v) && v > 0 && v <= 8192);
  if (!ok) {
    throw new InspectorError(
      'usage',
      `${file}: export 'inputSize' must be [height, width] with positive integers.`,
    );
  }
  return value as [number, number];
}

function optionalChannelOrder(value: unknown, file: string): ChannelOrder | undefined {
  if (value === undefined) return undefined;
  if (!CHANNEL_ORDERS.includes(value as ChannelOrder)) {
    throw new InspectorError(
      'usage',
      `${file}: export 'channelOrder' must be 'rgb' or 'bgr', not ${JSON.stringify(value)}.`,
    );
  }
  return value as ChannelOrder;
}
