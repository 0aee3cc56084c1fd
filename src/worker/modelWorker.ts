/**
 * The worker thread that runs user model files. Whatever a model file does (loops forever, throws,
 * allocates without end), it does it here: the host can terminate this thread and start a new one,
 * and VS Code stays responsive.
 */
import { parentPort } from 'node:worker_threads';
import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { InspectorError, formatLocation, serializeError } from '../analysis/errors';
import { userFrame } from '../analysis/model/userStack';
import { isWasmFailure, wasmOutOfMemoryError } from '../analysis/wasmFailure';
import { loadRuntime } from '../analysis/runtime';
import { InspectionSession, type ProgressReporter } from '../analysis/inspectionSession';
import type { EngineOptions } from '../analysis/engines/chooseEngine';
import type {
  ModelRef,
  WorkerConfig,
  WorkerRequest,
  WorkerResponse,
  WorkerResults,
} from '../protocol/worker/workerProtocol';
import type { ExplainRequest } from '../protocol/worker/explainProtocol';
import type { ClassExplainRequest } from '../protocol/worker/classExplainProtocol';
import type { GalleryRequest } from '../protocol/worker/galleryProtocol';
import { runGalleryTask } from './galleryTasks';
import { runExplainTask } from './explainTasks';
import { decodeBudget, nativeCallCounter, reportFootprint } from './workerMemory';
import { countNativeCallsIn } from '../analysis/engines/nativeCalls';
import { runClassExplainTask } from './classExplainTasks';

process.setSourceMapsEnabled(true); // stack traces of model files point at their .ts lines
// The user's line can sit below many frames of tfjs and its wasm kernels (10 by default).
Error.stackTraceLimit = 64;

interface OpenModel {
  session: InspectionSession;
  /** mtime of every input and weights file when it was built: a save anywhere means a rebuild. */
  stamps: Map<string, number>;
  inputSource?: string;
}

// The host stops this thread only when no ONNX Runtime call is in flight (see nativeCalls.ts).
countNativeCallsIn(nativeCallCounter());

const MAX_OPEN_MODELS = 3;
const openModels = new Map<string, OpenModel>();

function keyOf(ref: ModelRef): string {
  return `${ref.file}#${ref.exportName ?? ''}`;
}

function post(message: WorkerResponse, transfer: ArrayBuffer[] = []): void {
  parentPort!.postMessage(message, transfer);
}

async function stampsOf(files: string[]): Promise<Map<string, number>> {
  const stamps = new Map<string, number>();
  for (const file of files) {
    stamps.set(
      file,
      await stat(file).then(
        (s) => s.mtimeMs,
        () => -1,
      ),
    );
  }
  return stamps;
}

async function isStale(open: OpenModel): Promise<boolean> {
  const now = await stampsOf([...open.stamps.keys()]);
  return [...now].some(([file, mtime]) => open.stamps.get(file) !== mtime);
}

/** The engine the config asks for; threads absent or 0: the default (one per core, at most 4). */
function engineOptions(config: WorkerConfig): EngineOptions {
  const memory = decodeBudget(); // the thread's limit: ONNX Runtime's memory is checked against it
  return {
    engine: config.engine,
    ...(config.engineThreads ? { threads: config.engineThreads } : {}),
    ...(memory ? { memory } : {}),
  };
}

async function openModel(
  config: WorkerConfig,
  ref: ModelRef,
  reload: boolean,
  progress: ProgressReporter,
): Promise<OpenModel> {
  const key = keyOf(ref);
  const existing = openModels.get(key);
  if (existing && !reload && !(await isStale(existing))) {
    // cnnInspector.engineThreads changed: a new engine for the same model, the image run again.
    if (await existing.session.changeEngine(engineOptions(config)))
      existing.inputSource = undefined;
    return existing;
  }
  if (existing) {
    openModels.delete(key);
    existing.session.dispose();
  }
  progress(`Loading TensorFlow.js (${config.backend} backend)`);
  const runtime = await loadRuntime(config.backend, {
    searchDirs: config.searchDirs,
    wasmThreads: config.wasmThreads,
  });
  const session = await InspectionSession.open(
    runtime,
    ref.file,
    ref.exportName,
    progress,
    engineOptions(config),
  );
  const watched = [...session.inputs, ...session.dataFiles];
  const open: OpenModel = { session, stamps: await stampsOf(watched) };
  openModels.set(key, open);
  while (openModels.size > MAX_OPEN_MODELS) {
    const [oldestKey, oldest] = openModels.entries().next().value!;
    openModels.delete(oldestKey);
    oldest.session.dispose();
  }
  return open;
}

async function ensureImage(
  config: WorkerConfig,
  open: OpenModel,
  inputSource: string,
  progress: (m: string) => void,
): Promise<void> {
  if (open.inputSource === inputSource && open.session.currentImage) return;
  await open.session.runInput(
    inputSource,
    { maxMegapixels: config.maxImageMegapixels, memory: decodeBudget() },
    progress,
  );
  open.inputSource = inputSource;
}

type RequestType = WorkerRequest['type'];
type RequestOf<T extends RequestType> = Extract<WorkerRequest, { type: T }>;

/** A request's answer; the buffers in `transfer` move to the host instead of being copied. */
interface Answer {
  result: WorkerResults[RequestType];
  transfer?: ArrayBuffer[];
}

type Handler<T extends RequestType> = (
  request: RequestOf<T>,
  progress: ProgressReporter,
) => Promise<Answer>;

