/**
 * What a panel's status shows besides its maps: the progress line, the line of a load or run the
 * user cancelled (with its button), and the error banner. Kept here so a webview that reloads gets
 * them again, and so new work, an error and a good run replace each other in one place.
 */
import type { HostToPanel } from '../../protocol/panelProtocol';
import { InspectorError, errorMessage } from '../../analysis/errors';
import type { CancelledNotice } from './cancelledNotice';

type ErrorMessage = Extract<HostToPanel, { type: 'error' }>;

/** A cancelled load or run: what the line says and how its button starts the work again. */
export interface CancelledWork {
  notice: CancelledNotice;
  retry: () => Promise<void>;
}

export class PanelStatus {
  /** The progress line (sent again when the webview loads after it was posted). */
  private busyMessage: string | undefined;
  /** The line of a load or run the user cancelled, until new work or an error replaces it. */
  private cancelled: CancelledWork | undefined;
  /** The error the panel shows, until a good run clears it. */
  private shownError: ErrorMessage | undefined;

  constructor(private readonly post: (message: HostToPanel) => void) {}

  setBusy(message: string | undefined): void {
    this.busyMessage = message;
    if (message) this.cancelled = undefined; // new work replaces the cancelled line
    this.post({ type: 'busy', message });
  }

  /** The error, prominently in the panel, with its place in the user's code when known. */
  showError(error: unknown): void {
    const message = errorMessage(error);
    const location = error instanceof InspectorError ? error.location : undefined;
    this.shownError = { type: 'error', message, ...(location ? { location } : {}) };
    this.cancelled = undefined; // the error replaces the line
    this.post(this.shownError);
  }

  /** A good run: the webview clears the banner itself when the model arrives. */
  forgetError(): void {
    this.shownError = undefined;
  }

  showCancelled(work: CancelledWork): void {
    this.cancelled = work;
    this.post(work.notice);
  }

  /** The cancelled line's button: the work to start again, once. */
  takeRetry(): (() => Promise<void>) | undefined {
    const retry = this.cancelled?.retry;
    this.cancelled = undefined;
    return retry;
  }

  /** For a reloaded webview: the progress line, before the model's maps are sent again. */
  replayProgress(): void {
    if (this.busyMessage) this.post({ type: 'busy', message: this.busyMessage });
  }

  /** For a reloaded webview: the error and the cancelled line, after the maps. */
  replayOutcome(): void {
    if (this.shownError) this.post(this.shownError);
    if (this.cancelled && !this.busyMessage) this.post(this.cancelled.notice);
  }
}
