/** The line under the header: what the host is busy with, or what a re-run after saving changed. */
import { el } from './dom';

export class StatusLine {
  readonly element = el('div', 'status');

  /** `message` undefined: the host is no longer busy. */
  busy(message: string | undefined): void {
    this.element.classList.toggle('busy', message !== undefined);
    this.element.dataset.kind = message ? 'busy' : '';
    this.element.textContent = message ?? '';
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
