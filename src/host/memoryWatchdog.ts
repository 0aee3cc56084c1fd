/**
 * Host side of the worker's memory limit. V8's heap limit (resourceLimits) does not count typed
 * arrays, buffers or WebAssembly memory, where a model's tensors live. So while a worker has
 * requests in flight, this watchdog compares its real footprint with the limit every 100 ms: the
 * larger of what the worker reports of itself (heap + external memory, wasm included; sent when
 * its event loop is free) and the growth of the process's resident memory since the work started
 * (which also sees a model allocating in a loop that never yields). Workers busy at the same time
 * share that growth equally.
 */
const busyWatchdogs = new Set<MemoryWatchdog>();
const INTERVAL_MS = 100;

export class MemoryWatchdog {
  private timer: NodeJS.Timeout | undefined;
  private rssAtStart = 0;
  private footprintAtStart = 0;
  private reported = 0;

  constructor(
    /** Checked on each tick, so a new limit applies at once. */
    public limitBytes: number,
    private readonly onExceeded: (usedBytes: number) => void,
  ) {}

  /** The worker's own count of its footprint. */
  report(bytes: number): void {
    this.reported = bytes;
    if (this.timer) this.check();
  }

  /** Starts watching when the worker gets work, stops when it has none. */
  setBusy(busy: boolean): void {
    if (busy && !this.timer) {
      this.rssAtStart = process.memoryUsage.rss();
      this.footprintAtStart = this.reported;
      busyWatchdogs.add(this);
      this.timer = setInterval(() => this.check(), INTERVAL_MS);
      this.timer.unref();
    } else if (!busy) {
      this.stop();
    }
  }

  /** A new worker: nothing is known of it yet. */
  reset(): void {
    this.stop();
    this.reported = 0;
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    busyWatchdogs.delete(this);
  }

  private check(): void {
    const sharing = Math.max(1, busyWatchdogs.size);
    const grown = Math.max(0, process.memoryUsage.rss() - this.rssAtStart);
    const used = Math.max(this.reported, this.footprintAtStart + grown / sharing);
    if (used > this.limitBytes) {
      this.stop();
      this.onExceeded(used);
    }
  }
}
