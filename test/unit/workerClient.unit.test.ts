import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { WorkerClient } from '../../src/host/workerClient';
import { InspectorError, type InspectorErrorKind } from '../../src/analysis/errors';
import type { WorkerConfig } from '../../src/protocol/worker/workerProtocol';
import { ensureBuilt, repoRoot } from './helpers/build';

const models = join(__dirname, '..', 'fixtures', 'models');
const image = join(__dirname, '..', 'fixtures', 'images', 'chessboard_GRAY.png');
const config: WorkerConfig = { backend: 'wasm', searchDirs: [], maxImageMegapixels: 100 };
const LONG = 60_000;

function isError(kind: InspectorErrorKind, pattern: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof InspectorError, String(error));
    assert.equal(error.kind, kind, error.message);
    assert.match(error.message, pattern);
    return true;
  };
}

describe('model worker', function () {
  this.timeout(120_000);
  let client: WorkerClient;
  const log: string[] = [];

  before(() => ensureBuilt());
  beforeEach(() => {
    client = new WorkerClient({
      workerScript: join(repoRoot, 'dist', 'worker.js'),
      memoryLimitMb: 256,
      log: (l) => log.push(l),
    });
  });
  afterEach(() => client.dispose());

  async function tinyWorks(): Promise<void> {
    const model = { file: join(models, 'tiny.ts') };
    const loaded = await client.request(
      { type: 'loadModel', config, model, reload: false },
      { timeoutMs: LONG },
    );
    assert.deepEqual(
      loaded.summary.layers.map((l) => l.name),
      ['sum2x2', 'pool', 'flat', 'out'],
    );
    const layer = await client.request(
      { type: 'getLayer', config, model, inputSource: image, layerName: 'sum2x2' },
      { timeoutMs: LONG },
    );
    assert.ok(layer.data instanceof Float32Array);
    assert.deepEqual(layer.shape, [3, 3, 1]);
  }

  it('loads a model, runs an image and returns a layer as a Float32Array, reporting progress', async () => {
    const progress: string[] = [];
    const model = { file: join(models, 'tiny.ts') };
    const loaded = await client.request(
      { type: 'loadModel', config, model, reload: false },
      { timeoutMs: LONG, onProgress: (m) => progress.push(m) },
    );
    assert.equal(loaded.backend, 'wasm');
    assert.ok(
      progress.some((m) => m.startsWith('Bundling')),
      progress.join('; '),
    );
    const result = await client.request(
      { type: 'runInput', config, model, inputSource: image },
      { timeoutMs: LONG },
    );
    assert.equal(result.input.rgba.length, 4 * 4 * 4);
    await tinyWorks();
  });

  it('cancels a model file that loops forever, and the next request gets a fresh worker', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 1500);
    const started = Date.now();
    await assert.rejects(
      client.request(
        { type: 'loadModel', config, model: { file: join(models, 'hangs.ts') }, reload: false },
        { timeoutMs: LONG, signal: controller.signal },
      ),
      isError('cancelled', /Cancelled/),
    );
    assert.ok(Date.now() - started < 10_000, 'cancellation is prompt');
    assert.equal(client.running, false, 'the looping worker was terminated');
    await tinyWorks();
  });

  it('stops a looping model file at the timeout with a message that names the setting', async () => {
    await assert.rejects(
      client.request(
        { type: 'loadModel', config, model: { file: join(models, 'hangs.ts') }, reload: false },
        { timeoutMs: 3000 },
      ),
      isError('timeout', /hangs\.ts took longer than 3 s .*cnnInspector\.modelTimeoutSeconds/),
    );
    await tinyWorks();
  });

  it('stops a model file that eats memory, without harming this process', async () => {
    await assert.rejects(
      client.request(
        {
          type: 'loadModel',
          config,
          model: { file: join(models, 'eatsMemory.ts') },
          reload: false,
        },
        { timeoutMs: LONG },
      ),
      isError(
        'out-of-memory',
        /eatsMemory\.ts: The model ran out of memory \(limit 256 MB, setting cnnInspector\.workerMemoryLimitMb\)/,
      ),
    );
    await tinyWorks();
  });

  // Stopping a thread while ONNX Runtime creates a session aborted the whole process (in VS Code
  // the extension host): the client now waits for the call to end before it stops the thread.
  it('stops the worker during an ONNX Runtime call without aborting the process', async () => {
    const model = { file: join(models, 'bigDense.ts') };
    const loading = client.request(
      { type: 'loadModel', config: { ...config, engine: 'onnxruntime' }, model, reload: false },
      { timeoutMs: LONG },
    );
    const inFlight = () => (client as unknown as { nativeCalls?: Int32Array }).nativeCalls;
    const deadline = Date.now() + LONG;
    while (!(inFlight() && Atomics.load(inFlight()!, 0) > 0)) {
      assert.ok(Date.now() < deadline, 'ONNX Runtime was never called');
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    client.restart();
    await assert.rejects(loading, isError('cancelled', /restarted/));
    await client.whenStopped();
    await tinyWorks(); // this process is alive, and a new thread answers
  });

  it('replaces the worker after a WebAssembly out-of-memory, blaming the right file and line', async () => {
    const file = join(models, 'wasmOutOfMemory.ts');
    await assert.rejects(
      client.request(
        { type: 'loadModel', config, model: { file }, reload: false },
        { timeoutMs: LONG },
      ),
      (error: unknown) => {
        assert.ok(error instanceof InspectorError, String(error));
        assert.equal(error.kind, 'out-of-memory', error.message);
        assert.equal(error.location?.file, file);
        assert.equal(error.location?.line, 7);
        assert.match(
          error.message,
          /wasmOutOfMemory\.ts:7:\d+: the model ran out of memory in export 'default' \(RuntimeError: memory access out of bounds\)/,
        );
        return true;
      },
    );
    assert.equal(client.running, false, 'the poisoned worker was stopped');
    // The next model runs in a fresh worker, twice (a poisoned module fails every call).
    await tinyWorks();
    await tinyWorks();
    assert.ok(
      log.some((l) =>
        /Stopping the model worker: The model worker was replaced: .*wasmOutOfMemory\.ts:7/.test(l),
      ),
      log.join('\n'),
    );
  });

  it('fails a request queued behind the WebAssembly failure with the reason, not a crash', async () => {
    const bad = client.request(
      {
        type: 'loadModel',
        config,
        model: { file: join(models, 'wasmOutOfMemory.ts') },
        reload: false,
      },
      { timeoutMs: LONG },
    );
    const queued = client.request(
      { type: 'loadModel', config, model: { file: join(models, 'tiny.ts') }, reload: false },
      { timeoutMs: LONG },
    );
    await assert.rejects(bad, isError('out-of-memory', /ran out of memory/));
    await assert.rejects(
      queued,
      isError(
        'worker',
        /model worker was replaced: .*wasmOutOfMemory\.ts:7:\d+: the model ran out of memory/,
      ),
    );
    await tinyWorks();
  });

  for (const [fixture, line, code] of [
    ['exits.ts', 3, 3],
    ['exitsLater.ts', 5, 0],
  ] as const) {
    it(`names the file and line of a process.exit(${code}) in a model file (${fixture}), and survives it`, async () => {
      const file = join(models, fixture);
      await assert.rejects(
        client.request(
          { type: 'loadModel', config, model: { file }, reload: false },
          { timeoutMs: LONG },
        ),
        (error: unknown) => {
          assert.ok(error instanceof InspectorError, String(error));
          assert.equal(error.kind, 'runtime', error.message);
          assert.equal(error.location?.file, file);
          assert.equal(error.location?.line, line);
          assert.match(
            error.message,
            new RegExp(
              `${fixture.replace('.', '\\.')}:${line}:\\d+: the model file called process\\.exit\\(${code}\\), which would stop the model worker`,
            ),
          );
          return true;
        },
      );
      await tinyWorks();
    });
  }

  it('names the model file when its worker exits some other way', async () => {
    await assert.rejects(
      client.request(
        {
          type: 'loadModel',
          config,
          model: { file: join(models, 'exitsNatively.ts') },
          reload: false,
        },
        { timeoutMs: LONG },
      ),
      isError('worker', /exitsNatively\.ts: The model worker exited \(code 4\)/),
    );
    await tinyWorks();
  });

  it('says what timed out: a stalled image read is not blamed on the model file', async () => {
    const stalled = new WorkerClient({
      workerScript: join(__dirname, '..', 'fixtures', 'workers', 'stalls.cjs'),
      memoryLimitMb: 64,
    });
    try {
      await assert.rejects(
        stalled.request(
          { type: 'runInput', config, model: { file: '/m/model.ts' }, inputSource: '/nfs/cat.png' },
          { timeoutMs: 1000 },
        ),
        (error: unknown) => {
          assert.ok(error instanceof InspectorError, String(error));
          assert.equal(error.kind, 'timeout');
          assert.match(
            error.message,
            /^Reading \/nfs\/cat\.png took longer than 1 s and was stopped \(setting cnnInspector\.modelTimeoutSeconds\): the file may be on a slow or unresponsive drive/,
          );
          assert.doesNotMatch(error.message, /loop forever/);
          return true;
        },
      );
      await assert.rejects(
        stalled.request(
          { type: 'loadModel', config, model: { file: '/m/model.ts' }, reload: false },
          { timeoutMs: 1000 },
        ),
        isError(
          'timeout',
          /^Loading \/m\/model\.ts took longer than 1 s and was stopped \(.*\) while building the model and loading weights\. Does the model file loop forever\?$/,
        ),
      );
    } finally {
      stalled.dispose();
    }
  });

  it('keeps a huge timeout a timeout (no timer overflow firing at once)', async () => {
    const started = Date.now();
    const request = client.request(
      { type: 'loadModel', config, model: { file: join(models, 'hangs.ts') }, reload: false },
      { timeoutMs: 1e12 },
    );
    const outcome = await Promise.race([
      request.then(
        () => 'resolved',
        (error: Error) => `rejected: ${error.message}`,
      ),
      new Promise((resolve) => setTimeout(() => resolve('still running'), 3000)),
    ]);
    assert.equal(outcome, 'still running', `after ${Date.now() - started} ms`);
    client.restart();
    await request.catch(() => undefined);
  });

  it('replaces a worker whose WebAssembly memory may be corrupt after a fault', async () => {
    const faulty = new WorkerClient({
      workerScript: join(__dirname, '..', 'fixtures', 'workers', 'wasmFault.cjs'),
      memoryLimitMb: 64,
    });
    const request = (file: string) =>
      faulty.request(
        { type: 'loadModel', config, model: { file }, reload: false },
        { timeoutMs: LONG },
      ) as unknown as Promise<{ requests: number }>;
    try {
      await assert.rejects(request('fault.ts'), isError('runtime', /memory access out of bounds/));
      assert.equal(faulty.running, false, 'the faulted worker was stopped');
      // The next request is the first of a fresh worker (the old one would count 2).
      assert.deepEqual(await request('fine.ts'), { requests: 1 });
    } finally {
      faulty.dispose();
    }
  });

  it('passes errors with their source location across the thread boundary', async () => {
    await assert.rejects(
      client.request(
        { type: 'loadModel', config, model: { file: join(models, 'throws.ts') }, reload: false },
        { timeoutMs: LONG },
      ),
      (error: unknown) => {
        assert.ok(error instanceof InspectorError);
        assert.equal(error.location?.line, 5);
        assert.match(error.message, /throws\.ts:5:\d+: too many filters/);
        return true;
      },
    );
  });
});
