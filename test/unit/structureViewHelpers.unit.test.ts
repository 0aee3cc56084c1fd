// The Structure view's chart and box helpers: round ticks, short labels, byte units and the hover
// text of a receptive-field box, checked against values worked out by hand.
import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { unitReceptiveField } from '../../src/analysis/structure/unitField';
import { formatBytes } from '../../webview/structureTable';
import { niceTicks } from '../../webview/rfChart';
import { compact } from '../../webview/structureCharts';
import { describeRfBox } from '../../webview/rfOverlay';
import { buildLenet5, structureOf } from './structureModels';

describe('Structure view: chart and box helpers', () => {
  it('picks round ticks that reach the largest value', () => {
    assert.deepEqual(niceTicks(28), [0, 10, 20, 30]); // step 10 >= 28 / 5
    assert.deepEqual(niceTicks(212), [0, 50, 100, 150, 200, 250]);
    assert.deepEqual(niceTicks(5), [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(niceTicks(0), [0, 1]);
    assert.deepEqual(niceTicks(Number.NaN), [0, 1]);
  });

  it('shortens bar labels', () => {
    assert.equal(compact(999), '999');
    assert.equal(compact(48120), '48.1k');
    assert.equal(compact(1234567), '1.23M');
    assert.equal(compact(15470264320), '15.5G');
  });

  it('formats bytes in binary units', () => {
    assert.equal(formatBytes(1023), '1023 B');
    assert.equal(formatBytes(1536), '1.50 KiB');
    assert.equal(formatBytes(3 * 1024 * 1024), '3.00 MiB');
  });

  it('describes the box of a LeNet conv2 unit, with its share in the padding', async () => {
    await tf.setBackend('cpu');
    const s = structureOf(buildLenet5);
    const rf = s.layers.find((l) => l.name === 'conv2')!.receptiveField;
    // Unit (0, 0): starts at -2 (padding 2), size 14: rows and columns -2..11; 14*14 = 196
    // pixels of which 12*12 = 144 inside, so 52 / 196 = 27% in the padding.
    const corner = { layer: 'conv2', y: 0, x: 0, field: unitReceptiveField(rf, 0, 0, 28, 28) };
    assert.deepEqual(corner.field.unclipped, [-2, -2, 12, 12]);
    assert.deepEqual(corner.field.clipped, [0, 0, 12, 12]);
    assert.equal(
      describeRfBox(corner, 28, 28),
      'conv2 (y 0, x 0) sees rows -2\u202611, columns -2\u202611 (14\u00d714, 27% in padding)',
    );
    // Unit (4, 3): rows -2 + 8 = 6..19, columns -2 + 6 = 4..17, all inside.
    const inside = { layer: 'conv2', y: 4, x: 3, field: unitReceptiveField(rf, 4, 3, 28, 28) };
    assert.equal(
      describeRfBox(inside, 28, 28),
      'conv2 (y 4, x 3) sees rows 6\u202619, columns 4\u202617 (14\u00d714)',
    );
  });
});
