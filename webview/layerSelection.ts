/**
 * The layer the panel shows, and the one rule for the host's `layer` messages: the panel draws
 * the maps of its latest run answering its latest layer request only, and marks their layer as
 * selected.
 *
 * The host numbers its runs (each model it shows, each pass on an input) and the panel numbers
 * its choices of layer (`selectLayer`'s `request`); a `layer` message carries the run it was read
 * in and the latest request the host had read. The name is not enough: after a save that changed
 * the model, a late answer for conv1 of the old model names the same layer as the new one, and
 * would be drawn with the new model's shapes.
 *
 * The host's selection is authoritative. Maps of the latest run that echo the panel's latest
 * request were chosen after the host had read every click, so the panel follows their layer:
 * when a click races the host's own choice (Visualize layer, a gallery patch), the host may show
 * its pick first and then answer the click, and the panel ends on the layer the host ends on.
 * Maps echoing an older request are dropped: a click is still on its way, and its answer follows.
 */
import type { HostToPanel } from '../src/protocol/panelProtocol';

type LayerMessage = Extract<HostToPanel, { type: 'layer' }>;

export class LayerSelection {
  /** The selected layer's name ('' before the first model). */
  private name = '';
  private lastRequest = 0;
  /** The host's latest run; undefined until the host showed a model. */
  private latestRun: number | undefined;

  get selected(): string {
    return this.name;
  }

  /** A `model` message: the host's run and its choice of layer. Returns whether the layer changed. */
  modelShown(run: number, selectedLayer: string): boolean {
    const changed = selectedLayer !== this.name;
    this.name = selectedLayer;
    this.latestRun = run;
    return changed;
  }

  /** An `image` message: a new pass, whose maps supersede those of earlier runs. */
  inputShown(run: number): void {
    if (this.latestRun !== undefined) this.latestRun = run;
  }

  /** The user chose a layer: the request id to send with `selectLayer`. */
  select(name: string): number {
    this.name = name;
    return ++this.lastRequest;
  }

  /**
   * The host's `layer` message: whether to draw its maps (else they are stale). Drawn maps make
   * their layer the selected one (see `selected`), which the host's answer may have changed.
   */
  receive(message: Pick<LayerMessage, 'name' | 'run' | 'request'>): boolean {
    const current = message.run === this.latestRun && message.request === this.lastRequest;
    if (current) this.name = message.name;
    return current;
  }
}
