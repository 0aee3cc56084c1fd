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
  THREADS,
  TIMEOUT_SECONDS,
  WORKERS,
  integerArgument,
  type IntegerRange,
} from './numericArguments';
import { checkOutputFile } from './outputFiles';
import { backendWarning } from './backendWarning';
import type { BackendPreference } from '../analysis/runtime';
import { ENGINE_PREFERENCES, type EnginePreference } from '../analysis/engines/chooseEngine';
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

/** A numeric flag within its range, `fallback` when absent; a usage error (exit 2) otherwise. */
function wholeNumber(
  name: string,
  text: string | undefined,
  fallback: number,
  range: IntegerRange,
): number {
  if (text === undefined) return fallback;
  try {
    return integerArgument(name, text, range);
  } catch (error) {
    usage((error as Error).message);
  }
}

export async function galleryCommand(argv: string[], workerScript: string): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
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
      },
    });
  } catch (error) {
    usage((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) usage('gallery needs one model file.');
  if (!values.folder) usage('gallery needs --folder <dir>.');
  if (!values.out) usage('gallery needs --out <file>.');
  const folder = resolve(values.folder);
  if (!existsSync(folder) || !statSync(folder).isDirectory())
    usage(`--folder ${folder}: not a folder.`);
  const modelFile = resolve(positionals[0]);
  if (!existsSync(modelFile)) throw new InspectorError('usage', `${modelFile}: no such file.`);
  let shard = { index: 0, count: 1 };
  if (values.shard !== undefined) {
    try {
      shard = parseShard(values.shard);
    } catch (error) {
      usage((error as Error).message);
    }
  }
  const backend = values.backend as BackendPreference;
  if (!['auto', 'tensorflow', 'wasm', 'cpu'].includes(backend))
    usage(`unknown backend '${backend}'.`);
  const engine = (values.engine ?? (backend === 'auto' ? 'auto' : 'tfjs')) as EnginePreference;
  if (!ENGINE_PREFERENCES.includes(engine)) usage(`unknown engine '${engine}'.`);
  const wasmThreads = wholeNumber('threads', values.threads, 0, THREADS);
  const topK = wholeNumber('top-k', values['top-k'], DEFAULT_GALLERY_OPTIONS.topK, {
    min: 1,
    max: 1000,
  });
  // Absent: the pool's default for the engine the model runs on (defaultGalleryWorkers).
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
  const out = resolve(values.out);
  try {
    checkOutputFile('out', out);
  } catch (error) {
    usage((error as Error).message);
  }
  const checkpointFile = resolve(values.checkpoint ?? `${out}.checkpoint`);
  const verbose = values.verbose;
  const say = (line: string) => process.stderr.write(`cnn-inspector: ${line}\n`);

  const config: WorkerConfig = {
    backend,
    engine,
    searchDirs: [process.cwd()],
    maxImageMegapixels: 100,
    wasmThreads,
  };
  const model = { file: modelFile, exportName: values.export };
  // It loads the model for the key, then is the pool's first worker (the model loaded once).
  const client = new WorkerClient({ workerScript, memoryLimitMb, limitHints: CLI_LIMIT_HINTS });
  let loaded, info;
  try {
    const requestOptions = { timeoutMs };
    loaded = await client.request(
      { type: 'loadModel', config, model, reload: false },
      requestOptions,
    );
    info = await client.request(
      {
        type: 'galleryInfo',
        config,
        model,
        ...(values.layer === 'auto' ? {} : { layer: values.layer }),
      },
      requestOptions,
    );
  } catch (error) {
    client.dispose();
    throw error;
  }
  const warning = backendWarning(backend, loaded.backend, loaded.backendNotes, config.searchDirs);
  if (warning) say(`warning: ${warning}`);
  if (engine === 'onnxruntime' && loaded.engineFallback) say(`warning: ${loaded.engineFallback}`);
  const started = Date.now();
  const part: GalleryPart = await runGalleryShard({
    warmWorker: client,
    folder,
    shard,
    key: {
      tool: `cnn-inspector ${version}`,
      model: {
        file: basename(modelFile),
        exportName: loaded.summary.exportName,
        weightsHash: info.weightsHash,
        codeHash: info.bundleHash,
      },
      backend: loaded.backend,
      layer: info.layer,
      units: info.units,
      inputSize: [info.inputHeight, info.inputWidth],
      topK,
      nmsIoU: DEFAULT_GALLERY_OPTIONS.nmsIoU,
    },
    model,
    config,
    options: { topK, nmsIoU: DEFAULT_GALLERY_OPTIONS.nmsIoU },
    timeoutMs,
    pool: { workerScript, memoryLimitMb, workers, limitHints: CLI_LIMIT_HINTS },
    checkpointFile,
    checkpointEveryMs,
    onProgress: verbose
      ? (p) => say(`${p.done}/${p.total} images, ${p.rate.toFixed(1)}/s`)
      : undefined,
    log: say,
  }).finally(() => client.dispose());
  const sharded = values.shard !== undefined;
  const text = galleryFileText(sharded ? part : mergedGallery(part, [part]));
  writeFileSync(out, text);
  await removeCheckpoint(checkpointFile);
  const skipped = part.skipped.length ? ` (${part.skipped.length} skipped)` : '';
  say(
    `${sharded ? `shard ${shard.index}/${shard.count}: ` : ''}${part.imageCount} images${skipped} of ${part.folder.fileCount}, layer ${part.layer} on ${part.backend}, in ${((Date.now() - started) / 1000).toFixed(1)} s, peak memory ${Math.round(process.resourceUsage().maxRSS / 1024)} MB; wrote ${out}`,
  );
}

export async function mergeCommand(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { out: { type: 'string' } },
    });
  } catch (error) {
    usage((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length === 0) usage('merge needs part files.');
  if (!values.out) usage('merge needs --out <gallery.json>.');
  try {
    checkOutputFile('out', values.out);
  } catch (error) {
    usage((error as Error).message);
  }
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
