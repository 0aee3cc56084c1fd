/**
 * Folder-gallery figures for the README (a script, not a test: compare figures from one run).
 * `node scripts/build.mjs && node dist/scripts/benchmarkGallery.js [--rate-images N] [--quick]`
 *
 * - images per second for VGG-16's pool5 at 224x224 (wasm), 1 worker versus every core;
 * - peak resident memory of the whole process (host + pool threads) and the host's heap for 50
 *   versus 500 images (LeNet pool2 at 28x28, so 500 images take seconds, not minutes): memory must
 *   not grow with the number of images, only the top-k per unit is ever kept.
 * Images are generated on the fly into a temporary folder (seeded, all different).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeImages } from './benchImages';
import { WorkerClient } from '../src/host/workerClient';
import { buildFolderGallery } from '../src/host/folderGallery';
import type { ModelRef, WorkerConfig } from '../src/protocol/worker/workerProtocol';

const root = join(__dirname, '..', '..');
const workerScript = join(root, 'dist', 'worker.js');
const config: WorkerConfig = { backend: 'wasm', searchDirs: [], maxImageMegapixels: 100 };

async function run(model: ModelRef, folder: string, workers: number) {
  const client = new WorkerClient({ workerScript, memoryLimitMb: 4096 });
  const info = await client.request({ type: 'galleryInfo', config, model }, { timeoutMs: 600_000 });
  client.dispose();
  await client.whenStopped();
  let peakRss = process.memoryUsage().rss;
  let peakHeap = process.memoryUsage().heapUsed;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 20);
  const started = Date.now();
  let steadyRate = 0;
  const result = await buildFolderGallery({
    folder,
    info,
    model,
    exportName: 'default',
    config,
    options: { topK: 9, nmsIoU: 0.3 },
    timeoutMs: 600_000,
    pool: { workerScript, memoryLimitMb: 4096, workers },
    onProgress: (p) => (steadyRate = p.rate),
  });
  clearInterval(sampler);
  const seconds = (Date.now() - started) / 1000;
  return {
    layer: info.layer,
    images: result.imageCount,
    seconds,
    rate: result.imageCount / seconds,
    steadyRate,
    peakRss,
    peakHeap,
  };
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const rateImages = Number(args[args.indexOf('--rate-images') + 1]) || 16;
  const quick = args.includes('--quick');
  const dir = mkdtempSync(join(tmpdir(), 'gallery-bench-'));
  const cores = availableParallelism();
  try {
    if (!quick) {
      const vgg = join(dir, 'vgg');
      mkdirSync(vgg);
      writeImages(vgg, rateImages, 224);
      const model = { file: join(root, 'examples', 'vgg16.ts') };
      for (const workers of [1, cores]) {
        const r = await run(model, vgg, workers);
        console.log(
          `VGG-16 ${r.layer}, ${r.images} images 224x224, ${workers} worker${workers > 1 ? 's' : ''}: ${r.seconds.toFixed(1)} s, ${r.rate.toFixed(2)} images/s (model loading included)`,
        );
      }
    }
    const lenet = { file: join(root, 'examples', 'lenet.ts') };
    for (const count of [50, 500]) {
      const folder = join(dir, `lenet-${count}`);
      mkdirSync(folder);
      writeImages(folder, count, 28);
      const r = await run(lenet, folder, cores);
      console.log(
        `LeNet ${r.layer}, ${r.images} images 28x28, ${cores} workers: ${r.rate.toFixed(0)} images/s, peak RSS ${mb(r.peakRss)}, peak host heap ${mb(r.peakHeap)}`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
