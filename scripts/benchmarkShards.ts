/**
 * Dataset-pass figures (part of `npm run bench`; a script, not a test: compare figures from one
 * run). `node dist/scripts/benchmarkShards.js [--quick]`
 *
 * On the same folder: one `cnn-inspector gallery` process with its worker pool (a thread per
 * core) versus 1, 2 and 4 shard processes (`--shard i/n --workers 1`) started together and merged;
 * images per second over the wall time (model loading and merge included), peak memory of each
 * shard process, and the wall time projected for 50,000 images on N machines from the measured
 * per-image cost. LeNet over the 300 Fashion-MNIST pictures, and VGG-16 pool5 over generated
 * 224x224 pictures (not with --quick).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';

const root = join(__dirname, '..', '..');
const cli = join(root, 'dist', 'cli.js');

interface ProcessFigures {
  ms: number;
  peakMb: number;
}

/** Runs the CLI; its last line reports the peak memory of the process. */
function runCli(args: string[]): Promise<ProcessFigures> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args]);
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`cnn-inspector ${args.join(' ')}: ${stderr}`));
      const peak = /peak memory (\d+) MB/.exec(stderr);
      resolve({ ms: Date.now() - started, peakMb: peak ? Number(peak[1]) : NaN });
    });
  });
}

function writeImages(dir: string, count: number, size: number): void {
  let seed = 12345;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  for (let n = 0; n < count; n++) {
    const png = new PNG({ width: size, height: size });
    for (let i = 0; i < size * size; i++)
      png.data.set([random() * 255, random() * 255, random() * 255, 255], i * 4);
    writeFileSync(join(dir, `img-${String(n).padStart(4, '0')}.png`), PNG.sync.write(png));
  }
}

interface Row {
  what: string;
  seconds: number;
  rate: number;
  peakMb: number[];
}

async function measure(model: string, folder: string, layer: string, out: string): Promise<Row[]> {
  const common = [model, '--folder', folder, '--layer', layer, '--backend', 'wasm'];
  const singleFile = join(out, 'single.json');
  const single = await runCli(['gallery', ...common, '--out', singleFile]);
  const images = JSON.parse(readFileSync(singleFile, 'utf8')).imageCount as number;
  const rows: Row[] = [
    {
      what: `1 process, pool of ${availableParallelism()} threads`,
      seconds: single.ms / 1000,
      rate: 0,
      peakMb: [single.peakMb],
    },
  ];
  for (const n of [1, 2, 4]) {
    const started = Date.now();
    const parts = Array.from({ length: n }, (_, i) => join(out, `n${n}-part-${i}.json`));
    const runs = await Promise.all(
      parts.map((file, i) =>
        runCli(['gallery', ...common, '--shard', `${i}/${n}`, '--workers', '1', '--out', file]),
      ),
    );
    await runCli(['merge', ...parts, '--out', join(out, `n${n}.json`)]);
    const ms = Date.now() - started;
    rows.push({
      what: `${n} shard process${n > 1 ? 'es' : ''}, 1 thread each`,
      seconds: ms / 1000,
      rate: 0,
      peakMb: runs.map((r) => r.peakMb),
    });
  }
  for (const row of rows) row.rate = images / row.seconds;
  return rows;
}

function report(title: string, rows: Row[]): void {
  console.log(`\n${title}`);
  for (const r of rows) {
    console.log(
      `  ${r.what.padEnd(36)}${r.seconds.toFixed(1).padStart(7)} s ${r.rate.toFixed(2).padStart(8)} images/s   peak memory per process ${r.peakMb.join(' / ')} MB`,
    );
  }
  const best = rows.reduce((a, b) => (b.rate > a.rate ? b : a));
  const perImage = 1 / best.rate;
  const projection = [1, 4, 16, 64].map((machines) => {
    const hours = (50_000 * perImage) / machines / 3600;
    return `${machines} machine${machines > 1 ? 's' : ''}: ${hours >= 1 ? `${hours.toFixed(1)} h` : `${(hours * 60).toFixed(0)} min`}`;
  });
  console.log(
    `  50,000 images at ${best.rate.toFixed(2)} images/s per machine (${best.what}): ${projection.join(', ')}`,
  );
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const dir = mkdtempSync(join(tmpdir(), 'shard-bench-'));
  try {
    console.log(
      `\nDataset passes (${availableParallelism()} cores, wasm, wall time incl. loading)`,
    );
    const lenetOut = join(dir, 'lenet');
    mkdirSync(lenetOut);
    report(
      'LeNet pool2, 300 Fashion-MNIST pictures 28x28',
      await measure(
        join(root, 'examples', 'lenet.ts'),
        join(root, 'examples', 'images', 'fashion-mnist'),
        'pool2',
        lenetOut,
      ),
    );
    if (!quick) {
      const images = join(dir, 'vgg-images');
      mkdirSync(images);
      writeImages(images, 16, 224);
      const vggOut = join(dir, 'vgg');
      mkdirSync(vggOut);
      report(
        'VGG-16 pool5, 16 pictures 224x224',
        await measure(join(root, 'examples', 'vgg16.ts'), images, 'pool5', vggOut),
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
