/**
 * Speed figures for the README (a script, not a test: timings on shared machines are noisy, so
 * compare ratios from one run). Run with `npm run bench`; `--quick` skips the slow cpu VGG-16 pass.
 *
 * - extension activation: loading dist/extension.js and calling activate() against a stub VS Code
 *   API (what activation costs the editor; the real figure is in the Output channel);
 * - the static pass behind CodeLens over the VGG-16 source (it runs on every edit of a model file);
 * - model load and forward pass with every activation read back, for LeNet (28x28) and VGG-16
 *   (224x224), on each backend that loads here, each backend in its own process.
 */
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import Module from 'node:module';
import { performance } from 'node:perf_hooks';
import os from 'node:os';
import { readFileSync } from 'node:fs';
import { scanModelSource } from '../src/analysis/source/scanModelSource';
import { ms, runChildScript, timePasses } from './benchPasses';

const root = join(__dirname, '..', '..');
const examples = join(root, 'examples');

interface ForwardFigures {
  backend: string;
  model: string;
  loadMs: number;
  firstPassMs: number;
  medianPassMs: number;
  passes: number;
}

function stubVscode(): unknown {
  // Every property is a function returning another stub: enough for activate() to wire itself.
  const handler: ProxyHandler<() => void> = {
    get: (_t, key) => (key === 'then' ? undefined : stub),
    apply: () => stub,
    construct: () => stub as object,
    set: () => true,
  };
  const stub: unknown = new Proxy(function stubbed() {}, handler);
  // Bundlers copy a module's own keys, so the namespaces must be real properties.
  const namespaces = ['window', 'workspace', 'commands', 'languages', 'env', 'extensions', 'Uri'];
  const enums = ['StatusBarAlignment', 'ProgressLocation', 'ViewColumn', 'DiagnosticSeverity'];
  const classes = ['EventEmitter', 'TreeItem', 'ThemeIcon', 'ThemeColor', 'CodeLens', 'Hover'];
  const more = ['MarkdownString', 'Disposable', 'Range', 'Position', 'Selection', 'Diagnostic'];
  const keys = [...namespaces, ...enums, ...classes, ...more, 'TreeItemCollapsibleState'];
  return Object.fromEntries(keys.map((key) => [key, stub]));
}

function activationFigure(): number {
  const originalLoad = (Module as unknown as { _load: (r: string, ...a: unknown[]) => unknown })
    ._load;
  (Module as unknown as { _load: (r: string, ...a: unknown[]) => unknown })._load = (
    request,
    ...rest
  ) => (request === 'vscode' ? stubVscode() : originalLoad(request, ...rest));
  const started = performance.now();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const extension = require(join(root, 'dist', 'extension.js')) as {
    activate(c: unknown): unknown;
  };
  extension.activate({
    subscriptions: [],
    extensionUri: stubVscode(),
    globalStorageUri: { fsPath: join(os.tmpdir(), 'cnn-inspector-bench') },
  });
  return performance.now() - started;
}

