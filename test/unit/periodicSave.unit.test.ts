// Progress saves of long runs (folder gallery cache, dataset shard checkpoint): a failed save is
// reported and the run goes on; nothing rejects unhandled, which would end the CLI mid-run.
import * as assert from 'node:assert/strict';
import { PeriodicSave } from '../../src/host/periodicSave';

describe('PeriodicSave', () => {
  let unhandled: unknown[];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  beforeEach(() => {
    unhandled = [];
    process.on('unhandledRejection', onUnhandled);
  });
  afterEach(() => {
    process.off('unhandledRejection', onUnhandled);
  });

  it('reports a failed save, runs the next one, and leaves no rejection unhandled', async () => {
    const written: number[] = [];
    const failures: string[] = [];
    let call = 0;
    const saves = new PeriodicSave(
      async () => {
        call += 1;
        if (call === 1) throw new Error('ENOSPC: no space left on device');
        written.push(call);
      },
      0,
      (error) => failures.push((error as Error).message),
    );
    void saves.due(); // started and not awaited, as the shard gallery does
    void saves.due();
    await saves.settled();
    await new Promise((resolve) => setImmediate(resolve)); // let Node report unhandled rejections
    assert.deepEqual(failures, ['ENOSPC: no space left on device']);
    assert.deepEqual(written, [2], 'the save after the failed one is written');
    assert.deepEqual(unhandled, []);
  });

  it('saves at most once per interval and one save after the other', async () => {
    let running = 0;
    let overlapped = false;
    let count = 0;
    const saves = new PeriodicSave(
      async () => {
        running += 1;
        overlapped ||= running > 1;
        await new Promise((resolve) => setTimeout(resolve, 5));
        running -= 1;
        count += 1;
      },
      60_000,
      () => assert.fail('no save fails here'),
    );
    assert.equal(saves.due(), undefined, 'the interval has not passed since the start');
    void saves.now();
    void saves.now();
    assert.equal(saves.due(), undefined, 'a save just began');
    await saves.settled();
    assert.equal(count, 2);
    assert.equal(overlapped, false);
  });
});
