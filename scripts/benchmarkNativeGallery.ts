/**
 * Folder gallery on the native engine against a PyTorch + Pillow loop doing the same top-k, in one
 * run on the same cores (a script, not a test: compare the ratios). Part of `npm run bench`; alone:
 * `node dist/scripts/benchmarkNativeGallery.js [--images N] [--model vgg16.ts --layer pool5]
 * [--batches 1,4,8,16] [--no-wasm]`.
 *
 * VGG-16's pool5 over N seeded 256x256 pictures (resized to 224, as a photo folder would be), top-9
 * per unit, through the same worker pool as the extension and the CLI (buildFolderGallery):
 * - ONNX Runtime, 1 worker x 2 intra-op threads and 2 workers x 1 thread, each at batch 1, 4, 8
 *   and 16 (images per ONNX Runtime call; `--batches 1,8` to choose);
 * - PyTorch (scripts/benchmark_pytorch_gallery.py): decode, resize, features to pool5, top-k,
 *   run right after the default native run (1 worker);
 * - tfjs wasm, 1 worker per core, for reference (`--no-wasm` leaves it out).
 * Rates: end to end (model loading included) and steady (after each worker's first shard).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { buildFolderGallery } from '../src/host/folderGallery';
import { WorkerClient } from '../src/host/workerClient';
import type { WorkerConfig } from '../src/protocol/worker/workerProtocol';
import { writeImages } from './benchImages';

const root = join(__dirname, '..', '..');
const workerScript = join(root, 'dist', 'worker.js');
const PYTHON = '/usr/bin/python3';
const TOP_K = 9;

interface Rate {
  label: string;
  seconds: number;
  rate: number;
  steadyRate: number;
  backend: string;
}

async function extensionGallery(
  label: string,
  folder: string,
  modelFile: string,
  layer: string,
  config: WorkerConfig,
  workers: number,
  batch = 1,
): Promise<Rate> {
  const model = { file: modelFile };
  const memoryLimitMb = 8192;
  const started = Date.now();
  const client = new WorkerClient({ workerScript, memoryLimitMb });
  let info, loaded;
  try {
    loaded = await client.request(
      { type: 'loadModel', config, model, reload: false },
      { timeoutMs: 1_200_000 },
    );
    info = await client.request(
      { type: 'galleryInfo', config, model, layer },
      { timeoutMs: 1_200_000 },
    );
  } catch (error) {
    client.dispose();
    throw error;
  }
  // Steady rate: images done after the first shard of every worker, over the time they took.
  const stamps: { at: number; done: number }[] = [];
  const result = await buildFolderGallery({
    folder,
    info,
    model,
    exportName: 'default',
    config,
    options: { topK: TOP_K, nmsIoU: 0.3, batch },
    timeoutMs: 1_200_000,
    pool: { workerScript, memoryLimitMb, workers },
    warmWorker: client, // the model loaded once, as in the CLI
    onProgress: (p) => stamps.push({ at: Date.now(), done: p.done }),
  }).finally(() => client.dispose());
  await client.whenStopped();
  const seconds = (Date.now() - started) / 1000;
  const done = stamps.filter((s) => s.done > 0);
  const first = done[Math.min(workers, done.length) - 1];
  const last = done[done.length - 1];
  const steadyRate =
    first && last && last.at > first.at
      ? (last.done - first.done) / ((last.at - first.at) / 1000)
      : 0;
  return { label, seconds, rate: result.imageCount / seconds, steadyRate, backend: loaded.backend };
}

function pytorchGallery(folder: string, threads: number): Rate | string {
  if (!existsSync(PYTHON)) return `${PYTHON} not found (scripts/install-system-deps.sh)`;
  const child = spawnSync(
    PYTHON,
    [join(root, 'scripts', 'benchmark_pytorch_gallery.py'), folder, String(threads), String(TOP_K)],
    { encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  const line = child.stdout.split('\n').find((l) => l.startsWith('{'));
  if (!line) return child.stderr.trim().split('\n').pop() ?? 'failed';
  const figures = JSON.parse(line) as { totalMs: number; rate: number; steadyRate: number };
  return {
    label: `PyTorch + Pillow, ${threads} thread${threads > 1 ? 's' : ''}`,
    seconds: figures.totalMs / 1000,
    rate: figures.rate,
    steadyRate: figures.steadyRate,
    backend: 'pytorch',
  };
}

const loadAverage = () => os.loadavg()[0].toFixed(1);

type Run = [label: string, run: () => Promise<Rate | string>];

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const option = (name: string, fallback: string) =>
    args.includes(name) ? args[args.indexOf(name) + 1] : fallback;
  const count = Number(option('--images', '48'));
  const modelFile = join(root, 'examples', option('--model', 'vgg16.ts'));
  const layer = option('--layer', 'pool5');
  const cores = os.availableParallelism();
  const dir = mkdtempSync(join(os.tmpdir(), 'native-gallery-bench-'));
  try {
    writeImages(dir, count, 256);
    console.log(
      `\nFolder gallery, ${layer} of ${modelFile.split('/').pop()}, ${count} pictures 256x256 -> 224, top-${TOP_K} · ${cores} cores · load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
    console.log(`${'run'.padEnd(56)}end to end      steady          load avg  ran on`);
    const batches = option('--batches', '1,4,8,16').split(',').map(Number);
    const runs = galleryRuns(dir, modelFile, layer, batches, !args.includes('--no-wasm'));
    const rates = await runEach(runs);
    const torch = rates.get(`PyTorch + Pillow, ${cores} threads`);
    for (const [label, rate] of rates) {
      if (!torch || rate.backend === 'pytorch') continue;
      console.log(
        `${label}: PyTorch's rate / its rate ${(torch.steadyRate / rate.steadyRate).toFixed(2)}x steady, ${(torch.rate / rate.rate).toFixed(2)}x end to end`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The runs to measure, in order: ONNX Runtime per batch size and worker shape, wasm, PyTorch. */
