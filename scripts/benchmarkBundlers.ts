/**
 * How long compiling a model file takes with each platform-independent candidate, against native
 * esbuild (a script, not a test: compare ratios from one run). Run after `npm run build` with
 * `node dist/scripts/benchmarkBundlers.js`. Each compiler runs in its own process:
 *
 * - `first`: loading the compiler and compiling LeNet once (what a fresh model worker pays);
 * - then the median of 5 compilations of each example and of a generated 50-file model project.
 *
 * esbuild and esbuild-wasm run the extension's own bundleModelFile (the `esbuild` import is
 * redirected to the compiler measured). TypeScript's transpileModule compiles the entry file and
 * every relative import it reaches, one file at a time, as a module loader would on `require`
 * (the loader's own cost, a Module._compile per file, is left out: it favours TypeScript).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';

const root = join(__dirname, '..', '..');
const examples = join(root, 'examples');
const COMPILERS = ['esbuild', 'esbuild-wasm', 'typescript'] as const;
type Compiler = (typeof COMPILERS)[number];

/** A model split over 50 files: the entry, a shared helpers file and 48 blocks. */
function writeGeneratedProject(folder: string): string {
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(join(folder, 'blocks'), { recursive: true });
  writeFileSync(
    join(folder, 'common.ts'),
    `import * as tf from '@tensorflow/tfjs';
export interface BlockOptions { filters: number; kernelSize: number; name: string }
export const seeded = (seed: number): tf.initializers.Initializer =>
  tf.initializers.glorotUniform({ seed });
export function convRelu(model: tf.Sequential, options: BlockOptions, seed: number): void {
  model.add(tf.layers.conv2d({ ...options, padding: 'same', activation: 'relu',
    kernelInitializer: seeded(seed) }));
}
`,
  );
  const blocks = 48;
  for (let i = 0; i < blocks; i++) {
    const name = `block${String(i).padStart(2, '0')}`;
    writeFileSync(
      join(folder, 'blocks', `${name}.ts`),
      `import * as tf from '@tensorflow/tfjs';
import { convRelu, type BlockOptions } from '../common';

/** Block ${i}: two convolutions, a batch normalisation${i % 4 === 3 ? ' and a pooling' : ''}. */
export function ${name}(model: tf.Sequential, width: number): void {
  const options: BlockOptions = { filters: width, kernelSize: 3, name: '${name}_a' };
  convRelu(model, options, ${i * 2});
  convRelu(model, { ...options, name: '${name}_b' }, ${i * 2 + 1});
  model.add(tf.layers.batchNormalization({ name: '${name}_bn' }));
${i % 4 === 3 ? `  model.add(tf.layers.maxPooling2d({ poolSize: 2, name: '${name}_pool' }));\n` : ''}}
`,
    );
  }
  const names = Array.from({ length: blocks }, (_, i) => `block${String(i).padStart(2, '0')}`);
  writeFileSync(
    join(folder, 'model.ts'),
    `import * as tf from '@tensorflow/tfjs';
${names.map((n) => `import { ${n} } from './blocks/${n}';`).join('\n')}

const blocks: Array<(model: tf.Sequential, width: number) => void> = [${names.join(', ')}];

export default function deep(): tf.Sequential {
  const model = tf.sequential({ name: 'deep' });
  model.add(tf.layers.inputLayer({ inputShape: [64, 64, 3] }));
  blocks.forEach((block, i) => block(model, 8 + 2 * Math.floor(i / 12)));
  return model;
}
`,
  );
  return join(folder, 'model.ts');
}

/** Compiles the entry and its relative imports with transpileModule, as a loader would. */
function transpileTree(entry: string): number {
  // Loaded at run time (not bundled into this script) so that `first` counts loading it.
  const ts = createRequire(__filename)('typescript') as typeof import('typescript');
  const seen = new Set<string>();
  const pending = [resolve(entry)];
  let bytes = 0;
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    const output = ts.transpileModule(source, {
      fileName: file,
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        inlineSourceMap: true,
        esModuleInterop: true,
      },
    });
    bytes += output.outputText.length;
    for (const imported of ts.preProcessFile(source, true, true).importedFiles) {
      if (!imported.fileName.startsWith('.')) continue;
      const base = resolve(dirname(file), imported.fileName);
      const candidate = [`${base}.ts`, join(base, 'index.ts'), base].find((f) => existsSync(f));
      if (candidate) pending.push(candidate);
    }
  }
  return bytes;
}

async function compileOnce(compiler: Compiler, file: string): Promise<void> {
  if (compiler === 'typescript') {
    transpileTree(file);
    return;
  }
  const { bundleModelFile } = await import('../src/analysis/model/bundleModelFile');
  await bundleModelFile(file);
}

function redirectEsbuild(compiler: Compiler): void {
  const loader = Module as unknown as { _load: (r: string, ...a: unknown[]) => unknown };
  const originalLoad = loader._load;
  loader._load = (request, ...rest) =>
    originalLoad(request === 'esbuild' || request === 'esbuild-wasm' ? compiler : request, ...rest);
}

async function child(compiler: Compiler, files: string[]): Promise<void> {
  redirectEsbuild(compiler);
  const figures: Record<string, number> = {};
  let started = performance.now();
  await compileOnce(compiler, files[0]);
  figures.first = performance.now() - started;
  for (const file of files) {
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      started = performance.now();
      await compileOnce(compiler, file);
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    figures[file] = times[2];
  }
  process.stdout.write(`${JSON.stringify(figures)}\n`);
  process.exit(0);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    await child(args[1] as Compiler, args.slice(2));
    return;
  }
  const generated = writeGeneratedProject(join(tmpdir(), 'cnn-inspector-bench-50-files'));
  const files = [
    ...['lenet.ts', 'cifar10net.ts', 'vgg16.ts', 'edges1d.ts'].map((f) => join(examples, f)),
    generated,
  ];
  const label = (f: string) => (f === generated ? '50-file project' : f.slice(examples.length + 1));
  console.log(`model-file compilers · node ${process.version} · median of 5 (ms)`);
  console.log(['compiler', 'first', ...files.map(label)].map((c) => c.padEnd(16)).join(''));
  for (const compiler of COMPILERS) {
    const run = spawnSync(process.execPath, [__filename, '--child', compiler, ...files], {
      encoding: 'utf8',
    });
    const line = run.stdout.split('\n').find((l) => l.startsWith('{'));
    if (!line) {
      console.log(`${compiler.padEnd(16)}failed: ${run.stderr.trim().split('\n').pop()}`);
      continue;
    }
    const figures = JSON.parse(line) as Record<string, number>;
    const cells = [figures.first, ...files.map((f) => figures[f])].map((v) => v.toFixed(0));
    console.log([compiler, ...cells].map((c) => c.padEnd(16)).join(''));
  }
}

void main();
