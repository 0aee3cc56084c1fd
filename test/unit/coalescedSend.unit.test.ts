// The gallery's folder results reach the panel one send at a time, the latest
// (src/extension/gallery/coalescedSend.ts): the sends expected are worked out by hand.
import { strict as assert } from 'node:assert';
import { CoalescedSend } from '../../src/extension/gallery/coalescedSend';

/** A send that finishes when the test says so, noting what was sent. */
function controlledSend() {
  const sent: string[] = [];
  const finish: (() => void)[] = [];
  const send = (value: string) =>
    new Promise<void>((resolve) => {
      sent.push(value);
      finish.push(resolve);
    });
  const finishNext = async () => {
    finish.shift()?.();
    await new Promise((r) => setImmediate(r));
  };
  return { sent, send, finishNext };
}

describe('Gallery: coalesced sends to the panel', () => {
  it('sends the first value at once and only the latest of those offered meanwhile', async () => {
    const { sent, send, finishNext } = controlledSend();
    const sender = new CoalescedSend(send);
    const done = sender.offer('partial 1');
    void sender.offer('partial 2');
    void sender.offer('partial 3');
    assert.deepEqual(sent, ['partial 1']); // one send at a time
    await finishNext();
    assert.deepEqual(sent, ['partial 1', 'partial 3']); // partial 2 was superseded
    await finishNext();
    await done; // resolves once nothing is left to send
    assert.deepEqual(sent, ['partial 1', 'partial 3']);
  });

  it('sends again when a value comes after the last send finished', async () => {
    const { sent, send, finishNext } = controlledSend();
    const sender = new CoalescedSend(send);
    void sender.offer('a');
    await finishNext();
    void sender.offer('b');
    assert.deepEqual(sent, ['a', 'b']);
    await finishNext();
  });

  it('resends the same value when it is offered again during a send (its crops grew)', async () => {
    const { sent, send, finishNext } = controlledSend();
    const sender = new CoalescedSend(send);
    void sender.offer('final');
    void sender.offer('final');
    await finishNext();
    assert.deepEqual(sent, ['final', 'final']);
    await finishNext();
  });

  it('keeps going after a failed send, and the caller sees the failure', async () => {
    let calls = 0;
    const sender = new CoalescedSend(async (value: string) => {
      calls++;
      if (value === 'bad') throw new Error('post failed');
    });
    await assert.rejects(sender.offer('bad'), /post failed/);
    await sender.offer('good');
    assert.equal(calls, 2);
  });
});
