/**
 * The native engine (ONNX Runtime) against WebAssembly and PyTorch, in one run on the same cores
 * (a script, not a test: compare the ratios). Part of `npm run bench`; alone:
 * `node dist/scripts/benchmarkNative.js [--quick]` after a build.
 *
 * - VGG-16 at 224x224, a full inspection pass (decode, resize, preprocess, every activation read
 *   back): load, first pass and median pass for ONNX Runtime (one thread per core, and 1),
 *   tfjs wasm (threads per core) and PyTorch (Debian's python3-torch: scripts/benchmark_pytorch.py);
 * - LeNet-5 warm pass on ONNX Runtime and wasm.
 * Each engine runs in its own process, one after the other. The load average is printed: on a
 * shared machine it explains more than the code does.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { lastJsonLine, ms, runChildScript, timePasses } from './benchPasses';

// dist/scripts/ after a build, scripts/ when run from source with tsx.
const root = existsSync(join(__dirname, '..', 'package.json'))
  ? join(__dirname, '..')
  : join(__dirname, '..', '..');
const examples = join(root, 'examples');
const PYTHON = '/usr/bin/python3';

interface Figures {
  engine: string;
  model: string;
  loadMs: number;
  firstPassMs: number;
  medianPassMs: number;
  passes: number;
  /** The process's peak resident memory (ONNX Runtime allocates outside V8's heap). */
  peakRssMb?: number;
  /** ONNX Runtime: what the worker's memory check expects it to hold (nativeMemory.ts). */
  estimateMb?: number;
}

/** `ort-N`: ONNX Runtime with N intra-op threads; `wasm-N`: tfjs WebAssembly with N threads. */
async function inspectionFigures(
  engine: string,
  model: string,
  image: string,
  passes: number,
): Promise<Figures> {
  const { loadRuntime } = await import('../src/analysis/runtime');
  const { InspectionSession } = await import('../src/analysis/inspectionSession');
  const [kind, threadText] = engine.split('-');
  const threads = Number(threadText);
  const runtime = await loadRuntime('wasm', { wasmThreads: kind === 'wasm' ? threads : 1 });
  const started = performance.now();
  const session = await InspectionSession.open(
    runtime,
    join(examples, model),
    undefined,
    () => {},
    {
      engine: kind === 'ort' ? 'onnxruntime' : 'tfjs',
      threads,
    },
  );
  const loadMs = performance.now() - started;
  const expected = kind === 'ort' ? 'onnxruntime' : 'wasm';
  if (session.backend !== expected) {
    throw new Error(`${engine}: ran on ${session.backend} (${session.engineNotes.join(' ')})`);
  }
  const timed = await timePasses(session, image, passes);
  const { estimateNativeMemory } = await import('../src/analysis/engines/nativeMemory');
  const estimate = estimateNativeMemory(
    session.layersModel,
    session.summary.inputShape as number[],
  );
  session.dispose();
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  const estimateMb =
    kind === 'ort'
      ? Math.round((estimate.weightsBytes + estimate.activationsBytes) / 1024 / 1024)
      : undefined;
  return { engine, model, loadMs, ...timed, passes, peakRssMb, estimateMb };
}

const runChild = (engine: string, model: string, image: string, passes: number) =>
  runChildScript<Figures>(__filename, [engine, model, image, String(passes)]);

function runPyTorch(image: string, threads: number, passes: number): Figures | string {
  if (!existsSync(PYTHON)) return `${PYTHON} not found (scripts/install-system-deps.sh)`;
  const child = spawnSync(
    PYTHON,
    [join(root, 'scripts', 'benchmark_pytorch.py'), image, String(threads), String(passes)],
    { encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  const figures = lastJsonLine(child.stdout) as Omit<Figures, 'model'> | undefined;
  if (!figures) return child.stderr.trim().split('\n').pop() ?? 'failed';
  return { ...figures, model: 'vgg16 (torchvision)' };
}

const memory = (f: Figures) =>
  f.peakRssMb === undefined
    ? ''
    : `${f.peakRssMb} MB${f.estimateMb === undefined ? '' : ` (${f.estimateMb} MB)`}`;
const load = () => os.loadavg()[0].toFixed(1);

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    const [, engine, model, image, passes] = args;
    const figures = await inspectionFigures(engine, model, image, Number(passes));
    process.stdout.write(`${JSON.stringify(figures)}\n`);
    return;
  }
  const quick = args.includes('--quick');
  const cores = os.availableParallelism();
  const passes = quick ? 3 : 5;
  const photo = join(examples, 'images', 'chelsea.png');
  const lenetImage = join(examples, 'images', 'fashion-mnist', '000-ankle-boot.png');
  console.log(
    `\nNative engine · ${cores} cores · load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  console.log(
    'engine          model                load        first pass  median pass  load avg  peak RSS (ORT estimate)',
  );
  const rows = new Map<string, Figures>();
  const show = (key: string, result: Figures | string, label: string, model: string) => {
    if (typeof result === 'string') {
      console.log(`${label.padEnd(16)}${model.padEnd(21)}skipped: ${result}`);
      return;
    }
    rows.set(key, result);
    const cells = [result.loadMs, result.firstPassMs].map((v) => ms(v).padEnd(12)).join('');
    console.log(
      `${label.padEnd(16)}${model.padEnd(21)}${cells}${ms(result.medianPassMs).padEnd(13)}${load().padEnd(10)}${memory(result)}`,
    );
  };
  const vggRuns: [string, () => Figures | string][] = [
    [`ort-${cores}`, () => runChild(`ort-${cores}`, 'vgg16.ts', photo, passes)],
    ['ort-1', () => runChild('ort-1', 'vgg16.ts', photo, passes)],
    [`wasm-${cores}`, () => runChild(`wasm-${cores}`, 'vgg16.ts', photo, passes)],
    [`pytorch-${cores}`, () => runPyTorch(photo, cores, passes)],
    ['pytorch-1', () => runPyTorch(photo, 1, passes)],
  ];
  for (const [key, run] of vggRuns) show(key, run(), key, 'vgg16');
  for (const engine of [`ort-${cores}`, 'wasm-1']) {
    show(`lenet ${engine}`, runChild(engine, 'lenet.ts', lenetImage, 20), engine, 'lenet');
  }
  const ratio = (a: string, b: string, field: 'firstPassMs' | 'medianPassMs') => {
    const [x, y] = [rows.get(a), rows.get(b)];
    return x && y ? `${(x[field] / y[field]).toFixed(2)}x` : 'n/a';
  };
  console.log(
    `\nVGG-16 median pass: ONNX Runtime / PyTorch ${ratio(`ort-${cores}`, `pytorch-${cores}`, 'medianPassMs')} (${cores} threads), ${ratio('ort-1', 'pytorch-1', 'medianPassMs')} (1 thread); wasm / ONNX Runtime ${ratio(`wasm-${cores}`, `ort-${cores}`, 'medianPassMs')}`,
  );
  console.log(
    `VGG-16 first pass: ONNX Runtime / PyTorch ${ratio(`ort-${cores}`, `pytorch-${cores}`, 'firstPassMs')}; wasm / ONNX Runtime ${ratio(`wasm-${cores}`, `ort-${cores}`, 'firstPassMs')}`,
  );
  console.log(
    `LeNet warm pass: ONNX Runtime ${ms(rows.get(`lenet ort-${cores}`)?.medianPassMs ?? NaN)}, wasm ${ms(rows.get('lenet wasm-1')?.medianPassMs ?? NaN)}`,
  );
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
