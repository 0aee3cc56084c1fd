/**
 * Messages between the extension host (or CLI) and the model worker thread.
 * Every request carries an id; the worker answers with exactly one `result` or `error` for it,
 * and any number of `progress` messages before that. Typed arrays travel as transferables.
 */
import type { SerializedError } from '../../analysis/errors';
import type { BackendName } from '../../analysis/runtime';
import type { ModelSummary } from '../../analysis/modelSummary';
import type { LayerActivation } from '../../analysis/activations';
import type { ImageResult } from '../../analysis/inspectionSession';
import type { ModelStructure } from '../../analysis/structure/modelStructure';
import type { GalleryRequest, GalleryResults } from './galleryProtocol';
import type { ExplainRequest, ExplainResults } from './explainProtocol';
import type { ClassExplainRequest, ClassExplainResults } from './classExplainProtocol';
import type { ModelRef, WorkerConfig } from './workerConfig';

export type { ModelRef, WorkerConfig, WorkerMemoryData } from './workerConfig';

/** `inputSource`: an image file, a 1-D signal file (.csv, .json) or a `synthetic:` signal. */
export type WorkerRequest =
  | { id: number; type: 'loadModel'; config: WorkerConfig; model: ModelRef; reload: boolean }
  | { id: number; type: 'runInput'; config: WorkerConfig; model: ModelRef; inputSource: string }
  | {
      id: number;
      type: 'getLayer';
      config: WorkerConfig;
      model: ModelRef;
      inputSource: string;
      layerName: string;
    }
  | GalleryRequest
  | ExplainRequest
  | ClassExplainRequest;

export interface LoadedModel {
  summary: ModelSummary;
  /** What computes the activations: ONNX Runtime or the TensorFlow.js backend. */
  backend: BackendName;
  backendNotes: string[];
  /** ONNX Runtime was wanted but cannot run this model: why (the model runs on TensorFlow.js). */
  engineFallback?: string;
  /** Files the model was built from: the host watches them. */
  inputs: string[];
  /** Geometry, parameter/compute counts and receptive fields, computed once per loaded model. */
  structure: ModelStructure | null;
  /** Why `structure` is null. */
  structureError?: string;
}

export interface WorkerResults extends GalleryResults, ExplainResults, ClassExplainResults {
  loadModel: LoadedModel;
  runInput: ImageResult;
  getLayer: LayerActivation;
}

export type WorkerResponse =
  /** `built`: the model's layers, once opening it has built it (see ProgressReporter). */
  | { id: number; type: 'progress'; message: string; built?: ModelSummary }
  /** Heap + external memory (typed arrays, buffers, wasm) of the worker, for the host's watchdog. */
  | { type: 'footprint'; bytes: number }
  | { id: number; type: 'result'; result: WorkerResults[WorkerRequest['type']] }
  | {
      id: number;
      type: 'error';
      error: SerializedError;
      /** The thread cannot be trusted any more (a WebAssembly failure): the host replaces it. */
      fatal?: boolean;
    };

/** Distributes Omit over the union, so each request keeps its own fields. */
export type RequestWithoutId<T = WorkerRequest> = T extends WorkerRequest ? Omit<T, 'id'> : never;
