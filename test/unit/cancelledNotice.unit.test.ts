import * as assert from 'node:assert/strict';
import { cancelledNotice } from '../../src/extension/panel/cancelledNotice';

describe('cancelledNotice: what a panel says after the user cancels', () => {
  it('a cold load: the model was not loaded, Load again', () => {
    assert.deepEqual(cancelledNotice('load', 'vgg16', false), {
      type: 'cancelled',
      message: 'Cancelled: vgg16 was not loaded.',
      retryLabel: 'Load again',
    });
  });

  it('a reload over a shown model: the last loaded version stays', () => {
    const notice = cancelledNotice('load', 'lenet', true);
    assert.equal(
      notice.message,
      'Cancelled: lenet was not reloaded; the panel shows its last loaded version.',
    );
    assert.equal(notice.retryLabel, 'Load again');
  });

  it('a pass on an input: names the input, Run again', () => {
    const notice = cancelledNotice('input', 'lenet', true, 'seven.png');
    assert.equal(
      notice.message,
      'Cancelled the run on seven.png: the panel shows the last finished run.',
    );
    assert.equal(notice.retryLabel, 'Run again');
    assert.match(cancelledNotice('input', 'lenet', true).message, /^Cancelled the run: /);
  });
});
