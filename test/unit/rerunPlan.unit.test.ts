// What a save re-runs and when a failure gets a notification (issue 9, must-fix 5): decisions
// written out case by case from the wording, not from the code's output.
import * as assert from 'node:assert/strict';
import { latestFirst, planRerun, shouldToast } from '../../src/extension/sourceLinks/rerunPlan';

describe('planRerun: what a save of a model file re-runs', () => {
  it('re-runs nothing and forgets the old facts when no panel is open and no lens is visible', () => {
    assert.deepEqual(
      planRerun({ panels: [], lensesVisible: false, ranExports: ['default', 'lenetUntrained'] }),
      { rerun: [], forget: ['default', 'lenetUntrained'] },
    );
  });

  it('re-runs the model of an open panel, even a hidden one, and forgets a closed one', () => {
    assert.deepEqual(
      planRerun({
        panels: [{ exportName: 'default', visible: false }],
        lensesVisible: false,
        ranExports: ['default', 'lenetUntrained'],
      }),
      { rerun: ['default'], forget: ['lenetUntrained'] },
    );
  });

  it('re-runs the models whose facts the visible lenses show, after the panels', () => {
    assert.deepEqual(
      planRerun({
        panels: [{ exportName: 'lenetUntrained', visible: true }],
        lensesVisible: true,
        ranExports: ['default', 'lenetUntrained'],
      }),
      { rerun: ['lenetUntrained', 'default'], forget: [] },
    );
  });

  it('runs the visible panel first', () => {
    const plan = planRerun({
      panels: [
        { exportName: 'a', visible: false },
        { exportName: 'b', visible: true },
      ],
      lensesVisible: false,
      ranExports: [],
    });
    assert.deepEqual(plan, { rerun: ['b', 'a'], forget: [] });
  });

  it('re-runs nothing for a file that never ran and has no panel, even with lenses in view', () => {
    assert.deepEqual(planRerun({ panels: [], lensesVisible: true, ranExports: [] }), {
      rerun: [],
      forget: [],
    });
  });

  it('lists an export once however it is known', () => {
    assert.deepEqual(
      planRerun({
        panels: [{ exportName: 'default', visible: true }],
        lensesVisible: true,
        ranExports: ['default', 'default'],
      }),
      { rerun: ['default'], forget: [] },
    );
  });
});

describe('shouldToast: a notification only for a failure the user has not seen', () => {
  const failure = {
    shownInVisiblePanel: false,
    message: "lenet.ts:38: layer 'conv2' has an empty output (0x0x16)",
    lastSeen: undefined,
    toastedThisSave: false,
  };

  it('notifies a failure of a model with no visible panel', () => {
    assert.equal(shouldToast(failure), true);
  });

  it('stays quiet when a visible panel shows the error', () => {
    assert.equal(shouldToast({ ...failure, shownInVisiblePanel: true }), false);
  });

  it('stays quiet when the same failure was already shown (a later save left it as it was)', () => {
    assert.equal(shouldToast({ ...failure, lastSeen: failure.message }), false);
  });

  it('notifies a different failure of the same model', () => {
    assert.equal(shouldToast({ ...failure, lastSeen: 'lenet.ts:41: Unexpected token' }), true);
  });

  it('raises one notification per save at most', () => {
    assert.equal(shouldToast({ ...failure, toastedThisSave: true }), false);
  });
});

describe('latestFirst: whose facts a lens shows', () => {
  const run = (exportName: string, sequence: number) => ({ exportName, sequence });

  it('prefers the latest run among the exports that reach the call', () => {
    const runs = [run('default', 1), run('lenetUntrained', 3), run('other', 5)];
    assert.deepEqual(
      latestFirst(runs, ['default', 'lenetUntrained']).map((r) => r.exportName),
      ['lenetUntrained', 'default', 'other'],
    );
  });

  it('orders by recency alone when no export is named', () => {
    const runs = [run('a', 2), run('b', 7), run('c', 4)];
    assert.deepEqual(
      latestFirst(runs, []).map((r) => r.sequence),
      [7, 4, 2],
    );
  });
});