/** Median ms of 20 static passes over the VGG-16 source, each on a different text (no caching). */
function staticPassFigure(): number {
  const file = join(examples, 'vgg16.ts');
  const text = readFileSync(file, 'utf8');
  scanModelSource(text, file); // loads the TypeScript parser
  const times: number[] = [];
  for (let i = 0; i < 20; i++) {
    const started = performance.now();
    scanModelSource(`${text}\n// ${i}`, file);
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[times.length >> 1];
}

async function forwardFigures(
  backend: string,
  model: string,
  image: string,
  passes: number,
): Promise<ForwardFigures> {
  const { loadRuntime } = await import('../src/analysis/runtime');
  const { InspectionSession } = await import('../src/analysis/inspectionSession');
  // 'wasm-mt': WebAssembly on one thread per core (the cnnInspector.wasmThreads default).
  const threaded = backend === 'wasm-mt';
  const runtime = await loadRuntime((threaded ? 'wasm' : backend) as 'wasm', {
    wasmThreads: threaded ? 0 : 1,
  });
  const threadNote = runtime.notes.find((n) => /^WebAssembly on \d+ threads/.test(n));
  if (runtime.backend !== (threaded ? 'wasm' : backend) || (threaded && !threadNote))
    throw new Error(`backend ${backend} is not available here (${runtime.notes.join(' ')})`);
  const started = performance.now();
  const session = await InspectionSession.open(runtime, resolve(examples, model), undefined);
  const loadMs = performance.now() - started;
  const timed = await timePasses(session, image, passes);
  session.dispose();
  return { backend, model, loadMs, ...timed, passes };
}

const runChild = (backend: string, model: string, image: string, passes: number) =>
  runChildScript<ForwardFigures>(__filename, [backend, model, image, String(passes)]);

/**
 * ONNX import (read, parse, fold, build, weights) and inspection passes of torchvision's
 * ResNet-18 and VGG-16 exported by PyTorch, next to PyTorch's own forward pass on the same cores.
 */
function onnxFigures(quick: boolean, rows: ForwardFigures[]): void {
  const python = '/usr/bin/python3';
  const cache = join(root, '.cache', 'onnx-bench');
  const photo = join(examples, 'images', 'chelsea.png');
  console.log(
    '\nONNX (PyTorch export, 224x224)  import      first pass  median pass  PyTorch median  ratio',
  );
  for (const name of quick ? ['resnet18'] : ['resnet18', 'vgg16']) {
    const torch = spawnSync(
      python,
      [join(root, 'scripts', 'onnx', 'time_pytorch.py'), cache, name, '5'],
      {
        encoding: 'utf8',
        timeout: 30 * 60_000,
      },
    );
    const line = torch.stdout?.split('\n').find((l) => l.startsWith('{'));
    if (!line) {
      console.log(
        `${name.padEnd(33)}skipped: PyTorch (${python}) failed: ${torch.stderr?.trim().split('\n').pop()}`,
      );
      continue;
    }
    const pytorch = JSON.parse(line) as { onnx: string; medianMs: number; threads: number };
    const result = runChild('wasm-mt', pytorch.onnx, photo, 3);
    if (typeof result === 'string') {
      console.log(`${name.padEnd(33)}skipped: ${result}`);
      continue;
    }
    rows.push(result);
    const ratio = (result.medianPassMs / pytorch.medianMs).toFixed(1);
    console.log(
      `${`${name} (wasm-mt)`.padEnd(33)}${ms(result.loadMs).padEnd(12)}${ms(result.firstPassMs).padEnd(12)}${ms(result.medianPassMs).padEnd(13)}${ms(pytorch.medianMs).padEnd(16)}${ratio}x (PyTorch on ${pytorch.threads} threads)`,
    );
    console.log(`${''.padEnd(33)}${importMemory(pytorch.onnx)}`);
  }
}

/** Import alone in a fresh process (scripts/measureOnnxImport.ts): time and resident memory. */
function importMemory(onnxFile: string): string {
  const child = spawnSync(
    process.execPath,
    ['--expose-gc', join(__dirname, 'measureOnnxImport.js'), onnxFile, 'wasm'],
    { encoding: 'utf8', timeout: 30 * 60_000 },
  );
  const line = child.stdout?.split('\n').find((l) => l.startsWith('{'));
  if (!line) return `import memory: failed (${child.stderr?.trim().split('\n').pop()})`;
  const m = JSON.parse(line) as {
    fileMb: number;
    importMs: number;
    baselineRssMb: number;
    peakRssMb: number;
    rssAfterGcMb: number;
  };
  return `import alone: ${ms(m.importMs)}, ${m.fileMb.toFixed(0)} MB file, peak RSS ${m.peakRssMb} MB, ${m.rssAfterGcMb} MB after load (Node alone ${m.baselineRssMb} MB)`;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    const [, backend, model, image, passes] = args;
    const figures = await forwardFigures(backend, model, image, Number(passes));
    process.stdout.write(`${JSON.stringify(figures)}\n`);
    return;
  }
  const quick = args.includes('--quick');
  console.log(`CNN Inspector benchmark · node ${process.version} · ${new Date().toISOString()}`);
  console.log(`extension activation (bundle load + activate, stub API): ${ms(activationFigure())}`);
  console.log(`static pass (CodeLens) over the VGG-16 source, median: ${ms(staticPassFigure())}`);
  const rows = forwardPassTable(quick);
  const find = (m: string, b: string) => rows.find((r) => r.model === m && r.backend === b);
  for (const model of ['lenet.ts', 'vgg16.ts']) {
    const [single, threads] = [find(model, 'wasm'), find(model, 'wasm-mt')];
    if (single && threads) {
      const ratio = (single.medianPassMs / threads.medianPassMs).toFixed(2);
      const cores = os.availableParallelism();
      console.log(`${model} median pass, wasm / wasm-mt: ${ratio}x (${cores} cores)`);
    }
  }
  onnxFigures(quick, rows);
  const [vggWasm, vggCpu] = [find('vgg16.ts', 'wasm'), find('vgg16.ts', 'cpu')];
  if (vggWasm && vggCpu) {
    console.log(
      `\nVGG-16 cpu / wasm ratio: ${(vggCpu.firstPassMs / vggWasm.medianPassMs).toFixed(1)}x`,
    );
  }
  // Dataset passes: shard processes versus one pool (a separate script, also runnable alone).
  const shards = spawnSync(
    process.execPath,
    [join(__dirname, 'benchmarkShards.js'), ...(quick ? ['--quick'] : [])],
    { stdio: 'inherit' },
  );
  if (shards.status !== 0) console.log('dataset passes: benchmark failed');
}

/** LeNet-5 and VGG-16 on every backend, each in its own process: prints a row per run. */
function forwardPassTable(quick: boolean): ForwardFigures[] {
  const lenetImage = join(examples, 'images', 'fashion-mnist', '000-ankle-boot.png');
  const photo = join(examples, 'images', 'chelsea.png');
  const runs: [string, string, string, number][] = [
    ['tensorflow', 'lenet.ts', lenetImage, 20],
    ['wasm', 'lenet.ts', lenetImage, 20],
    ['wasm-mt', 'lenet.ts', lenetImage, 20],
    ['cpu', 'lenet.ts', lenetImage, 20],
    ['tensorflow', 'vgg16.ts', photo, 3],
    ['wasm', 'vgg16.ts', photo, 3],
    ['wasm-mt', 'vgg16.ts', photo, 3],
  ];
  if (!quick) runs.push(['cpu', 'vgg16.ts', photo, 0]);
  const rows: ForwardFigures[] = [];
  console.log(
    '\nmodel     backend     load        first pass  median pass (all activations read back, decode+resize included)',
  );
  for (const [backend, model, image, passes] of runs) {
    const result = runChild(backend, model, image, passes);
    if (typeof result === 'string') {
      console.log(`${model.padEnd(10)}${backend.padEnd(12)}skipped: ${result}`);
      continue;
    }
    rows.push(result);
    console.log(
      `${model.padEnd(10)}${backend.padEnd(12)}${ms(result.loadMs).padEnd(12)}${ms(result.firstPassMs).padEnd(12)}${ms(result.medianPassMs)} (${result.passes} passes)`,
    );
  }
  return rows;
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
