/** One floating tooltip for the whole panel, placed next to the pointer. */
export class Tooltip {
  private readonly element: HTMLDivElement;

  constructor(parent: HTMLElement) {
    this.element = document.createElement('div');
    this.element.className = 'tooltip';
    this.element.setAttribute('role', 'status');
    this.element.hidden = true;
    parent.appendChild(this.element);
  }

  show(text: string, event: MouseEvent): void {
    this.element.textContent = text;
    this.element.hidden = false;
    const pad = 14;
    const { innerWidth, innerHeight } = window;
    const rect = this.element.getBoundingClientRect();
    const left = Math.min(event.clientX + pad, innerWidth - rect.width - 4);
    const top = Math.min(event.clientY + pad, innerHeight - rect.height - 4);
    this.element.style.transform = `translate(${Math.max(0, left)}px, ${Math.max(0, top)}px)`;
  }

  hide(): void {
    this.element.hidden = true;
  }
}