async function loadModelAnswer(
  request: RequestOf<'loadModel'>,
  progress: ProgressReporter,
): Promise<Answer> {
  const open = await openModel(request.config, request.model, request.reload, progress);
  const runtime = await loadRuntime(request.config.backend);
  const { session } = open;
  return {
    result: {
      summary: session.summary,
      backend: session.backend,
      backendNotes: [...runtime.notes, ...session.engineNotes],
      ...(session.engineFallbackReason ? { engineFallback: session.engineFallbackReason } : {}),
      inputs: session.inputs,
      structure: session.structure,
      ...(session.structureError ? { structureError: session.structureError } : {}),
    },
  };
}

async function runInputAnswer(
  request: RequestOf<'runInput'>,
  progress: ProgressReporter,
): Promise<Answer> {
  const open = await openModel(request.config, request.model, false, progress);
  open.inputSource = undefined;
  await ensureImage(request.config, open, request.inputSource, progress);
  const image = open.session.currentImage!;
  // A copy, so the session keeps its own pixels when the copy's buffer is transferred.
  const rgba = image.input.rgba.slice();
  return { result: { ...image, input: { ...image.input, rgba } }, transfer: [rgba.buffer] };
}

/** The model opened with the request's input run through it (if it was not the last one run). */
async function sessionWithInput(
  request: { config: WorkerConfig; model: ModelRef; inputSource: string },
  progress: ProgressReporter,
): Promise<InspectionSession> {
  const open = await openModel(request.config, request.model, false, progress);
  await ensureImage(request.config, open, request.inputSource, progress);
  return open.session;
}

async function getLayerAnswer(
  request: RequestOf<'getLayer'>,
  progress: ProgressReporter,
): Promise<Answer> {
  const layer = (await sessionWithInput(request, progress)).layer(request.layerName);
  const data = layer.data.slice();
  return { result: { ...layer, data }, transfer: [data.buffer as ArrayBuffer] };
}

async function explainAnswer(request: ExplainRequest, progress: ProgressReporter): Promise<Answer> {
  return runExplainTask(request, await sessionWithInput(request, progress));
}

async function classExplainAnswer(
  request: ClassExplainRequest,
  progress: ProgressReporter,
): Promise<Answer> {
  const session = await sessionWithInput(request, progress);
  return { result: await runClassExplainTask(request, session, progress) };
}

function galleryAnswer(request: GalleryRequest, progress: ProgressReporter): Promise<Answer> {
  const { config, model } = request;
  return runGalleryTask(
    request,
    {
      session: async (p) => (await openModel(config, model, false, p)).session,
      ensureImage: (inputSource, p) => sessionWithInput({ config, model, inputSource }, p),
    },
    progress,
  );
}

/** One handler per request type: a type added to the protocol without one does not compile. */
const HANDLERS: { [T in RequestType]: Handler<T> } = {
  loadModel: loadModelAnswer,
  runInput: runInputAnswer,
  getLayer: getLayerAnswer,
  explainArithmetic: explainAnswer,
  explainProjections: explainAnswer,
  explainFilters: explainAnswer,
  classGradCam: classExplainAnswer,
  classOcclusion: classExplainAnswer,
  classIntegratedGradients: classExplainAnswer,
  visualizeUnit: classExplainAnswer,
  galleryInfo: galleryAnswer,
  galleryShard: galleryAnswer,
  imageGallery: galleryAnswer,
  galleryCrops: galleryAnswer,
};

async function handle(request: WorkerRequest): Promise<void> {
  const progress: ProgressReporter = (message, built) =>
    post({ id: request.id, type: 'progress', message, ...(built ? { built } : {}) });
  // The table is keyed by the request's type, so its handler takes this request.
  const handler = HANDLERS[request.type] as Handler<RequestType>;
  const { result, transfer } = await handler(request, progress);
  post({ id: request.id, type: 'result', result }, transfer);
}

function whatFailed(request: WorkerRequest): string {
  if (request.type === 'loadModel') return 'while loading';
  return 'inputSource' in request ? `while running on ${request.inputSource}` : 'while running';
}

/**
 * After a WebAssembly failure the module's memory is garbage: the error is reported as running out
 * of memory, and the host replaces this thread (nothing else runs here until it does).
 */
let poisoned: InspectorError | undefined;

function fail(request: WorkerRequest, error: unknown): void {
  if (!isWasmFailure(error)) {
    post({ id: request.id, type: 'error', error: serializeError(error) });
    return;
  }
  poisoned = wasmOutOfMemoryError(error, request.model.file, whatFailed(request));
  post({ id: request.id, type: 'error', error: serializeError(poisoned), fatal: true });
}

/** The model file of the request being handled: `process.exit` names it. */
let currentModelFile: string | undefined;

/**
 * `process.exit()` in a model file would end this thread with nothing but an exit code. It throws
 * instead, naming the file and the line that called it (the request fails like any error in the
 * model's code, and the thread lives on).
 */
process.exit = ((code?: number | string | null) => {
  const file = currentModelFile;
  const location = file ? userFrame(new Error().stack, dirname(file)) : undefined;
  const where = location ? formatLocation(location) : (file ?? 'A model file');
  throw new InspectorError(
    'runtime',
    `${where}: the model file called process.exit(${code ?? ''}), which would stop the model worker; throw an error instead.`,
    location,
  );
}) as typeof process.exit;

// One request at a time: tfjs is not re-entrant, and the host serialises requests anyway.
let queue = Promise.resolve();
parentPort!.on('message', (request: WorkerRequest) => {
  queue = queue.then(() => {
    if (poisoned) {
      const error = new InspectorError(
        'worker',
        `The model worker is being replaced after an earlier failure (${poisoned.message}); try again.`,
      );
      post({ id: request.id, type: 'error', error: serializeError(error), fatal: true });
      return;
    }
    const stopReports = reportFootprint((bytes) => post({ type: 'footprint', bytes }));
    currentModelFile = request.model.file;
    return handle(request)
      .catch((error) => fail(request, error))
      .finally(stopReports);
  });
});
