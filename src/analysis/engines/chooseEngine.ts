/**
 * Which engine computes a model's activations: ONNX Runtime when it loads and can express the
 * model (setting `cnnInspector.engine`: auto | onnxruntime | tfjs), else TensorFlow.js, with the
 * reason. The explanation methods (gradients) always run on TensorFlow.js.
 */
import type * as tfType from '@tensorflow/tfjs';
import { UntranslatableLayer } from './layerTranslation';
import { NativeLayersEngine, type ActivationInput } from './nativeLayersEngine';
import { NativeOnnxEngine, onnxSourceOf } from './nativeOnnxEngine';
import type { LayerActivation } from '../activations';
import { defaultOrtThreads, loadOnnxRuntime } from './onnxRuntime';

export type EnginePreference = 'auto' | 'onnxruntime' | 'tfjs';
export const ENGINE_PREFERENCES: EnginePreference[] = ['auto', 'onnxruntime', 'tfjs'];

/** A native engine: every inspectable layer's output for an input, from one warm session. */
export interface ActivationEngine {
  run(input: ActivationInput): Promise<Map<string, LayerActivation>>;
  dispose(): Promise<void>;
}

export interface EngineChoice {
  native?: ActivationEngine;
  /** Why the model runs where it runs (shown in the status bar's tooltip, the panel and the log). */
  notes: string[];
  /** Set when ONNX Runtime was wanted but cannot run this model: the one-line reason. */
  fallbackReason?: string;
}

export interface EngineOptions {
  engine?: EnginePreference;
  /** ONNX Runtime intra-op threads (default: one per core, at most 4). */
  threads?: number;
}

export async function chooseEngine(
  model: tfType.LayersModel,
  inputShape: (number | null)[],
  options: EngineOptions,
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
  try {
    const source = onnxSourceOf(model);
    if (source) {
      const native = await NativeOnnxEngine.create(ort, model, source, threads);
      return {
        native,
        notes: [`Activations on ONNX Runtime, the file's own graph (${threads} threads).`],
      };
    }
    const native = await NativeLayersEngine.create(ort, model, inputShape as number[], { threads });
    return { native, notes: [`Activations on ONNX Runtime (${threads} threads).`] };
  } catch (error) {
    if (error instanceof UntranslatableLayer) {
      return fallback(`ONNX Runtime cannot run this model: ${error.message}`);
    }
    const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return fallback(`ONNX Runtime failed to prepare this model (${why})`);
  }
}
