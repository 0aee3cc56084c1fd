/**
 * The main area's tabs, data-driven: a tab is one entry (id, label, view). The ARIA tabs pattern
 * lives here once: a tablist of tab buttons, each controlling its tabpanel; one tab in the focus
 * order (roving tabindex); Left/Right arrows move to the previous/next tab (wrapping), Home/End to
 * the first/last, and the focused tab is shown at once (automatic activation).
 */
import type { PanelTab } from '../src/protocol/panelProtocol';
import { el } from './dom';

/** What a tab shows. `activate`/`deactivate`: the view was shown or hidden. */
export interface TabView {
  readonly element: HTMLElement;
  activate?(): void;
  deactivate?(): void;
}

export interface TabEntry {
  id: PanelTab;
  label: string;
  view: TabView;
}

/** The key that moves the focus from tab `index` of `count`, or undefined for other keys. */
export function tabAfterKey(key: string, index: number, count: number): number | undefined {
  switch (key) {
    case 'ArrowRight':
      return (index + 1) % count;
    case 'ArrowLeft':
      return (index - 1 + count) % count;
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    default:
      return undefined;
  }
}

export class TabBar {
  readonly element = el('div', 'main-tabs');
  private readonly buttons: HTMLButtonElement[];
  private selectedId: PanelTab;

  constructor(
    private readonly entries: readonly TabEntry[],
    /** A tab was chosen by the user (click or keyboard). */
    private readonly onChoose: (id: PanelTab) => void,
  ) {
    this.element.setAttribute('role', 'tablist');
    this.selectedId = entries[0].id;
    this.buttons = entries.map((entry) => this.button(entry));
    this.element.replaceChildren(...this.buttons);
    this.element.addEventListener('keydown', (event) => this.onKey(event));
  }

  /** The tab panels, in the tabs' order. */
  views(): HTMLElement[] {
    return this.entries.map((entry) => entry.view.element);
  }

  get selected(): PanelTab {
    return this.selectedId;
  }

  /** Shows tab `id`'s view and hides the others'. */
  select(id: PanelTab): void {
    this.selectedId = id;
    this.entries.forEach((entry, i) => {
      const active = entry.id === id;
      const button = this.buttons[i];
      button.setAttribute('aria-selected', String(active));
      button.tabIndex = active ? 0 : -1;
      button.classList.toggle('active', active);
      entry.view.element.hidden = !active;
    });
    // Deactivate first, so a view never sees the next one activated while it still runs.
    for (const entry of this.entries) if (entry.id !== id) entry.view.deactivate?.();
    this.entries.find((entry) => entry.id === id)?.view.activate?.();
  }

  private button(entry: TabEntry): HTMLButtonElement {
    const button = el('button', 'tab');
    const panel = entry.view.element;
    button.id = `tab-${entry.id}`;
    button.textContent = entry.label;
    button.setAttribute('role', 'tab');
    button.setAttribute('aria-controls', panel.id);
    panel.setAttribute('role', 'tabpanel');
    panel.setAttribute('aria-labelledby', button.id);
    button.addEventListener('click', () => this.onChoose(entry.id));
    return button;
  }

  private onKey(event: KeyboardEvent): void {
    const index = this.buttons.indexOf(event.target as HTMLButtonElement);
    if (index < 0) return;
    const next = tabAfterKey(event.key, index, this.buttons.length);
    if (next === undefined) return;
    event.preventDefault();
    this.buttons[next].focus();
    this.onChoose(this.entries[next].id);
  }
}
