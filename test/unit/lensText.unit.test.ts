// The CodeLens titles (src/analysis/source/lensText.ts), written out by hand from the facts given.
import { strict as assert } from 'node:assert';
import {
  callerLensTitle,
  callLensTitles,
  modelLensTitle,
} from '../../src/analysis/source/lensText';
import type { LayerFacts } from '../../src/analysis/source/linkRunToSource';
import type { LayerCall } from '../../src/analysis/source/types';

const DOT = '\u00b7';
const conv = (name: string, params = 156): LayerFacts => ({
  name,
  className: 'Conv2D',
  outputShape: '24x24x6',
  params,
  macs: 89_856,
  receptiveField: '5x5',
});
const call = (name?: string) => ({ name, factory: 'conv2d' }) as unknown as LayerCall;

describe('CodeLens titles', () => {
  it('names the model, its layers and its parameters once it has run', () => {
    assert.equal(modelLensTitle('default', 1), 'Visualize model');
    assert.equal(modelLensTitle('lenet', 1), 'Visualize model lenet');
    // Two exports start on the same line: the name would be ambiguous, so none.
    assert.equal(modelLensTitle('lenet', 2), 'Visualize model');
    assert.equal(
      modelLensTitle('vgg16', 1, { layers: 23, params: 138_357_544 }),
      `Visualize model vgg16 ${DOT} 23 layers ${DOT} 138.4M params`,
    );
    assert.equal(
      modelLensTitle('default', 1, { layers: 8, params: 61_706 }),
      `Visualize model ${DOT} 8 layers ${DOT} 61.7k params`,
    );
  });

  it('gives a call that made one layer its facts, and one that made a few each instance', () => {
    assert.deepEqual(callLensTitles(call('conv1'), [conv('conv1')]), [
      { title: `Visualize layer ${DOT} 24x24x6 ${DOT} 156 params ${DOT} RF 5x5`, layer: 'conv1' },
    ]);
    const three = ['b1', 'b2', 'b3'].map((n) => conv(n, 2_320));
    assert.deepEqual(callLensTitles(call(), three), [
      { title: 'Visualize layer (3 instances)' },
      ...three.map((l) => ({
        title: `${l.name} ${DOT} 24x24x6 ${DOT} 2,320 params ${DOT} RF 5x5`,
        layer: l.name,
      })),
    ]);
    // More than three: one picker lens only.
    const four = ['a', 'b', 'c', 'd'].map((n) => conv(n));
    assert.deepEqual(callLensTitles(call(), four), [{ title: 'Visualize layer (4 instances)' }]);
  });

  it('names a call as written before the model has run', () => {
    assert.deepEqual(callLensTitles(call('conv1'), []), [
      { title: 'Visualize layer conv1', layer: 'conv1' },
    ]);
    // No literal name: the factory, and no layer (the panel finds it by the call's place).
    assert.deepEqual(callLensTitles(call(), []), [
      { title: 'Visualize layer conv2d', layer: undefined },
    ]);
  });

  it('marks a line that calls a layer-making function', () => {
    assert.equal(callerLensTitle([]), undefined);
    assert.equal(
      callerLensTitle([{ ...conv('block1'), receptiveFieldWarning: 'misaligned' }]),
      `Visualize layer made here ${DOT} block1 ${DOT} 24x24x6 ${DOT} 156 params ${DOT} RF 5x5 (misaligned branches)`,
    );
    assert.equal(callerLensTitle([conv('a'), conv('b')]), 'Visualize layers made here (2)');
  });
});
