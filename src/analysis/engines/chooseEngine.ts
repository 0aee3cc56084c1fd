/**
 * Which engine computes a model's activations: ONNX Runtime when it loads and can express the
 * model (setting `cnnInspector.engine`: auto | onnxruntime | tfjs), else TensorFlow.js, with the
 * reason. The explanation methods (gradients) always run on TensorFlow.js.
 */
import { stat } from 'node:fs/promises';
import type * as tfType from '@tensorflow/tfjs';
import { UntranslatableLayer } from './layerTranslation';
import { NativeLayersEngine, type ActivationInput } from './nativeLayersEngine';
import { NativeOnnxEngine, onnxSourceOf } from './nativeOnnxEngine';
import type { LayerActivation } from '../activations';
import { defaultOrtThreads, loadOnnxRuntime } from './onnxRuntime';
import { acquireEngine, releaseEngine, weightsFingerprint } from './engineCache';
import { checkNativeMemory, estimateNativeMemory } from './nativeMemory';
import type { MemoryBudget } from '../image/decodeImage';

export type EnginePreference = 'auto' | 'onnxruntime' | 'tfjs';
export const ENGINE_PREFERENCES: EnginePreference[] = ['auto', 'onnxruntime', 'tfjs'];

/** A native engine: every inspectable layer's output for an input, from one warm session. */
export interface ActivationEngine {
  /** Every inspectable layer's output, or only those of `layers` (a gallery reads one). */
  run(input: ActivationInput, layers?: string[]): Promise<Map<string, LayerActivation>>;
  /** Several images ([n, ...]) in one call, one map per image (translated models: any batch). */
  runBatch?(input: ActivationInput, layers?: string[]): Promise<Map<string, LayerActivation>[]>;
  dispose(): Promise<void>;
}

export interface EngineChoice {
  native?: ActivationEngine;
  /** Hands the native engine back to the warm-engine cache (the session is done with it). */
  release?: () => Promise<void>;
  /** Why the model runs where it runs (shown in the status bar's tooltip, the panel and the log). */
  notes: string[];
  /** Set when ONNX Runtime was wanted but cannot run this model: the one-line reason. */
  fallbackReason?: string;
}

export interface EngineOptions {
  engine?: EnginePreference;
  /** ONNX Runtime intra-op threads (default: one per core, at most 4). */
  threads?: number;
  /** The worker's memory limit: a model whose native engine would not fit is refused (nativeMemory). */
  memory?: MemoryBudget;
}

/** What the model was built from: with it, an unchanged model gets its warm engine back. */
export interface ModelIdentity {
  bundleHash: string;
  exportName: string;
  /** Files the weights were loaded from (model.json, weight files): their size and time count. */
  dataFiles?: string[];
  /** The TensorFlow.js that built the model: it reads the sample of the weights for the key. */
  tf: typeof tfType;
  /** The model file, for messages. */
  file: string;
}

/** Everything a native engine's numbers depend on (see engineCache.ts), without reading every weight. */
async function engineKey(
  model: tfType.LayersModel,
  identity: ModelIdentity,
  inputShape: number[],
  threads: number,
): Promise<string> {
  const common = `${identity.bundleHash}|${identity.exportName}|${threads}`;
  const source = onnxSourceOf(model);
  if (source) {
    // The file's own graph and weights run: the file is what must not have changed.
    return `onnx|${common}|${await fileStamp(source.file)}`;
  }
  const files = await Promise.all((identity.dataFiles ?? []).map(fileStamp));
  return `layers|${common}|${inputShape.join('x')}|${files.join(';')}|${weightsFingerprint(identity.tf, model)}`;
}

/** A file's path, size and modification time (a file gone: its path alone). */
async function fileStamp(file: string): Promise<string> {
  return stat(file).then(
    ({ size, mtimeMs }) => `${file}:${size}:${mtimeMs}`,
    () => file,
  );
}

export async function chooseEngine(
  model: tfType.LayersModel,
  inputShape: (number | null)[],
  options: EngineOptions,
  identity?: ModelIdentity,
): Promise<EngineChoice> {
  const preference = options.engine ?? 'tfjs';
  if (preference === 'tfjs') {
    return { notes: ['Activations on TensorFlow.js (setting cnnInspector.engine is tfjs).'] };
  }
  const fallback = (reason: string): EngineChoice => ({
    notes: [`${reason}: activations on TensorFlow.js.`],
    fallbackReason: reason,
  });
  const { ort, error } = loadOnnxRuntime();
  if (!ort) return fallback(error!);
  if (inputShape.some((d) => !d)) {
    return fallback('ONNX Runtime needs a fixed input size (export inputSize = [height, width])');
  }
  const threads = options.threads ?? defaultOrtThreads();
  if (options.memory) {
    const estimate = estimateNativeMemory(model, inputShape as number[]);
    checkNativeMemory(estimate, options.memory, {
      file: identity?.file ?? model.name,
      exportName: identity?.exportName ?? model.name,
    });
  }
  try {
    const source = onnxSourceOf(model);
    const build = (): Promise<ActivationEngine> =>
      source
        ? NativeOnnxEngine.create(ort, model, source, threads)
        : NativeLayersEngine.create(ort, model, inputShape as number[], { threads });
    let native: ActivationEngine;
    let release: (() => Promise<void>) | undefined;
    if (identity) {
      const key = await engineKey(model, identity, inputShape as number[], threads);
      native = await acquireEngine(key, build);
      release = () => releaseEngine(key);
    } else {
      native = await build();
      release = () => native.dispose();
    }
    const graph = source ? ", the file's own graph" : '';
    return {
      native,
      release,
      notes: [`Activations on ONNX Runtime${graph} (${threads} threads).`],
    };
  } catch (error) {
    if (error instanceof UntranslatableLayer) {
      return fallback(`ONNX Runtime cannot run this model: ${error.message}`);
    }
    const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return fallback(`ONNX Runtime failed to prepare this model (${why})`);
  }
}
