/**
 * Progress saves of a long run (the folder gallery's cache, a dataset shard's checkpoint): one
 * after the other, at most one per interval while the run goes on, so a run that is killed keeps
 * what it had computed until shortly before.
 *
 * A save that fails is handed to `onFailure` and the run goes on: progress saves are a safety net,
 * and losing hours of computed results because a checkpoint could not be written would be worse.
 * No promise of this class ever rejects, so a save started without waiting for it cannot end the
 * process with an unhandled rejection.
 */
export class PeriodicSave {
  private saving: Promise<void> = Promise.resolve();
  private lastSave = Date.now();

  constructor(
    private readonly write: () => Promise<void>,
    private readonly intervalMs: number,
    private readonly onFailure: (error: unknown) => void,
  ) {}

  /** Saves when the interval has passed since the last save began; settles once it is written. */
  due(): Promise<void> | undefined {
    return Date.now() - this.lastSave >= this.intervalMs ? this.now() : undefined;
  }

  /** Saves after the saves already started; settles once it is written or has failed. */
  now(): Promise<void> {
    this.lastSave = Date.now();
    this.saving = this.saving.then(this.write).catch(this.onFailure);
    return this.saving;
  }

  /** Settles when the saves started so far are written or have failed. */
  settled(): Promise<void> {
    return this.saving;
  }
}
