/**
 * `cnn-inspector gallery <model.ts> --folder DIR [--layer L] [--shard i/n] --out FILE` and
 * `cnn-inspector merge part-*.json --out gallery.json`: the folder gallery and unit statistics
 * as a map/reduce that runs on one machine or as the tasks of a cluster job (README: "Dataset
 * passes"). Without --shard, `gallery` is the merge of its one part: the same bytes as merging
 * the parts of any split.
 */
import { parseArgs } from 'node:util';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { InspectorError } from '../analysis/errors';
import { DEFAULT_GALLERY_OPTIONS } from '../analysis/gallery/types';
import {
  galleryFileText,
  mergedGallery,
  parseShard,
  type GalleryPart,
} from '../analysis/gallery/galleryFile';
import { mergeParts, parsePart } from '../analysis/gallery/mergeParts';
import {
  CHECKPOINT_SECONDS,
  CLI_LIMIT_HINTS,
  DEFAULT_CLI_MEMORY_LIMIT_MB,
  MEMORY_LIMIT_MB,
  TIMEOUT_SECONDS,
  WORKERS,
  integerArgument,
  type IntegerRange,
} from './numericArguments';
import { checkOutputFile } from './outputFiles';
import { backendWarning } from './backendWarning';
import { engineConfig } from './engineArguments';
import { WorkerClient } from '../host/workerClient';
import { removeCheckpoint, runGalleryShard } from '../host/shardGallery';
import type { WorkerConfig } from '../protocol/worker/workerProtocol';
import { version } from '../../package.json';

export const GALLERY_USAGE = `Usage: cnn-inspector gallery <model.ts> --folder <dir> --out <file> [options]
       cnn-inspector merge <part.json>... --out <gallery.json>

gallery: the top-k patches of every unit of a layer over a folder of images, and each unit's
statistics (how often it is positive, mean, max, histogram). With --shard i/n it runs the i-th of
n slices of the folder's sorted file list and writes a part; merge combines the n parts into the
same file as one run without --shard.

Options of gallery:
  --folder <dir>        folder of PNG/JPEG images (sub-folders included) (required)
  --out <file>          the part (with --shard) or the gallery JSON to write (required)
  --layer <name|auto>   layer (default auto: pool5, else the last pooling layer, else the last conv)
  --shard <i/n>         run slice i of n (0 <= i < n), e.g. --shard "$JOB_COMPLETION_INDEX/8"
  --top-k <n>           patches kept per unit (default 9)
  --export <name>       model export to use (default: the default export, else the first)
  --workers <n>         worker threads (default: one per core; on ONNX Runtime one worker whose
                        threads use every core; 1-256)
  --checkpoint <file>   progress file, resumed when the run is restarted (default <out>.checkpoint)
  --checkpoint-every <seconds>  minimum time between progress saves (default 10, 0-86400)
  --backend <name>      auto | tensorflow | wasm | cpu (default auto): TensorFlow.js's backend
  --engine <name>       auto | onnxruntime | tfjs: what runs the model (default auto, or tfjs when
                        --backend names a TensorFlow.js backend)
  --threads <n>         WebAssembly threads per worker: 0 automatic (default), 1 single-threaded (0-8)
  --timeout <seconds>   stop a batch of images that takes longer (default 300, 1-86400)
  --memory-limit <MB>   memory of each worker (default 8192, 256-65536)
  --verbose             print progress`;

function usage(message: string): never {
  throw new InspectorError('usage', `${message}\n\n${GALLERY_USAGE}`);
}

/** Runs an argument check; its error becomes a usage error (exit 2). */
function orUsage<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    usage((error as Error).message);
  }
}

/** A numeric flag within its range, `fallback` when absent; a usage error (exit 2) otherwise. */
function wholeNumber(
  name: string,
  text: string | undefined,
  fallback: number,
  range: IntegerRange,
): number {
  return text === undefined ? fallback : orUsage(() => integerArgument(name, text, range));
}

