/**
 * Progress saves of a long run (the folder gallery's cache, a dataset shard's checkpoint): one
 * after the other, at most one per interval while the run goes on, so a run that is killed keeps
 * what it had computed until shortly before.
 */
export class PeriodicSave {
  private saving: Promise<void> = Promise.resolve();
  private lastSave = Date.now();

  constructor(
    private readonly write: () => Promise<void>,
    private readonly intervalMs: number,
  ) {}

  /** Saves when the interval has passed since the last save began; settles once it is written. */
  due(): Promise<void> | undefined {
    return Date.now() - this.lastSave >= this.intervalMs ? this.now() : undefined;
  }

  /** Saves after the saves already started; settles once it is written. */
  now(): Promise<void> {
    this.lastSave = Date.now();
    this.saving = this.saving.then(this.write);
    return this.saving;
  }

  /** Settles when the saves started so far are written (rejects if one of them failed). */
  settled(): Promise<void> {
    return this.saving;
  }
}
