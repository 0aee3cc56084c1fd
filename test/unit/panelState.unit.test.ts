// A panel's webview state saved by an earlier version (fields renamed since) comes back in the
// current shape, both where the host restores the panel and where the webview reads its UI state.
import * as assert from 'node:assert/strict';
import { migratePanelState } from '../../src/analysis/panelState';

describe('panel state saved by an earlier version', () => {
  it('renames imagePath to inputSource and whyUnit to explainUnit', () => {
    // As the version before the renames (commit a8bd02b) saved it.
    const saved = {
      modelFile: '/w/examples/lenet.ts',
      exportName: 'default',
      imagePath: '/w/examples/images/fashion-mnist/000-ankle-boot.png',
      layer: 'conv2',
      tab: 'why',
      whyUnit: { layer: 'conv2', channel: 5, position: [3, 9] },
    };
    assert.deepEqual(migratePanelState(saved), {
      modelFile: '/w/examples/lenet.ts',
      exportName: 'default',
      inputSource: '/w/examples/images/fashion-mnist/000-ankle-boot.png',
      layer: 'conv2',
      tab: 'why',
      explainUnit: { layer: 'conv2', channel: 5, position: [3, 9] },
    });
  });

  it('keeps a current state as it is', () => {
    const current = {
      modelFile: '/w/m.ts',
      inputSource: 'synthetic:step',
      layer: 'conv1',
      tab: 'structure' as const,
      scroll: { structure: 120, 'feature-maps': 0 },
      structureSort: { key: 'params', direction: 'descending' as const },
      normalization: 'channel' as const,
      explainUnit: { layer: 'conv1' },
    };
    assert.deepEqual(migratePanelState(current), current);
  });

  it('prefers the current field when a state holds both names', () => {
    const state = migratePanelState({
      modelFile: '/w/m.ts',
      imagePath: '/old.png',
      inputSource: '/new.png',
    });
    assert.equal(state?.inputSource, '/new.png');
  });

  it('drops fields of the wrong type and reads nothing from a non-object', () => {
    for (const nothing of [undefined, null, 'lenet.ts', 42, []])
      assert.equal(migratePanelState(nothing), undefined, JSON.stringify(nothing));
    assert.deepEqual(
      migratePanelState({
        modelFile: 7,
        imagePath: ['/x.png'],
        layer: '',
        tab: 'nonsense',
        normalization: 'global',
        scroll: { why: 'far', gallery: 30 },
        structureSort: { key: 'params', direction: 'sideways' },
        whyUnit: { layer: 'conv2', channel: -1, position: [1.5, 2] },
      }),
      { scroll: { gallery: 30 }, explainUnit: { layer: 'conv2' } },
    );
  });
});
