// Loads and saves TF.js Layers models as `model.json` + binary weight files on disk.
// tfjs-node brings its own `file://` handler, but it cannot install everywhere; this one needs only
// Node's fs, so the wasm and cpu backends can read the same files. The handlers use no TF.js code at
// run time; only the router needs the caller's tf namespace (the one whose registry is used).
import type * as tfTypes from '@tensorflow/tfjs';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileReadError, readRegularFile } from '../regularFile';

type IOHandler = tfTypes.io.IOHandler;
type ModelArtifacts = tfTypes.io.ModelArtifacts;
type ModelJSON = tfTypes.io.ModelJSON;
type WeightsManifestEntry = tfTypes.io.WeightsManifestEntry;
type WeightsManifestConfig = tfTypes.io.WeightsManifestConfig;
type SaveResult = tfTypes.io.SaveResult;
type ModelArtifactsInfo = tfTypes.io.ModelArtifactsInfo;

export const FILE_SCHEME = 'file://';
export const MODEL_JSON_NAME = 'model.json';
export const WEIGHTS_BIN_NAME = 'weights.bin';

const BYTES_PER_ELEMENT: Record<string, number> = {
  float32: 4,
  int32: 4,
  bool: 1,
  uint8: 1,
  uint16: 2,
  float16: 2,
};

/** Turns `file:///abs/model.json` or `file://./rel/model.json` into a path (relative: from cwd). */
export function filePathFromUrl(url: string): string {
  if (!url.startsWith(FILE_SCHEME)) throw new Error(`Not a file:// URL: ${url}`);
  // fileURLToPath handles percent-escapes and Windows drive letters, but rejects `file://./x`.
  if (url.startsWith(`${FILE_SCHEME}/`)) return fileURLToPath(url);
  return resolve(url.slice(FILE_SCHEME.length));
}

function concatBuffers(buffers: ArrayBuffer[]): ArrayBuffer {
  const total = buffers.reduce((sum, b) => sum + b.byteLength, 0);
  const joined = new Uint8Array(total);
  let offset = 0;
  for (const b of buffers) {
    joined.set(new Uint8Array(b), offset);
    offset += b.byteLength;
  }
  return joined.buffer;
}

/** Bytes a weight group must hold, or undefined when a string tensor makes it unknowable. */
function expectedGroupBytes(weights: WeightsManifestEntry[]): number | undefined {
  let total = 0;
  for (const w of weights) {
    const dtype = w.quantization?.dtype ?? w.dtype;
    const size = BYTES_PER_ELEMENT[dtype];
    if (size === undefined) return undefined;
    total += w.shape.reduce((n, d) => n * d, 1) * size;
  }
  return total;
}

/** A model.json is text; no real one comes near this. */
const MAX_MODEL_JSON_BYTES = 512 * 1024 * 1024;
/** A weight file is read whole into memory; the worker's memory limit applies on top. */
const MAX_WEIGHT_FILE_BYTES = 2 ** 32;

/** Files read by these handlers while a `recordFilesRead` call runs (requests run one at a time). */
let readLog: Set<string> | undefined;

/**
 * Runs `load` and lists the files the handlers read meanwhile (a model's model.json and weights):
 * their size and modification time tell a warm engine whether the weights it holds are still the
 * file's, without hashing the values.
 */
export async function recordFilesRead<T>(
  load: () => Promise<T>,
): Promise<{ result: T; files: string[] }> {
  const outer = readLog;
  const log = new Set<string>();
  readLog = log;
  try {
    return { result: await load(), files: [...log] };
  } finally {
    readLog = outer;
    for (const file of log) outer?.add(file); // a nested load's files are the outer's too
  }
}

async function readJson(path: string): Promise<unknown> {
  readLog?.add(path);
  let text: string;
  try {
    text = (await readRegularFile(path, { maxBytes: MAX_MODEL_JSON_BYTES })).toString('utf8');
  } catch (err) {
    throw new Error(`Cannot read model file ${path}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`Model file ${path} is not valid JSON: ${(err as Error).message}`);
  }
}

function checkModelJson(json: unknown, path: string): ModelJSON {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new Error(`Model file ${path} does not hold a JSON object`);
  }
  const model = json as Partial<ModelJSON>;
  if (typeof model.modelTopology !== 'object' || model.modelTopology === null) {
    throw new Error(`Model file ${path} has no modelTopology`);
  }
  if (!Array.isArray(model.weightsManifest)) {
    throw new Error(`Model file ${path} has no weightsManifest list`);
  }
  model.weightsManifest.forEach((group, i) => {
    if (!Array.isArray(group?.paths) || !Array.isArray(group?.weights)) {
      throw new Error(
        `Model file ${path}: weightsManifest[${i}] needs "paths" and "weights" lists`,
      );
    }
  });
  return model as ModelJSON;
}

/**
 * A weight path of the manifest as a file inside the model's folder: a `model.json` from elsewhere
 * must not make the loader read other files (`"../../.ssh/id_rsa"`) as weights. The check is on the
 * path's text, so weights stored as symlinks (git-annex, DVC) still load.
 */
function weightFile(modelJsonPath: string, modelDir: string, path: unknown, where: string): string {
  const file = typeof path === 'string' ? resolve(modelDir, path) : '';
  const inside = relative(modelDir, file);
  if (
    typeof path !== 'string' ||
    path === '' ||
    path.includes('\0') ||
    isAbsolute(path) ||
    inside === '' ||
    inside.split(sep)[0] === '..' ||
    isAbsolute(inside)
  ) {
    throw new Error(
      `Model file ${modelJsonPath}: ${where} ${JSON.stringify(path)} is not a file inside the model's folder ${modelDir}; weight files must be there, named relative to model.json`,
    );
  }
  return file;
}

