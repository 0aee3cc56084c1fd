/**
 * The numbers that let a panel's webview draw only current maps: each model shown and each pass on
 * an input starts a run (`model`, `image` and `layer` messages carry it, so maps of an earlier run
 * are dropped), and the webview's latest `selectLayer` request is echoed in `layer`. The host also
 * numbers its own layer reads, so a slow answer for an older choice is not posted at all.
 */
export class MapRequests {
  private layerReads = 0;
  private runNumber = 0;
  /** The webview's latest `selectLayer` request (0: none since it loaded). */
  private panelRequest = 0;

  get run(): number {
    return this.runNumber;
  }

  newRun(): void {
    this.runNumber++;
  }

  /** A new webview numbers its requests from 1. */
  webviewLoaded(): void {
    this.panelRequest = 0;
  }

  panelAsked(request: number): void {
    this.panelRequest = request;
  }

  /** A layer read: the stamp its answer carries, and whether it is still the latest read. */
  startLayerRead(): { stamp: { run: number; request: number }; isLatest: () => boolean } {
    const read = ++this.layerReads;
    return {
      stamp: { run: this.runNumber, request: this.panelRequest },
      isLatest: () => read === this.layerReads,
    };
  }
}
