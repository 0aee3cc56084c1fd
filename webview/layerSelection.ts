/**
 * The layer the panel shows, and the one rule for the host's `layer` messages: the panel draws
 * the maps of its latest run and latest layer request only.
 *
 * The host numbers its runs (each model it shows, each pass on an input) and the panel numbers
 * its choices of layer (`selectLayer`'s `request`); a `layer` message carries the run it was read
 * in and the request it answers. The name is not enough: after a save that changed the model, a
 * late answer for conv1 of the old model names the same layer as the new one, and would be drawn
 * with the new model's shapes. A choice of the host (the `model` message's `selectedLayer`)
 * echoes the panel's request it superseded, so the answer to a click still on its way is dropped.
 */
import type { HostToPanel } from '../src/protocol/panelProtocol';

type LayerMessage = Extract<HostToPanel, { type: 'layer' }>;

export class LayerSelection {
  /** The selected layer's name ('' before the first model). */
  private name = '';
  private lastRequest = 0;
  /** What the maps to draw must carry; undefined until the host showed a model. */
  private wanted: { run: number; request: number } | undefined;

  get selected(): string {
    return this.name;
  }

  /** A `model` message: the host's run and its choice of layer. Returns whether the layer changed. */
  modelShown(run: number, selectedLayer: string, request: number): boolean {
    const changed = selectedLayer !== this.name;
    this.name = selectedLayer;
    this.wanted = { run, request };
    return changed;
  }

  /** An `image` message: a new pass, whose maps supersede those of earlier runs. */
  inputShown(run: number): void {
    if (this.wanted) this.wanted.run = run;
  }

  /** The user chose a layer: the request id to send with `selectLayer`. */
  select(name: string): number {
    this.name = name;
    const request = ++this.lastRequest;
    if (this.wanted) this.wanted.request = request;
    return request;
  }

  /** Whether the host's `layer` message holds the maps the panel waits for (else it is stale). */
  accepts(message: Pick<LayerMessage, 'run' | 'request'>): boolean {
    return message.run === this.wanted?.run && message.request === this.wanted.request;
  }
}