/**
 * The weight groups' bytes, in order. Files are read only when they are regular files (a named
 * pipe would block the read until the timeout, a device never end): see regularFile.ts.
 */
async function readWeightGroups(
  manifest: WeightsManifestConfig,
  modelJsonPath: string,
): Promise<ArrayBuffer> {
  const modelDir = dirname(modelJsonPath);
  const buffers: ArrayBuffer[] = [];
  for (const [g, group] of manifest.entries()) {
    const files = group.paths.map((p, i) =>
      weightFile(modelJsonPath, modelDir, p, `weightsManifest[${g}].paths[${i}]`),
    );
    let groupBytes = 0;
    for (const file of files) {
      readLog?.add(file);
      let data: Buffer;
      try {
        data = await readRegularFile(file, { maxBytes: MAX_WEIGHT_FILE_BYTES });
      } catch (error) {
        if (error instanceof FileReadError && error.code === 'ENOENT')
          throw new Error(`Weights file ${file} is missing`);
        throw new Error(`Weights file ${file} cannot be read: ${(error as Error).message}`);
      }
      groupBytes += data.byteLength;
      buffers.push(new Uint8Array(data).buffer); // a copy of just these bytes, not the pool
    }
    const expected = expectedGroupBytes(group.weights);
    if (expected !== undefined && expected !== groupBytes) {
      throw new Error(
        `Weights file ${files.join(', ')} holds ${groupBytes} bytes but its manifest needs ${expected} bytes`,
      );
    }
  }
  return concatBuffers(buffers);
}

/** A tf.io handler that loads `model.json` and the weight files it lists (relative to it). */
export function fileSystemLoadHandler(modelJsonPath: string): IOHandler {
  const path = resolve(modelJsonPath);
  return {
    load: async (): Promise<ModelArtifacts> => {
      const model = checkModelJson(await readJson(path), path);
      const weightData = await readWeightGroups(model.weightsManifest, path);
      const { weightsManifest, ...rest } = model;
      return {
        ...rest,
        weightSpecs: weightsManifest.flatMap((g) => g.weights),
        weightData,
      };
    },
  };
}

function artifactsInfo(artifacts: ModelArtifacts, weightDataBytes: number): ModelArtifactsInfo {
  return {
    dateSaved: new Date(),
    modelTopologyType: 'JSON',
    modelTopologyBytes: Buffer.byteLength(JSON.stringify(artifacts.modelTopology ?? null), 'utf8'),
    weightSpecsBytes: Buffer.byteLength(JSON.stringify(artifacts.weightSpecs ?? []), 'utf8'),
    weightDataBytes,
  };
}

/** A tf.io handler that writes `model.json` and one `weights.bin` into `dir` (created if needed). */
export function fileSystemSaveHandler(dir: string): IOHandler {
  const folder = resolve(dir);
  return {
    save: async (artifacts: ModelArtifacts): Promise<SaveResult> => {
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw new Error(`Cannot save to ${folder}: binary model topologies are not supported`);
      }
      const data = artifacts.weightData;
      const weights =
        data === undefined ? new ArrayBuffer(0) : Array.isArray(data) ? concatBuffers(data) : data;
      const modelJson: ModelJSON = {
        modelTopology: artifacts.modelTopology as object,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: [WEIGHTS_BIN_NAME], weights: artifacts.weightSpecs ?? [] }],
      };
      if (artifacts.trainingConfig) modelJson.trainingConfig = artifacts.trainingConfig;
      if (artifacts.signature) modelJson.signature = artifacts.signature;
      if (artifacts.userDefinedMetadata)
        modelJson.userDefinedMetadata = artifacts.userDefinedMetadata;
      mkdirSync(folder, { recursive: true });
      writeFileSync(join(folder, WEIGHTS_BIN_NAME), new Uint8Array(weights));
      writeFileSync(join(folder, MODEL_JSON_NAME), JSON.stringify(modelJson));
      return { modelArtifactsInfo: artifactsInfo(artifacts, weights.byteLength) };
    },
  };
}

const registered = new WeakSet<object>();

/**
 * Lets `tf.loadLayersModel('file://…')` read from disk with this namespace's registry. Does nothing
 * when a `file://` handler already exists (tfjs-node's, or an earlier call), because TF.js refuses
 * to load when two handlers claim one URL.
 */
export function registerFileSystemRouter(tf: typeof tfTypes): boolean {
  if (registered.has(tf.io)) return false;
  if (tf.io.getLoadHandlers(`${FILE_SCHEME}/probe/${MODEL_JSON_NAME}`).length > 0) return false;
  const router = (url: string | string[]): IOHandler | null =>
    typeof url === 'string' && url.startsWith(FILE_SCHEME)
      ? fileSystemLoadHandler(filePathFromUrl(url))
      : null;
  // TF.js's IORouter type omits null, but its registry documents and skips null answers.
  tf.io.registerLoadRouter(router as (url: string | string[]) => IOHandler);
  registered.add(tf.io);
  return true;
}
