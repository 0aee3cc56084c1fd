/** The line under the header: what the host is busy with, or what a re-run after saving changed. */
import { el } from './dom';

export class StatusLine {
  readonly element = el('div', 'status');

  /**
   * `onCancel`: the Cancel button of a busy line (the panel shows progress, not a notification);
   * `onRetry`: the button of a cancelled line, which starts the work again.
   */
  constructor(
    private readonly onCancel: () => void = () => {},
    private readonly onRetry: () => void = () => {},
  ) {}

  /** `message` undefined: the host is no longer busy. */
  busy(message: string | undefined): void {
    this.element.classList.toggle('busy', message !== undefined);
    this.element.dataset.kind = message ? 'busy' : '';
    if (!message) {
      this.element.textContent = '';
      return;
    }
    const text = el('span', 'status-text');
    text.textContent = message;
    const cancel = el('button', 'status-cancel');
    cancel.id = 'status-cancel';
    cancel.textContent = 'Cancel';
    cancel.addEventListener('click', () => this.onCancel());
    this.element.replaceChildren(text, cancel);
  }

  /** The user cancelled: the line says what stays shown, with a button to start again. */
  cancelled(message: string, retryLabel: string): void {
    this.set('cancelled', '');
    const text = el('span', 'status-text');
    text.textContent = message;
    const retry = el('button', 'status-retry');
    retry.id = 'status-retry';
    retry.textContent = retryLabel;
    retry.addEventListener('click', () => {
      retry.disabled = true; // one press, one run: the busy line replaces this one
      this.onRetry();
    });
    this.element.replaceChildren(text, retry);
  }

  /** What the last re-run after saving changed (shapes, parameters, receptive fields). */
  changes(lines: string[]): void {
    this.set(
      'info',
      lines.length
        ? `Changed since the last run: ${lines.join('; ')}`
        : 'Re-run after saving: no change in shapes or parameters.',
    );
  }

  clear(): void {
    this.set('', '');
  }

  private set(kind: string, text: string): void {
    this.element.dataset.kind = kind;
    this.element.classList.remove('busy');
    this.element.textContent = text;
  }
}
