/**
 * The panel's explanation questions and the one rule for their answers: each question gets an id
 * the host echoes back, and only the answer (or failure, or progress) to the latest question of
 * its kind is used; answers to older questions, or to questions forgotten since (another model,
 * input, unit or class), are dropped. Every explanation (the arithmetic dialog, projections,
 * filters and the class methods) goes through here.
 */
import type {
  ClassQuery,
  ExplainAnswer,
  ExplainQuery,
  ExplainToPanel,
} from '../src/protocol/explainMessages';
import type { PanelToHost } from '../src/protocol/panelProtocol';

export type ExplainKind = ExplainQuery['kind'];

/** Where the current answers, failures and progress go. */
export interface ExplainReceiver {
  answer(answer: ExplainAnswer): void;
  failure(query: ExplainQuery, message: string): void;
  progress(kind: ClassQuery['kind'], message: string): void;
}

interface Asked {
  id: number;
  /** The question, as JSON; undefined once it may be asked again (it failed or was cancelled). */
  key: string | undefined;
}

export class ExplainRequests {
  private lastId = 0;
  private readonly latest = new Map<ExplainKind, Asked>();

  constructor(private readonly post: (message: PanelToHost) => void) {}

  /** Asks `query`, superseding any earlier question of its kind. */
  ask(query: ExplainQuery): void {
    const id = ++this.lastId;
    this.latest.set(query.kind, { id, key: JSON.stringify(query) });
    this.post({ type: 'explain', id, query });
  }

  /**
   * Asks `query` unless the latest question of its kind is the same one (nothing is asked twice).
   * Returns whether it asked.
   */
  askOnce(query: ExplainQuery): boolean {
    if (this.latest.get(query.kind)?.key === JSON.stringify(query)) return false;
    this.ask(query);
    return true;
  }

  /** Whether a question of this kind is outstanding or answered (and not forgotten since). */
  asked(kind: ExplainKind): boolean {
    return this.latest.get(kind)?.key !== undefined;
  }

  /** Drops the answers still to come for these kinds; the next `askOnce` asks again. */
  forget(...kinds: ExplainKind[]): void {
    for (const kind of kinds) this.latest.delete(kind);
  }

  /** The same question may be asked again (a failure, a cancel), its answer still awaited. */
  allowAgain(kind: ExplainKind): void {
    const asked = this.latest.get(kind);
    if (asked) asked.key = undefined;
  }

  /** Whether message `id` answers the latest question of `kind` (else it is stale: drop it). */
  private isCurrent(id: number, kind: ExplainKind): boolean {
    return this.latest.get(kind)?.id === id;
  }

  /** Passes the host's message on if it belongs to the latest question of its kind. */
  receive(message: ExplainToPanel, to: ExplainReceiver): void {
    switch (message.type) {
      case 'explained':
        if (this.isCurrent(message.id, message.answer.kind)) to.answer(message.answer);
        return;
      case 'explainProgress':
        if (this.isCurrent(message.id, message.kind)) to.progress(message.kind, message.message);
        return;
      case 'explainFailed':
        if (!this.isCurrent(message.id, message.query.kind)) return;
        this.allowAgain(message.query.kind); // a failed question may be asked again
        to.failure(message.query, message.message);
        return;
      default:
        return message satisfies never;
    }
  }

  /** Stops the running long class explanations (the host restarts the worker). */
  cancelRunning(): void {
    this.post({ type: 'cancelExplain' });
  }
}
