// Multi-threaded WebAssembly in Node: the thread count a setting means, threads that really run,
// results equal to the single-threaded build, a fallback when the pthreads cannot start, and no
// thread left behind when the model worker is stopped mid-pass.
//
// tfjs's wasm backend is process-wide state, so every scenario that initialises it runs in a fresh
// worker thread of its own (from source, through tsx) and never touches this process's runtime.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { MAX_WASM_THREADS, wasmThreadCount } from '../../src/analysis/wasmThreadCount';
import { THREADS, integerArgument } from '../../src/cli/numericArguments';
import { findThreadScripts } from '../../src/analysis/wasmThreads';
import { WorkerClient } from '../../src/host/workerClient';
import { InspectorError } from '../../src/analysis/errors';
import type { ModelRef, WorkerConfig } from '../../src/protocol/worker/workerProtocol';
import { ensureBuilt, repoRoot } from './helpers/build';

/** Threads of this process (Linux): worker threads show up here while they live. */
function threadCount(): number {
  return readdirSync('/proc/self/task').length;
}

/** The count with libuv's thread pool already started (the first async file read starts it). */
async function baselineThreads(): Promise<number> {
  await readFile(__filename);
  return threadCount();
}

async function threadsBackTo(baseline: number): Promise<number> {
  for (let i = 0; i < 50 && threadCount() > baseline; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return threadCount();
}

interface Scenario {
  threads: number;
  /** A main script for the pthreads that replaces the real one (to make them fail). */
  brokenMainScript?: string;
  /** Keep convolving until terminated, after posting `{ busy: true }`. */
  spin?: boolean;
}

interface ScenarioResult {
  notes: string[];
  backend: string;
  threadsInUse: number;
  /** Threads of the process after the backend started. */
  tasksAfterInit: number;
  /** conv2d of the 8x8 ramp x[i][j] = 8i + j with a 3x3 kernel of ones ('valid'): 6x6. */
  ramp: number[];
  /** The small conv net's output for a fixed input. */
  net: Float32Array;
  tensorsBefore: number;
  tensorsAfter: number;
}

// Runs in the scenario's worker thread. Seeded weights and a formula input: the same numbers in
// every thread count, so the outputs can be compared value by value.
const scenarioSource = (root: string) => `
require('tsx/cjs');
const { parentPort, workerData } = require('node:worker_threads');
const { readdirSync } = require('node:fs');
const { loadRuntime } = require(${JSON.stringify(join(root, 'src/analysis/runtime.ts'))});
const { setWasmBackend, findThreadScripts } = require(${JSON.stringify(join(root, 'src/analysis/wasmThreads.ts'))});
const wasm = require('@tensorflow/tfjs-backend-wasm');
const tf = require('@tensorflow/tfjs');

async function start() {
  const { threads, brokenMainScript } = workerData;
  if (!brokenMainScript) return loadRuntime('wasm', { wasmThreads: threads });
  // The runtime's own path, with pthreads that throw while loading their script.
  const dir = require('node:path').join(require.resolve('@tensorflow/tfjs-backend-wasm'), '..');
  wasm.setWasmPaths(dir + '/');
  const scripts = { ...findThreadScripts(dir), mainScript: brokenMainScript };
  const notes = [];
  const ok = await setWasmBackend(tf, threads, dir, notes, { scripts });
  return { tf, backend: ok ? tf.getBackend() : 'none', notes };
}

function net() {
  const init = (seed) => tf.initializers.randomNormal({ mean: 0, stddev: 0.2, seed });
  const model = tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [48, 48, 3], filters: 32, kernelSize: 3, activation: 'relu',
      kernelInitializer: init(1), biasInitializer: init(2), useBias: true }),
    tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.conv2d({ filters: 64, kernelSize: 3, padding: 'same', activation: 'relu',
      kernelInitializer: init(3), biasInitializer: init(4), useBias: true }),
    tf.layers.conv2d({ filters: 16, kernelSize: 1, kernelInitializer: init(5) }),
  ] });
  const input = tf.tidy(() => tf.sin(tf.range(0, 48 * 48 * 3).mul(0.37)).reshape([1, 48, 48, 3]));
  return { model, input };
}

(async () => {
  const runtime = await start();
  const tasksAfterInit = readdirSync('/proc/self/task').length;
  const tensorsBefore = tf.memory().numTensors;
  const { model, input } = net();
  if (workerData.spin) {
    parentPort.postMessage({ busy: true });
    for (;;) tf.tidy(() => model.predict(input).dataSync());
  }
  const out = model.predict(input);
  const netOut = await out.data();
  const ramp = tf.tidy(() =>
    tf.conv2d(tf.range(0, 64).reshape([1, 8, 8, 1]), tf.ones([3, 3, 1, 1]), 1, 'valid').dataSync());
  out.dispose();
  input.dispose();
  model.dispose();
  parentPort.postMessage({
    notes: runtime.notes,
    backend: runtime.backend,
    threadsInUse: wasm.getThreadsCount(),
    tasksAfterInit,
    ramp: Array.from(ramp),
    net: netOut,
    tensorsBefore,
    tensorsAfter: tf.memory().numTensors,
  });
})().catch((error) => parentPort.postMessage({ error: String(error && error.stack || error) }));
`;

/** Starts the scenario in a fresh thread; resolves with its first message. */
function startScenario(scenario: Scenario): { worker: Worker; first: Promise<unknown> } {
  const worker = new Worker(scenarioSource(repoRoot), { eval: true, workerData: scenario });
  const first = new Promise<unknown>((resolve, reject) => {
    worker.once('message', (message: { error?: string }) =>
      message.error ? reject(new Error(message.error)) : resolve(message),
    );
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the scenario thread exited (${code})`)));
  });
  return { worker, first };
}

async function runScenario(scenario: Scenario): Promise<ScenarioResult> {
  const { worker, first } = startScenario(scenario);
  try {
    return (await first) as ScenarioResult;
  } finally {
    await worker.terminate();
  }
}

/** out[i][j] = sum of the 3x3 ramp window at (i, j) = 9 * centre = 9 * (8 (i + 1) + j + 1). */
const rampByHand = Array.from({ length: 36 }, (_, k) => {
  const [i, j] = [Math.floor(k / 6), k % 6];
  return 9 * (8 * (i + 1) + j + 1);
});

function assertClose(actual: Float32Array, expected: Float32Array): void {
  assert.equal(actual.length, expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const scale = Math.max(1, Math.abs(expected[i]!));
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / scale);
  }
  assert.ok(worst < 1e-5, `largest relative difference ${worst}`);
}

describe('wasm thread count', () => {
  it('0 means one per core, capped at the 8 tfjs can use', () => {
    assert.equal(wasmThreadCount(0, 2), 2);
    assert.equal(wasmThreadCount(0, 6), 6);
    assert.equal(wasmThreadCount(0, 64), 8);
    assert.equal(wasmThreadCount(0, 1), 1);
    assert.equal(MAX_WASM_THREADS, 8);
  });

  it('explicit counts are kept up to 8; absent means single-threaded', () => {
    assert.equal(wasmThreadCount(1, 16), 1);
    assert.equal(wasmThreadCount(3, 2), 3);
    assert.equal(wasmThreadCount(100, 2), 8);
    assert.equal(wasmThreadCount(undefined, 16), 1);
  });

  it('refuses negative, fractional and non-numbers', () => {
    for (const bad of [-1, 2.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => wasmThreadCount(bad, 4), RangeError, String(bad));
    }
  });

  it('--threads takes digits only, up to the threads tfjs can use', () => {
    const threads = (text: string) => integerArgument('threads', text, THREADS);
    assert.equal(threads('0'), 0);
    assert.equal(threads('2'), 2);
    assert.equal(threads(' 4 '), 4);
    assert.equal(threads(String(MAX_WASM_THREADS)), MAX_WASM_THREADS);
    for (const bad of [
      '',
      ' ',
      '-1',
      '1.5',
      'two',
      '2x',
      '0x10',
      '1e3',
      String(MAX_WASM_THREADS + 1),
    ]) {
      assert.throws(() => threads(bad), /--threads must be a whole number from 0 to 8/, bad);
    }
  });

  it('finds the emscripten scripts beside the wasm files before the installed package', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wasm-threads-'));
    try {
      writeFileSync(join(dir, 'tfjs-backend-wasm-threaded-simd.js'), '// glue\n');
      writeFileSync(
        join(dir, 'tfjs-backend-wasm-threaded-simd.worker.js'),
        'module.exports.wasmWorkerContents = "// pthread";\n',
      );
      assert.deepEqual(findThreadScripts(dir), {
        mainScript: join(dir, 'tfjs-backend-wasm-threaded-simd.js'),
        workerSource: '// pthread',
      });
      // Without them (and a worker file that is not the expected module): the package's copies.
      rmSync(join(dir, 'tfjs-backend-wasm-threaded-simd.js'));
      const fromPackage = findThreadScripts(dir);
      assert.match(fromPackage!.mainScript, /tfjs-backend-wasm[/\\]wasm-out[/\\]/);
      assert.match(fromPackage!.workerSource, /ENVIRONMENT_IS_PTHREAD/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('multi-threaded WebAssembly', function () {
  this.timeout(120_000);
  let single: ScenarioResult;
  let baseline: number;

  before(async () => {
    baseline = await baselineThreads();
    single = await runScenario({ threads: 1 });
  });

  it('single-threaded: the hand-computed convolution, no thread notes, no leaks', () => {
    assert.equal(single.backend, 'wasm');
    assert.equal(single.threadsInUse, 1);
    assert.deepEqual(single.ramp, rampByHand);
    assert.equal(single.tensorsAfter, single.tensorsBefore);
    assert.ok(!single.notes.some((n) => /thread/i.test(n)), single.notes.join(' | '));
  });

  it('2 threads: XNNPACK uses 2, results equal the single-threaded ones, no leaks', async () => {
    const threaded = await runScenario({ threads: 2 });
    assert.equal(threaded.backend, 'wasm');
    assert.equal(threaded.threadsInUse, 2);
    assert.ok(
      threaded.notes.includes('WebAssembly on 2 threads (asked for 2).'),
      threaded.notes[0],
    );
    // tfjs starts its 8 pthread workers: each is a thread of this process.
    assert.ok(
      threaded.tasksAfterInit >= single.tasksAfterInit + 8,
      `${threaded.tasksAfterInit} vs ${single.tasksAfterInit}`,
    );
    assert.deepEqual(threaded.ramp, rampByHand);
    assertClose(threaded.net, single.net);
    assert.equal(threaded.tensorsAfter, threaded.tensorsBefore);
    assert.equal(await threadsBackTo(baseline), baseline);
  });

  it('falls back to one thread, with a note, when the pthreads cannot start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wasm-threads-'));
    const broken = join(dir, 'broken.js');
    writeFileSync(broken, 'throw new Error("broken pthread script");\n');
    try {
      const fallback = await runScenario({ threads: 2, brokenMainScript: broken });
      assert.equal(fallback.backend, 'wasm');
      assert.equal(fallback.threadsInUse, 1);
      assert.match(fallback.notes.join(' '), /threads did not start \(.*broken pthread script/);
      assert.ok(
        fallback.tasksAfterInit <= single.tasksAfterInit,
        `pthreads left running: ${fallback.tasksAfterInit} vs ${single.tasksAfterInit}`,
      );
      assert.deepEqual(fallback.ramp, rampByHand);
      assertClose(fallback.net, single.net);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    assert.equal(await threadsBackTo(baseline), baseline);
  });

  it('terminating a thread mid-computation stops its pthreads too', async () => {
    const { worker, first } = startScenario({ threads: 2, spin: true });
    assert.deepEqual(await first, { busy: true });
    assert.ok(threadCount() >= baseline + 9);
    await new Promise((resolve) => setTimeout(resolve, 300)); // well inside a convolution
    await worker.terminate();
    assert.equal(await threadsBackTo(baseline), baseline);
  });
});

describe('model worker with wasm threads', function () {
  this.timeout(180_000);
  const vgg: ModelRef = { file: join(repoRoot, 'examples', 'vgg16.ts') };
  const photo = join(repoRoot, 'examples', 'images', 'chelsea.png');
  const config: WorkerConfig = {
    backend: 'wasm',
    searchDirs: [],
    maxImageMegapixels: 100,
    wasmThreads: 2,
  };

  before(() => ensureBuilt());

  it('reports its threads and leaves none behind when a pass is cancelled', async () => {
    const baseline = await baselineThreads();
    const client = new WorkerClient({
      workerScript: join(repoRoot, 'dist', 'worker.js'),
      memoryLimitMb: 2048,
    });
    try {
      const loaded = await client.request(
        { type: 'loadModel', config, model: vgg, reload: false },
        { timeoutMs: 120_000 },
      );
      assert.equal(loaded.backend, 'wasm');
      // A dist/ built before threads existed would say nothing: rebuild with `npm run build`.
      assert.ok(
        loaded.backendNotes.includes('WebAssembly on 2 threads (asked for 2).'),
        loaded.backendNotes.join(' | '),
      );
      const controller = new AbortController();
      const pass = client.request(
        { type: 'runInput', config, model: vgg, inputSource: photo },
        { timeoutMs: 120_000, signal: controller.signal },
      );
      let threadsDuringPass = 0;
      setTimeout(() => {
        threadsDuringPass = threadCount();
        controller.abort();
      }, 400);
      await assert.rejects(
        pass,
        (error) => error instanceof InspectorError && error.kind === 'cancelled',
      );
      // The model worker and its 8 pthreads were there when the pass was cancelled.
      assert.ok(threadsDuringPass >= baseline + 9, `${threadsDuringPass} vs ${baseline}`);
      await client.whenStopped();
      assert.equal(await threadsBackTo(baseline), baseline);
    } finally {
      client.dispose();
      await client.whenStopped();
    }
  });
});