const GALLERY_OPTIONS = {
  folder: { type: 'string' },
  out: { type: 'string' },
  layer: { type: 'string', default: 'auto' },
  shard: { type: 'string' },
  'top-k': { type: 'string' },
  export: { type: 'string' },
  workers: { type: 'string' },
  checkpoint: { type: 'string' },
  'checkpoint-every': { type: 'string' },
  backend: { type: 'string', default: 'auto' },
  engine: { type: 'string' },
  threads: { type: 'string', default: '0' },
  timeout: { type: 'string', default: '300' },
  'memory-limit': { type: 'string' },
  verbose: { type: 'boolean', default: false },
} as const;

type GalleryValues = ReturnType<typeof parseArgs<{ options: typeof GALLERY_OPTIONS }>>['values'];

/** Everything `gallery` was asked for, checked. */
interface GalleryCommandArguments {
  modelFile: string;
  exportName: string | undefined;
  folder: string;
  /** 'auto' or a layer name. */
  layer: string;
  /** Absent: the whole folder, written as a merged gallery (not a part). */
  shard: { index: number; count: number } | undefined;
  topK: number;
  /** Absent: the pool's default for the engine the model runs on (defaultGalleryWorkers). */
  workers: number | undefined;
  out: string;
  checkpointFile: string;
  checkpointEveryMs: number;
  timeoutMs: number;
  memoryLimitMb: number;
  config: WorkerConfig;
  verbose: boolean;
}

/** The command line checked, in the order its usage errors are reported. */
function galleryArguments(argv: string[]): GalleryCommandArguments {
  const { values, positionals } = orUsage(() =>
    parseArgs({ args: argv, allowPositionals: true, options: GALLERY_OPTIONS }),
  );
  if (positionals.length !== 1) usage('gallery needs one model file.');
  if (!values.folder) usage('gallery needs --folder <dir>.');
  if (!values.out) usage('gallery needs --out <file>.');
  const folder = resolve(values.folder);
  if (!existsSync(folder) || !statSync(folder).isDirectory())
    usage(`--folder ${folder}: not a folder.`);
  const modelFile = resolve(positionals[0]);
  if (!existsSync(modelFile)) throw new InspectorError('usage', `${modelFile}: no such file.`);
  const shard = values.shard === undefined ? undefined : orUsage(() => parseShard(values.shard!));
  const config = orUsage(() => engineConfig(values));
  const numbers = numericArguments(values);
  const out = resolve(values.out);
  orUsage(() => checkOutputFile('out', out));
  return {
    modelFile,
    exportName: values.export,
    folder,
    layer: values.layer,
    shard,
    ...numbers,
    out,
    checkpointFile: resolve(values.checkpoint ?? `${out}.checkpoint`),
    config,
    verbose: values.verbose,
  };
}

function numericArguments(values: GalleryValues) {
  const topK = wholeNumber('top-k', values['top-k'], DEFAULT_GALLERY_OPTIONS.topK, {
    min: 1,
    max: 1000,
  });
  const workers =
    values.workers === undefined ? undefined : wholeNumber('workers', values.workers, 1, WORKERS);
  const checkpointEveryMs =
    wholeNumber('checkpoint-every', values['checkpoint-every'], 10, CHECKPOINT_SECONDS) * 1000;
  const timeoutMs = wholeNumber('timeout', values.timeout, 300, TIMEOUT_SECONDS) * 1000;
  const memoryLimitMb = wholeNumber(
    'memory-limit',
    values['memory-limit'],
    DEFAULT_CLI_MEMORY_LIMIT_MB,
    MEMORY_LIMIT_MB,
  );
  return { topK, workers, checkpointEveryMs, timeoutMs, memoryLimitMb };
}

function say(line: string): void {
  process.stderr.write(`cnn-inspector: ${line}\n`);
}

