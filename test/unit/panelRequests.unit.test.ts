// The panel's explanation requests (webview/explainRequests.ts): every answer carries the id of
// its question, and only the latest question of each kind is answered on screen; and the tabs'
// keyboard pattern (webview/tabs.ts). The expected ids and routes are worked out by hand.
import { strict as assert } from 'node:assert';
import { ExplainRequests, type ExplainReceiver } from '../../webview/explainRequests';
import { tabAfterKey } from '../../webview/tabs';
import type { PanelToHost } from '../../src/protocol/panelProtocol';
import type {
  ExplainAnswer,
  ExplainQuery,
  ExplainToPanel,
} from '../../src/protocol/explainMessages';

/** A receiver that notes what reached the view. */
function recorder(): { seen: string[]; receiver: ExplainReceiver } {
  const seen: string[] = [];
  return {
    seen,
    receiver: {
      answer: (a) => seen.push(`answer ${a.kind} ${JSON.stringify(a.result)}`),
      failure: (q, m) => seen.push(`failure ${q.kind} ${m}`),
      progress: (k, m) => seen.push(`progress ${k} ${m}`),
    },
  };
}

// Results stand in for the worker's (only their identity matters here).
const answer = (kind: 'arithmetic' | 'filters', tag: string) =>
  ({ kind, result: { tag } }) as unknown as ExplainAnswer;

describe('Panel explanation requests: ids echoed, stale answers dropped', () => {
  let posted: PanelToHost[];
  let requests: ExplainRequests;
  beforeEach(() => {
    posted = [];
    requests = new ExplainRequests((m) => posted.push(m));
  });
  const arithmetic = (y: number): ExplainQuery => ({
    kind: 'arithmetic',
    layer: 'conv1',
    position: [y, 0],
    channel: 0,
  });
  const idOf = (i: number) => (posted[i] as Extract<PanelToHost, { type: 'explain' }>).id;

  it('numbers every question and drops the answer to an older one of the same kind', () => {
    requests.ask(arithmetic(1));
    requests.ask(arithmetic(2));
    assert.deepEqual(
      posted.map((m) => m.type),
      ['explain', 'explain'],
    );
    assert.notEqual(idOf(0), idOf(1));
    const { seen, receiver } = recorder();
    // The second answer arrives first; the first one, late, is for a unit no longer shown.
    requests.receive(
      { type: 'explained', id: idOf(1), answer: answer('arithmetic', 'B') },
      receiver,
    );
    requests.receive(
      { type: 'explained', id: idOf(0), answer: answer('arithmetic', 'A') },
      receiver,
    );
    assert.deepEqual(seen, ['answer arithmetic {"tag":"B"}']);
  });

  it('keeps kinds apart: a filters question does not make an arithmetic answer stale', () => {
    requests.ask(arithmetic(1));
    requests.ask({ kind: 'filters', layer: 'conv1', first: 0, count: 16 });
    const { seen, receiver } = recorder();
    requests.receive(
      { type: 'explained', id: idOf(0), answer: answer('arithmetic', 'A') },
      receiver,
    );
    requests.receive({ type: 'explained', id: idOf(1), answer: answer('filters', 'F') }, receiver);
    assert.deepEqual(seen, ['answer arithmetic {"tag":"A"}', 'answer filters {"tag":"F"}']);
  });

  it('drops what is still to come for a forgotten kind (the dialog closed, another input)', () => {
    requests.ask(arithmetic(1));
    requests.forget('arithmetic');
    const { seen, receiver } = recorder();
    const messages: ExplainToPanel[] = [
      { type: 'explained', id: idOf(0), answer: answer('arithmetic', 'A') },
      { type: 'explainFailed', id: idOf(0), query: arithmetic(1), message: 'late' },
    ];
    for (const m of messages) requests.receive(m, receiver);
    assert.deepEqual(seen, []);
  });

  it('passes progress of the running question only', () => {
    const occlusion = (classIndex: number): ExplainQuery => ({
      kind: 'occlusion',
      classIndex,
      window: 7,
      stride: 2,
      fill: 0,
    });
    requests.ask(occlusion(3));
    requests.ask(occlusion(5));
    const { seen, receiver } = recorder();
    const progress = (id: number, message: string): ExplainToPanel => ({
      type: 'explainProgress',
      id,
      kind: 'occlusion',
      message,
    });
    requests.receive(progress(idOf(0), 'old 50%'), receiver);
    requests.receive(progress(idOf(1), 'new 10%'), receiver);
    assert.deepEqual(seen, ['progress occlusion new 10%']);
  });

  it('asks the same question once, and again after it failed or was forgotten', () => {
    const filters: ExplainQuery = { kind: 'filters', layer: 'conv2', first: 16, count: 16 };
    assert.equal(requests.askOnce(filters), true);
    assert.equal(requests.askOnce({ ...filters }), false); // same question: not asked twice
    assert.equal(requests.asked('filters'), true);
    assert.equal(posted.length, 1);
    const { seen, receiver } = recorder();
    requests.receive(
      { type: 'explainFailed', id: idOf(0), query: filters, message: 'no kernel' },
      receiver,
    );
    assert.deepEqual(seen, ['failure filters no kernel']);
    assert.equal(requests.asked('filters'), false);
    assert.equal(requests.askOnce(filters), true); // a failed question may be retried
    requests.forget('filters');
    assert.equal(requests.askOnce(filters), true);
    assert.equal(posted.length, 3);
    assert.equal(requests.askOnce({ ...filters, first: 32 }), true); // another page
    assert.equal(posted.length, 4);
  });

  it('cancels the long explanations with one message', () => {
    requests.cancelRunning();
    assert.deepEqual(posted, [{ type: 'cancelExplain' }]);
  });
});

describe('Panel tabs: the ARIA keyboard pattern', () => {
  it('moves with the arrows (wrapping) and to the ends with Home and End', () => {
    // Four tabs: Feature maps 0, Structure 1, Gallery 2, Why 3.
    assert.equal(tabAfterKey('ArrowRight', 0, 4), 1);
    assert.equal(tabAfterKey('ArrowRight', 3, 4), 0);
    assert.equal(tabAfterKey('ArrowLeft', 0, 4), 3);
    assert.equal(tabAfterKey('ArrowLeft', 2, 4), 1);
    assert.equal(tabAfterKey('Home', 2, 4), 0);
    assert.equal(tabAfterKey('End', 1, 4), 3);
    assert.equal(tabAfterKey('Enter', 1, 4), undefined);
    assert.equal(tabAfterKey('ArrowDown', 1, 4), undefined);
  });
});
