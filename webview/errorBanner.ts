/**
 * The panel's error banner: a failed run (a save that broke the model, an image that cannot be
 * read...) shown where the user is looking, with a link to the line in the model file. What the
 * panel showed before stays on screen, marked stale, until a run works again.
 */
import type { SourceLocation } from '../src/analysis/errors';
import { el } from './dom';

export class ErrorBanner {
  readonly element = el('div', 'panel-error');

  constructor(
    /** The content the banner marks stale while it shows (data-stale="true"). */
    private readonly content: HTMLElement,
    private readonly openLocation: (location: SourceLocation) => void,
  ) {
    this.element.id = 'panel-error';
    this.element.setAttribute('role', 'alert');
    this.element.hidden = true;
  }

  show(message: string, location: SourceLocation | undefined, hasContent: boolean): void {
    const title = el('div', 'panel-error-title');
    title.textContent = hasContent
      ? 'The last run failed. Below: the last good run, out of date.'
      : 'The model could not be run.';
    const text = el('div', 'panel-error-message');
    text.textContent = location ? withoutLocationPrefix(message, location) : message;
    const parts: HTMLElement[] = [title];
    if (location) {
      const link = el('a', 'panel-error-location');
      link.href = '#';
      link.textContent = `${baseName(location.file)}:${location.line}`;
      link.title = `Open ${location.file} at line ${location.line}`;
      link.addEventListener('click', (event) => {
        event.preventDefault();
        this.openLocation(location);
      });
      parts.push(link);
    }
    parts.push(text);
    this.element.replaceChildren(...parts);
    this.element.hidden = false;
    if (hasContent) this.content.dataset.stale = 'true';
  }

  clear(): void {
    this.element.hidden = true;
    this.element.replaceChildren();
    delete this.content.dataset.stale;
  }
}

function baseName(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}

/** Messages about user code start with "file:line:column: "; the link says it already. */
function withoutLocationPrefix(message: string, location: SourceLocation): string {
  const prefix = `${location.file}:${location.line}:${location.column}: `;
  return message.startsWith(prefix) ? message.slice(prefix.length) : message;
}
