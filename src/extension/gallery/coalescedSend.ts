/**
 * Sends to the panel one value at a time, the latest: while a send runs, the values offered
 * meanwhile collapse into one more send of the last of them (a folder gallery's partial results
 * arrive faster than their crops are made and posted). Pure logic, tested in Node.
 */
export class CoalescedSend<T> {
  private sending: Promise<void> | undefined;
  private latest: T | undefined;
  private dirty = false;

  constructor(private readonly send: (value: T) => Promise<void>) {}

  /** Sends `value`, or queues it as the next send; resolves once nothing is left to send. */
  offer(value: T): Promise<void> {
    this.latest = value;
    if (this.sending) {
      this.dirty = true;
      return this.sending;
    }
    this.sending = (async () => {
      do {
        this.dirty = false;
        await this.send(this.latest as T);
      } while (this.dirty);
    })().finally(() => (this.sending = undefined));
    return this.sending;
  }
}