export async function galleryCommand(argv: string[], workerScript: string): Promise<void> {
  const args = galleryArguments(argv);
  const { config, memoryLimitMb, timeoutMs, topK } = args;
  const model = { file: args.modelFile, exportName: args.exportName };
  // It loads the model for the key, then is the pool's first worker (the model loaded once).
  const client = new WorkerClient({ workerScript, memoryLimitMb, limitHints: CLI_LIMIT_HINTS });
  const { loaded, info } = await loadForKey(client, args);
  const warning = backendWarning(
    config.backend,
    loaded.backend,
    loaded.backendNotes,
    config.searchDirs,
  );
  if (warning) say(`warning: ${warning}`);
  if (config.engine === 'onnxruntime' && loaded.engineFallback)
    say(`warning: ${loaded.engineFallback}`);
  const started = Date.now();
  const options = { topK, nmsIoU: DEFAULT_GALLERY_OPTIONS.nmsIoU };
  const part: GalleryPart = await runGalleryShard({
    warmWorker: client,
    folder: args.folder,
    shard: args.shard ?? { index: 0, count: 1 },
    key: {
      tool: `cnn-inspector ${version}`,
      model: {
        file: basename(args.modelFile),
        exportName: loaded.summary.exportName,
        weightsHash: info.weightsHash,
        codeHash: info.bundleHash,
      },
      backend: loaded.backend,
      layer: info.layer,
      units: info.units,
      inputSize: [info.inputHeight, info.inputWidth],
      ...options,
    },
    model,
    config,
    options,
    timeoutMs,
    pool: { workerScript, memoryLimitMb, workers: args.workers, limitHints: CLI_LIMIT_HINTS },
    checkpointFile: args.checkpointFile,
    checkpointEveryMs: args.checkpointEveryMs,
    onProgress: args.verbose
      ? (p) => say(`${p.done}/${p.total} images, ${p.rate.toFixed(1)}/s`)
      : undefined,
    log: say,
  }).finally(() => client.dispose());
  writeFileSync(args.out, galleryFileText(args.shard ? part : mergedGallery(part, [part])));
  await removeCheckpoint(args.checkpointFile, say);
  say(
    `${summaryLine(part, args.shard)} in ${((Date.now() - started) / 1000).toFixed(1)} s, peak memory ${Math.round(process.resourceUsage().maxRSS / 1024)} MB; wrote ${args.out}`,
  );
}

/** Loads the model and asks for the gallery's layer and hashes; the client is disposed on failure. */
async function loadForKey(client: WorkerClient, args: GalleryCommandArguments) {
  const { config } = args;
  const model = { file: args.modelFile, exportName: args.exportName };
  const requestOptions = { timeoutMs: args.timeoutMs };
  try {
    const loaded = await client.request(
      { type: 'loadModel', config, model, reload: false },
      requestOptions,
    );
    const info = await client.request(
      {
        type: 'galleryInfo',
        config,
        model,
        ...(args.layer === 'auto' ? {} : { layer: args.layer }),
      },
      requestOptions,
    );
    return { loaded, info };
  } catch (error) {
    client.dispose();
    throw error;
  }
}

/** What the run covered: `[shard i/n: ]N images[ (k skipped)] of F, layer L on B`. */
function summaryLine(part: GalleryPart, shard: GalleryCommandArguments['shard']): string {
  const skipped = part.skipped.length ? ` (${part.skipped.length} skipped)` : '';
  return `${shard ? `shard ${shard.index}/${shard.count}: ` : ''}${part.imageCount} images${skipped} of ${part.folder.fileCount}, layer ${part.layer} on ${part.backend}`;
}

export async function mergeCommand(argv: string[]): Promise<void> {
  const { values, positionals } = orUsage(() =>
    parseArgs({ args: argv, allowPositionals: true, options: { out: { type: 'string' } } }),
  );
  if (positionals.length === 0) usage('merge needs part files.');
  if (!values.out) usage('merge needs --out <gallery.json>.');
  orUsage(() => checkOutputFile('out', values.out!));
  const parts = positionals.map((file) => {
    const name = resolve(file);
    let text: string;
    try {
      text = readFileSync(name, 'utf8');
    } catch (error) {
      throw new InspectorError('usage', `${name}: cannot read (${(error as Error).message}).`);
    }
    return { name: file, part: parsePart(file, text) };
  });
  const merged = mergeParts(parts);
  const out = resolve(values.out);
  writeFileSync(out, galleryFileText(merged));
  process.stderr.write(
    `cnn-inspector: merged ${parts.length} part${parts.length > 1 ? 's' : ''}: ${merged.imageCount} images of ${merged.folder.fileCount}, layer ${merged.layer}; wrote ${out}\n`,
  );
}
