// Requests interrupted by a worker restart they did not cause run again on the new worker (issue
// 9: a cold VGG-16 panel stayed blank for good when the engine setting, noticed by VS Code a few
// seconds late, restarted the worker while the panel was loading).
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { WorkerClient } from '../../src/host/workerClient';
import {
  MAX_RESTARTS,
  WorkerRestarted,
  afterFailure,
  requestSurvivingRestarts,
} from '../../src/host/workerRestarts';
import { InspectorError } from '../../src/analysis/errors';
import type { WorkerConfig } from '../../src/protocol/worker/workerProtocol';
import { ensureBuilt, repoRoot } from './helpers/build';

const models = join(__dirname, '..', 'fixtures', 'models');
const tiny = { file: join(models, 'tiny.ts') };
const wasm: WorkerConfig = { backend: 'wasm', searchDirs: [], maxImageMegapixels: 100 };
const LONG = 60_000;

describe('worker restarts: what runs again', () => {
  it('runs again a request that a restart it did not cause interrupted', () => {
    assert.deepEqual(afterFailure(new WorkerRestarted('for the new settings'), 0, false), {
      runAgain: true,
    });
    assert.deepEqual(afterFailure(new WorkerRestarted(), MAX_RESTARTS - 1, false), {
      runAgain: true,
    });
  });

  it('lets through its own Cancel, a timeout, a crash and any other error', () => {
    const own = new InspectorError('cancelled', 'Cancelled.');
    for (const error of [
      own,
      new InspectorError('timeout', 'Loading m.ts took longer than 120 s'),
      new InspectorError('worker', 'The model worker exited (code 4).'),
      new InspectorError('out-of-memory', 'The model ran out of memory'),
      new Error('something else'),
    ])
      assert.deepEqual(afterFailure(error, 0, false), { runAgain: false, error });
    // Cancelled by its user while a restart was under way: not run again either.
    const restarted = new WorkerRestarted('by the user');
    assert.deepEqual(afterFailure(restarted, 0, true), { runAgain: false, error: restarted });
  });

  it('gives up after restarts in a row, with an error the panel shows (not a silent cancel)', () => {
    const next = afterFailure(new WorkerRestarted('for the new settings'), MAX_RESTARTS, false);
    assert.equal(next.runAgain, false);
    const error = (next as { error: unknown }).error;
    assert.ok(error instanceof InspectorError);
    assert.equal(error.kind, 'worker');
    assert.match(
      error.message,
      /^The model worker was restarted for the new settings\. The request was interrupted by 4 restarts in a row/,
    );
  });
});

describe('worker restarts: through a real worker', function () {
  this.timeout(120_000);
  let client: WorkerClient;

  before(() => ensureBuilt());
  beforeEach(() => {
    client = new WorkerClient({
      workerScript: join(repoRoot, 'dist', 'worker.js'),
      memoryLimitMb: 256,
    });
  });
  afterEach(() => client.dispose());

  it('a load interrupted by a restart for new settings runs again, with those settings', async () => {
    let config = wasm;
    const progress: string[] = [];
    const loading = requestSurvivingRestarts<'loadModel'>(
      client,
      () => ({ type: 'loadModel', config, model: tiny, reload: false }),
      { timeoutMs: LONG, onProgress: (m) => progress.push(m) },
    );
    // The setting changes while the model loads: VS Code says so, the host restarts the worker.
    config = { ...wasm, backend: 'cpu' };
    client.restart(new WorkerRestarted('for the new settings'));
    const loaded = await loading;
    assert.equal(loaded.backend, 'cpu', 'the second run read the new settings');
    assert.deepEqual(
      loaded.summary.layers.map((l) => l.name),
      ['sum2x2', 'pool', 'flat', 'out'],
    );
    assert.ok(
      progress.includes('Starting again: the model worker was restarted for the new settings'),
      progress.join('; '),
    );
  });

  it("another request's Cancel stops only that one: the one queued behind it runs again", async () => {
    const controller = new AbortController();
    const hanging = client.request(
      { type: 'loadModel', config: wasm, model: { file: join(models, 'hangs.ts') }, reload: false },
      { timeoutMs: LONG, signal: controller.signal },
    );
    const queued = client.request(
      { type: 'loadModel', config: wasm, model: tiny, reload: false },
      { timeoutMs: LONG },
    );
    const survivor = requestSurvivingRestarts<'loadModel'>(
      client,
      () => ({ type: 'loadModel', config: wasm, model: tiny, reload: false }),
      { timeoutMs: LONG },
    );
    setTimeout(() => controller.abort(), 1500);
    await assert.rejects(hanging, (error: unknown) => {
      assert.ok(!(error instanceof WorkerRestarted), String(error));
      assert.ok(error instanceof InspectorError && error.kind === 'cancelled');
      assert.equal(error.message, 'Cancelled.');
      return true;
    });
    await assert.rejects(queued, (error: unknown) => {
      assert.ok(error instanceof WorkerRestarted, String(error));
      assert.equal(error.message, 'The model worker was restarted to stop another request.');
      return true;
    });
    const loaded = await survivor;
    assert.equal(loaded.summary.layers.length, 4);
  });

  it('its own Cancel during a load is not run again', async () => {
    const controller = new AbortController();
    const loading = requestSurvivingRestarts<'loadModel'>(
      client,
      () => ({
        type: 'loadModel',
        config: wasm,
        model: { file: join(models, 'hangs.ts') },
        reload: false,
      }),
      { timeoutMs: LONG, signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 1500);
    await assert.rejects(loading, (error: unknown) => {
      assert.ok(error instanceof InspectorError && !(error instanceof WorkerRestarted));
      assert.equal(error.message, 'Cancelled.');
      return true;
    });
    assert.equal(client.running, false, 'no worker was started again');
  });
});
