// The pickers' decisions (issue 9): which pictures fit a model's input first, which files are
// signals at all (by their content, not their name), and which models may take a picture.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as jpeg from 'jpeg-js';
import { imageFit, signalFit } from '../../src/analysis/inputFit';
import { readImageHeader, type ImageHeader } from '../../src/analysis/image/imageHeader';
import { readRegularFileStart } from '../../src/analysis/regularFile';
import { scanModelSource } from '../../src/analysis/source/scanModelSource';
import { inputKindOf } from '../../src/analysis/source/inputKind';
import { greyPng, pngFile } from './helpers/imageBytes';

const examples = join(__dirname, '..', '..', 'examples');
const src = (...lines: string[]) => lines.join('\n');
const kindOf = (source: string, exportName = 'default') =>
  inputKindOf(scanModelSource(source, 'model.ts'), exportName);

describe('input fit: what the pickers offer first', () => {
  describe('image headers tell grey from colour', () => {
    it('reads PNG colour types 0 and 4 as grey, 2, 3 and 6 as colour', () => {
      const row = (bytes: number) => [new Uint8Array(bytes)];
      assert.equal(readImageHeader(greyPng(2, 1, [0, 0]))?.channels, 1);
      assert.equal(readImageHeader(pngFile(1, 1, 8, 4, row(2)))?.channels, 1);
      assert.equal(readImageHeader(pngFile(1, 1, 8, 2, row(3)))?.channels, 3);
      assert.equal(readImageHeader(pngFile(1, 1, 8, 3, row(1), [[9, 9, 9]]))?.channels, 3);
      assert.equal(readImageHeader(pngFile(1, 1, 8, 6, row(4)))?.channels, 3);
    });

    it('reads a JPEG frame header: 3 components are colour', () => {
      const rgba = new Uint8Array(4 * 5 * 4).fill(200);
      const bytes = jpeg.encode({ width: 4, height: 5, data: Buffer.from(rgba) }, 90).data;
      assert.deepEqual(readImageHeader(bytes), {
        format: 'jpeg',
        width: 4,
        height: 5,
        channels: 3,
      });
    });

    it('reads the examples from their first bytes only (file(1) says: 28x28 grey, 512x512 RGB)', async () => {
      const boot = await readRegularFileStart(
        join(examples, 'images', 'fashion-mnist', '000-ankle-boot.png'),
        64 * 1024,
      );
      assert.deepEqual(readImageHeader(boot), {
        format: 'png',
        width: 28,
        height: 28,
        channels: 1,
      });
      const astronaut = await readRegularFileStart(join(examples, 'images', 'astronaut.png'), 64);
      assert.equal(astronaut.length, 64);
      assert.deepEqual(readImageHeader(astronaut), {
        format: 'png',
        width: 512,
        height: 512,
        channels: 3,
      });
    });
  });

  describe('imageFit', () => {
    const header = (width: number, height: number, channels: 1 | 3): ImageHeader => ({
      format: 'png',
      width,
      height,
      channels,
    });
    const lenet = [28, 28, 1];

    it('ranks a 28x28 grey picture first for LeNet, a larger grey one next, colour last', () => {
      assert.deepEqual(imageFit(header(28, 28, 1), lenet), {
        rank: 0,
        note: '28\u00d728 grey, as the model takes it',
      });
      assert.deepEqual(imageFit(header(512, 512, 1), lenet), {
        rank: 1,
        note: '512\u00d7512 grey: resized to 28\u00d728',
      });
      assert.deepEqual(imageFit(header(512, 512, 3), lenet), {
        rank: 2,
        note: '512\u00d7512 colour: converted to grey, resized',
      });
      assert.deepEqual(imageFit(header(28, 28, 3), lenet), {
        rank: 2,
        note: '28\u00d728 colour: converted to grey',
      });
    });

    it('writes sizes width first, like the picture, when resizing, and takes any size for a free input', () => {
      // A 451 wide, 300 high picture into a 32 high, 64 wide input ([height, width, channels]).
      assert.equal(
        imageFit(header(451, 300, 3), [32, 64, 3]).note,
        '451\u00d7300 colour: resized to 64\u00d732',
      );
      assert.equal(imageFit(header(451, 300, 3), [null, null, 3]).rank, 0);
      assert.equal(imageFit(header(451, 300, 1), [null, null, 3]).rank, 2);
    });

    it('says how many channels a model of neither 1 nor 3 channels takes', () => {
      assert.equal(
        imageFit(header(8, 8, 3), [8, 8, 4]).note,
        '8\u00d78 colour: converted to 4 channels',
      );
    });
  });

  describe('signalFit decides by content', () => {
    it('refuses the training log and the model topology of examples/lenet/ (JSON objects)', () => {
      for (const name of ['training.json', 'model.json']) {
        const text = readFileSync(join(examples, 'lenet', name), 'utf8');
        assert.equal(signalFit(text, '.json', [11, 1]), undefined, name);
      }
    });

    it('refuses configuration, text and empty files whatever their names', () => {
      assert.equal(signalFit('{ "name": "x", "version": "1.0.0" }', '.json', [null, 1]), undefined);
      assert.equal(signalFit('{ // comment\n}', '.json', [null, 1]), undefined);
      assert.equal(signalFit('name,city\nAda,London\n', '.csv', [null, 1]), undefined);
      assert.equal(signalFit('', '.csv', [null, 1]), undefined);
      assert.equal(signalFit('[]', '.json', [null, 1]), undefined);
      assert.equal(signalFit('["a", "b"]', '.json', [null, 1]), undefined);
    });

    it('accepts the lecture signal for edges1d (11 steps, 1 channel) and says so', () => {
      const text = readFileSync(join(examples, 'signals', 'lecture.csv'), 'utf8');
      assert.deepEqual(signalFit(text, '.csv', [11, 1]), {
        fits: true,
        note: '11 steps, 1 channel',
      });
    });

    it('offers a signal of another shape as not fitting, with the reason', () => {
      assert.deepEqual(signalFit('[[1, 2], [3, 4], [5, 6]]', '.json', [null, 1]), {
        fits: false,
        note: '3 steps, 2 channels: the model takes 1 channel',
      });
      assert.deepEqual(signalFit('{ "signal": [1] }', '.JSON', [11, 1]), {
        fits: false,
        note: '1 step, 1 channel: the model takes exactly 11 steps',
      });
      assert.deepEqual(signalFit('1;2\n3;4\n', '.csv', [2, 2]), {
        fits: true,
        note: '2 steps, 2 channels',
      });
    });

    it('reads a file named like a configuration by its content', () => {
      const dir = mkdtempSync(join(tmpdir(), 'cnn-signal-fit-'));
      writeFileSync(join(dir, 'settings.json'), '[0, 1, 0]');
      const text = readFileSync(join(dir, 'settings.json'), 'utf8');
      assert.equal(signalFit(text, '.json', [null, 1])?.fits, true);
    });
  });

  describe('inputKindOf: which models may take a picture', () => {
    it('reads the examples: LeNet, VGG-16 and the CIFAR-10 net take images, edges1d signals', () => {
      const scan = (name: string) =>
        scanModelSource(readFileSync(join(examples, name), 'utf8'), name);
      assert.equal(inputKindOf(scan('lenet.ts'), 'default'), 'image');
      assert.equal(inputKindOf(scan('lenet.ts'), 'lenetUntrained'), 'image');
      assert.equal(inputKindOf(scan('vgg16.ts'), 'default'), 'image');
      assert.equal(inputKindOf(scan('cifar10net.ts'), 'default'), 'image');
      assert.equal(inputKindOf(scan('edges1d.ts'), 'default'), 'signal');
    });

    it('uses batchInputShape (batch axis first) and, without a shape, the layers 1-D or 2-D', () => {
      const tf = "import * as tf from '@tensorflow/tfjs';";
      assert.equal(
        kindOf(
          src(
            tf,
            'export default () => tf.sequential({ layers: [',
            '  tf.layers.dense({ batchInputShape: [null, 10, 3], units: 4 })] });',
          ),
        ),
        'signal',
      );
      assert.equal(
        kindOf(
          src(
            tf,
            'export default () => tf.sequential({ layers: [',
            '  tf.layers.dense({ batchInputShape: [null, 8, 8, 3], units: 4 })] });',
          ),
        ),
        'image',
      );
      assert.equal(
        kindOf(
          src(
            tf,
            'export function m(shape: number[]) { const s = tf.sequential();',
            '  s.add(tf.layers.conv1d({ inputShape: shape, filters: 1, kernelSize: 2 }));',
            '  return s; }',
          ),
          'm',
        ),
        'signal',
      );
    });

    it('keeps a model it cannot read (loaded from a model.json) as unknown', () => {
      assert.equal(
        kindOf(
          src(
            "import * as tf from '@tensorflow/tfjs';",
            "export default () => tf.loadLayersModel('file://./m/model.json');",
          ),
        ),
        'unknown',
      );
    });
  });
});
