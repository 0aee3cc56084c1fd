import * as assert from 'node:assert/strict';
import { decodeTypedArrays, encodeTypedArrays } from '../../src/analysis/typedArrayJson';

const toBase64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const fromBase64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));

describe('typed arrays in report JSON', () => {
  it('round-trips nested typed arrays through JSON, values and types intact', () => {
    const value = {
      kind: 'projections',
      result: {
        values: new Float32Array([0.5, -1.25, 3]),
        picture: { rgba: new Uint8ClampedArray([0, 128, 255, 255]) },
        list: [new Int32Array([-7, 9]), 'text', 4],
      },
    };
    const text = JSON.stringify(encodeTypedArrays(value, toBase64));
    // 0.5, -1.25, 3 as little-endian float32: 00 00 00 3f, 00 00 a0 bf, 00 00 40 40
    assert.match(text, /"\$typed":"Float32Array","base64":"AAAAPwAAoL8AAEBA"/);
    const back = decodeTypedArrays(JSON.parse(text), fromBase64) as typeof value;
    assert.ok(back.result.values instanceof Float32Array);
    assert.deepEqual(Array.from(back.result.values), [0.5, -1.25, 3]);
    assert.ok(back.result.picture.rgba instanceof Uint8ClampedArray);
    assert.deepEqual(Array.from(back.result.picture.rgba), [0, 128, 255, 255]);
    assert.ok(back.result.list[0] instanceof Int32Array);
    assert.deepEqual(Array.from(back.result.list[0] as Int32Array), [-7, 9]);
    assert.deepEqual(back.result.list.slice(1), ['text', 4]);
  });

  it('reads a view into a larger buffer by its own bytes only', () => {
    const whole = new Float32Array([1, 2, 3, 4]);
    const text = JSON.stringify(encodeTypedArrays({ part: whole.subarray(1, 3) }, toBase64));
    const back = decodeTypedArrays(JSON.parse(text), fromBase64) as { part: Float32Array };
    assert.deepEqual(Array.from(back.part), [2, 3]);
  });
});
