// Re-run on save reloads the model file on every save: a reload must give back everything the
// previous load held (JS heap and tensors), as the worker does it (open a session, dispose the old).
import * as assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { join } from 'node:path';
import { InspectionSession } from '../../src/analysis/inspectionSession';
import { testRuntime } from './helpers/runtime';

const models = join(__dirname, '..', 'fixtures', 'models');
const RELOADS = 200;
const WARM_UP = 20;

/** A full collection, twice (weak maps and finalizers let go on the second pass). */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
}

function heapUsedMb(): number {
  collectGarbage();
  return process.memoryUsage().heapUsed / 1e6;
}

describe('model reloads', function () {
  this.timeout(600_000);

  it(`gives back the JS heap and every tensor over ${RELOADS} reloads`, async () => {
    const runtime = await testRuntime();
    const file = join(models, 'tiny.ts');
    const tensorsBefore = runtime.tf.memory().numTensors;
    let heapAfterWarmUp = 0;
    let session: InspectionSession | undefined;
    for (let i = 0; i < RELOADS; i++) {
      const next = await InspectionSession.open(runtime, file, undefined);
      session?.dispose();
      session = next;
      // Warm-up: tfjs, esbuild and V8 fill their caches during the first loads.
      if (i === WARM_UP - 1) heapAfterWarmUp = heapUsedMb();
    }
    session?.dispose();
    const growth = heapUsedMb() - heapAfterWarmUp;
    // Each load used to keep ~0.15 MB (the bundle, referenced from module.children): 27 MB here.
    assert.ok(
      growth < 2,
      `${(RELOADS - WARM_UP).toString()} reloads kept ${growth.toFixed(2)} MB of JS heap`,
    );
    assert.equal(runtime.tf.memory().numTensors, tensorsBefore, 'tensors leaked');
  });

  it("keeps the model file's lines in errors thrown after a garbage collection", async () => {
    // The bundle's source map lives as long as its Module: the session must hold it.
    const runtime = await testRuntime();
    const session = await InspectionSession.open(
      runtime,
      join(models, 'badPreprocess.ts'),
      undefined,
    );
    try {
      // WeakRefs made during a job survive until it ends: collect on a later turn, twice.
      for (let i = 0; i < 2; i++) {
        await new Promise((resolve) => setImmediate(resolve));
        collectGarbage();
      }
      await assert.rejects(
        session.runInput(join(__dirname, '..', 'fixtures', 'images', 'chessboard_GRAY.png')),
        /badPreprocess\.ts:4:\d+: .*\(thrown in preprocess\)/,
      );
    } finally {
      session.dispose();
    }
  });
});
