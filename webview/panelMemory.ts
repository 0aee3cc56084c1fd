/**
 * What VS Code keeps of a panel's webview (its state API): the UI across hide/show, and what the
 * host needs to bring the panel back after a window reload. The App records each choice here.
 */
import type { PanelState, PanelTab } from '../src/protocol/panelProtocol';
import type { PanelHost } from './host';
import { migratePanelState } from '../src/analysis/panelState';

export class PanelMemory {
  /** What was saved when the webview (re)started: restored once its content is there. */
  readonly saved: Readonly<PanelState>;
  private state: PanelState;

  constructor(private readonly host: PanelHost) {
    // A state saved by an earlier version has fields renamed since (imagePath, whyUnit).
    this.saved = migratePanelState(host.getState()) ?? {};
    this.state = { ...this.saved };
  }

  /** The state as it is now. */
  get current(): Readonly<PanelState> {
    return this.state;
  }

  update(patch: Partial<PanelState>): void {
    this.state = { ...this.state, ...patch };
    this.host.setState(this.state);
  }

  rememberScroll(tab: PanelTab, top: number): void {
    this.update({ scroll: { ...this.state.scroll, [tab]: top } });
  }

  scrollOf(tab: PanelTab): number | undefined {
    return this.state.scroll?.[tab];
  }
}
