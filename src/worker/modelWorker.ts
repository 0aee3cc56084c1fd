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
} from '../protocol/worker/workerProtocol';
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

async function handle(request: WorkerRequest): Promise<void> {
  const progress: ProgressReporter = (message, built) =>
    post({ id: request.id, type: 'progress', message, ...(built ? { built } : {}) });
  switch (request.type) {
    case 'loadModel': {
      const open = await openModel(request.config, request.model, request.reload, progress);
      const runtime = await loadRuntime(request.config.backend);
      post({
        id: request.id,
        type: 'result',
        result: {
          summary: open.session.summary,
          backend: open.session.backend,
          backendNotes: [...runtime.notes, ...open.session.engineNotes],
          ...(open.session.engineFallbackReason
            ? { engineFallback: open.session.engineFallbackReason }
            : {}),
          inputs: open.session.inputs,
          structure: open.session.structure,
          ...(open.session.structureError ? { structureError: open.session.structureError } : {}),
        },
      });
      return;
    }
    case 'runInput': {
      const open = await openModel(request.config, request.model, false, progress);
      open.inputSource = undefined;
      await ensureImage(request.config, open, request.inputSource, progress);
      const image = open.session.currentImage!;
      // A copy, so the session keeps its own pixels when the copy's buffer is transferred.
      const rgba = image.input.rgba.slice();
      post(
        { id: request.id, type: 'result', result: { ...image, input: { ...image.input, rgba } } },
        [rgba.buffer as ArrayBuffer],
      );
      return;
    }
    case 'getLayer': {
      const open = await openModel(request.config, request.model, false, progress);
      await ensureImage(request.config, open, request.inputSource, progress);
      const layer = open.session.layer(request.layerName);
      const data = layer.data.slice();
      post({ id: request.id, type: 'result', result: { ...layer, data } }, [
        data.buffer as ArrayBuffer,
      ]);
      return;
    }
    case 'explainArithmetic':
    case 'explainProjections':
    case 'explainFilters': {
      const open = await openModel(request.config, request.model, false, progress);
      await ensureImage(request.config, open, request.inputSource, progress);
      const { result, transfer } = runExplainTask(request, open.session);
      post({ id: request.id, type: 'result', result }, transfer);
      return;
    }
    case 'classGradCam':
    case 'classOcclusion':
    case 'classIntegratedGradients':
    case 'visualizeUnit': {
      const open = await openModel(request.config, request.model, false, progress);
      await ensureImage(request.config, open, request.inputSource, progress);
      const result = await runClassExplainTask(request, open.session, progress);
      post({ id: request.id, type: 'result', result });
      return;
    }
    case 'galleryInfo':
    case 'galleryShard':
    case 'imageGallery':
    case 'galleryCrops': {
      const { config, model } = request;
      const { result, transfer } = await runGalleryTask(
        request,
        {
          session: async (p) => (await openModel(config, model, false, p)).session,
          ensureImage: async (inputSource, p) => {
            const open = await openModel(config, model, false, p);
            await ensureImage(config, open, inputSource, p);
            return open.session;
          },
        },
        progress,
      );
      post({ id: request.id, type: 'result', result }, transfer);
      return;
    }
  }
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
