/**
 * What ONNX Runtime will hold for a model, checked before the engine is built. Its memory is
 * native (outside V8's heap), so the worker's resourceLimits do not cover it and the host's
 * watchdog sees it only once it is allocated; a model too large for the limit is refused here,
 * with the figures and the setting to change.
 */
import type * as tfType from '@tensorflow/tfjs';
import { InspectorError } from '../errors';
import { inspectableLayers } from '../modelSummary';
import type { MemoryBudget } from '../image/decodeImage';

const MB = 1024 * 1024;

export interface NativeMemoryEstimate {
  /** The weights, once (ONNX Runtime's copy; TensorFlow.js keeps its own, already counted). */
  weightsBytes: number;
  /** Every exposed layer's output, twice (the graph's channels-first value and the copy read back). */
  activationsBytes: number;
}

/** `inputShape` without batch; free sizes of a layer's output are taken as the input's. */
export function estimateNativeMemory(
  model: tfType.LayersModel,
  inputShape: number[],
  batch = 1,
): NativeMemoryEstimate {
  const elements = (shape: number[]) => shape.reduce((n, d) => n * d, 1);
  const weightsBytes = model.weights.reduce((sum, w) => sum + elements(w.shape as number[]) * 4, 0);
  let outputs = 0;
  for (const layer of inspectableLayers(model)) {
    const shape = layer.outputShape;
    if (!Array.isArray(shape) || Array.isArray(shape[0])) continue;
    const dims = (shape as (number | null)[]).slice(1).map((d, i) => d ?? inputShape[i] ?? 1);
    outputs += elements(dims);
  }
  return { weightsBytes, activationsBytes: outputs * 4 * 2 * batch };
}

/**
 * Throws (out-of-memory) when the estimate does not fit in what the worker's limit leaves; the
 * message names the model file, the export, the figures and where the limit is set.
 */
export function checkNativeMemory(
  estimate: NativeMemoryEstimate,
  budget: MemoryBudget,
  model: { file: string; exportName: string },
): void {
  const needed = estimate.weightsBytes + estimate.activationsBytes;
  const used = budget.usedBytes();
  const left = budget.limitBytes - used;
  if (needed <= left) return;
  throw new InspectorError(
    'out-of-memory',
    `${model.file}: model '${model.exportName}' on ONNX Runtime needs about ${size(needed)} (weights ${size(estimate.weightsBytes)}, activations ${size(estimate.activationsBytes)}) beside the ${size(used)} the model worker holds, more than its memory limit of ${size(budget.limitBytes)}${budget.hint ? ` (${budget.hint})` : ''}. Raise the limit, or run it on TensorFlow.js (cnnInspector.engine: tfjs).`,
  );
}

/** Bytes in MB, or in KB below 1 MB (a small model's figures are not all 0 MB). */
function size(bytes: number): string {
  const n = Math.max(0, bytes);
  return n < MB ? `${Math.ceil(n / 1024)} KB` : `${Math.round(n / MB)} MB`;
}