function galleryRuns(
  dir: string,
  modelFile: string,
  layer: string,
  batches: number[],
  withWasm: boolean,
): Run[] {
  const cores = os.availableParallelism();
  const base: WorkerConfig = { backend: 'wasm', searchDirs: [], maxImageMegapixels: 100 };
  const native = { ...base, engine: 'onnxruntime' as const };
  // Batch sizes x (1 worker with every core's thread, one worker per core with 1 thread each).
  const shapes = cores > 1 ? [1, cores] : [1];
  const runs: Run[] = batches.flatMap((batch) =>
    shapes.map((workers): Run => [
      `ONNX Runtime, ${workers === 1 ? `1 worker x ${cores} threads` : `${workers} workers x 1 thread`}, batch ${batch}`,
      () => extensionGallery('', dir, modelFile, layer, native, workers, batch),
    ]),
  );
  if (withWasm) {
    runs.push([
      `wasm, ${cores} workers x 1 thread`,
      () => extensionGallery('', dir, modelFile, layer, { ...base, engine: 'tfjs' }, cores),
    ]);
  }
  // PyTorch right after the default native run: on a shared machine the load drifts, and the
  // ratio that matters is between those two.
  runs.splice(1, 0, [`PyTorch + Pillow, ${cores} threads`, async () => pytorchGallery(dir, cores)]);
  // And once more at the end: the load drifts over a run this long.
  runs.push([`PyTorch + Pillow, ${cores} threads, again`, async () => pytorchGallery(dir, cores)]);
  return runs;
}

/** Runs one after the other, printing a row each; the rates of those that ran, by label. */
async function runEach(runs: Run[]): Promise<Map<string, Rate>> {
  const rates = new Map<string, Rate>();
  for (const [label, run] of runs) {
    const result = await run().catch((error: unknown) => String(error));
    if (typeof result === 'string') {
      console.log(`${label.padEnd(56)}skipped: ${result}`);
      continue;
    }
    rates.set(label, result);
    const cell = (rate: number) => `${rate.toFixed(2)} images/s`.padEnd(16);
    console.log(
      `${label.padEnd(56)}${cell(result.rate)}${cell(result.steadyRate)}${loadAverage().padEnd(10)}${result.backend}`,
    );
  }
  return rates;
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
