// Numeric settings: package.json declares a range for each, and the code clamps what VS Code
// hands over (it only warns about an out-of-range value in settings.json and passes it on).
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  clampSetting,
  settingRange,
  type NumericSettingName,
} from '../../src/extension/numericSettings';

const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8'));
const properties = manifest.contributes.configuration.properties as Record<
  string,
  { type: string; minimum?: number; maximum?: number; default?: number }
>;

describe('numeric settings', () => {
  const numeric = Object.entries(properties).filter(
    ([, p]) => p.type === 'integer' || p.type === 'number',
  );

  it('declares a minimum, a maximum and a default inside them for every numeric setting', () => {
    assert.ok(numeric.length >= 5, numeric.map(([n]) => n).join(', '));
    for (const [name, p] of numeric) {
      assert.equal(typeof p.minimum, 'number', `${name} has no minimum`);
      assert.equal(typeof p.maximum, 'number', `${name} has no maximum`);
      assert.ok(p.minimum! <= p.default! && p.default! <= p.maximum!, `${name}'s default`);
      const short = name.replace('cnnInspector.', '') as NumericSettingName;
      assert.deepEqual(settingRange(short), {
        minimum: p.minimum,
        maximum: p.maximum,
        default: p.default,
      });
    }
  });

  it('keeps a timeout below the timer limit (2^31 - 1 ms) whatever settings.json says', () => {
    const seconds = clampSetting('modelTimeoutSeconds', 1e9);
    assert.equal(seconds, 3600);
    assert.ok(seconds * 1000 < 2 ** 31 - 1);
    assert.equal(clampSetting('modelTimeoutSeconds', 0), 5);
    assert.equal(clampSetting('modelTimeoutSeconds', -30), 5);
    assert.equal(clampSetting('modelTimeoutSeconds', 90.6), 91);
  });

  it('falls back to the default for values that are not numbers', () => {
    for (const bad of ['300', null, undefined, Number.NaN, Number.POSITIVE_INFINITY, {}]) {
      assert.equal(clampSetting('modelTimeoutSeconds', bad), 120, String(bad));
      assert.equal(clampSetting('workerMemoryLimitMb', bad), 4096, String(bad));
    }
  });

  it('clamps the memory limit, image size, top-k and thread count', () => {
    assert.equal(clampSetting('workerMemoryLimitMb', 1), 256);
    assert.equal(clampSetting('workerMemoryLimitMb', 1e7), 65536);
    assert.equal(clampSetting('maxImageMegapixels', 0), 1);
    assert.equal(clampSetting('maxImageMegapixels', 5000), 1000);
    assert.equal(clampSetting('galleryTopK', 0), 1);
    assert.equal(clampSetting('galleryTopK', 1e6), 100);
    assert.equal(clampSetting('wasmThreads', -1), 0);
    assert.equal(clampSetting('wasmThreads', 64), 8);
    assert.equal(clampSetting('engineThreads', -1), 0);
    assert.equal(clampSetting('engineThreads', 2.4), 2);
    assert.equal(clampSetting('engineThreads', 1000), 16);
  });
});
