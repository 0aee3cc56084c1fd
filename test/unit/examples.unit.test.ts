// The bundled example models: each file builds, has the hand-derived structure, and runs; the
// trained LeNet recognises the saved Fashion-MNIST test pictures.
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { PNG } from 'pngjs';
import * as lenetModule from '../../examples/lenet';
import lenet, { labels as lenetLabels, lenetUntrained } from '../../examples/lenet';
import cifar10net, { labels as cifarLabels } from '../../examples/cifar10net';
import vgg16, { preprocess as vggPreprocess } from '../../examples/vgg16';
import { registerFileSystemRouter } from '../../src/analysis/model/fileSystemIO';
import {
  FASHION_MNIST_DIR,
  FASHION_MNIST_LABELS,
  labelFileName,
  loadFashionMnist,
  parseIdxImages,
  parseIdxLabels,
} from '../../scripts/fashion-mnist';

const EXAMPLES = join(__dirname, '..', '..', 'examples');
const FASHION_IMAGES = join(EXAMPLES, 'images', 'fashion-mnist');

interface LayerExpectation {
  name: string;
  outputShape: number[];
  params: number;
}

function checkLayers(model: tf.LayersModel, expected: LayerExpectation[]): void {
  assert.deepEqual(
    model.layers.map((l) => l.name),
    expected.map((e) => e.name),
  );
  model.layers.forEach((layer, i) => {
    assert.deepEqual(layer.outputShape, [null, ...expected[i].outputShape], layer.name);
    assert.equal(layer.countParams(), expected[i].params, layer.name);
  });
}

/** Runs `fn` with the working directory set to examples/, where `file://./lenet/…` resolves. */
async function inExamplesFolder<T>(fn: () => Promise<T>): Promise<T> {
  const cwd = process.cwd();
  process.chdir(EXAMPLES);
  try {
    return await fn();
  } finally {
    process.chdir(cwd);
  }
}

function readGreyPng(path: string): Uint8Array {
  const png = PNG.sync.read(readFileSync(path));
  assert.equal(png.width, 28, path);
  assert.equal(png.height, 28, path);
  // pngjs expands to RGBA; a greyscale picture has R = G = B.
  const grey = new Uint8Array(28 * 28);
  for (let i = 0; i < grey.length; i++) grey[i] = png.data[i * 4];
  return grey;
}

/** Fraction of the saved test pictures (file name `<index>-<label>.png`) that the model gets right. */
function accuracyOnSavedImages(model: tf.LayersModel, files: string[]): number {
  const labelIndex = new Map(lenetLabels.map((l, i) => [labelFileName(l), i]));
  const truth = files.map((f) => {
    const index = labelIndex.get(f.replace(/^\d+-/, '').replace(/\.png$/, ''));
    assert.ok(index !== undefined, `no label in file name ${f}`);
    return index;
  });
  const pixels = new Float32Array(files.length * 784);
  files.forEach((f, i) => pixels.set(readGreyPng(join(FASHION_IMAGES, f)), i * 784));
  const predicted = tf.tidy(() => {
    // The example has no preprocess export, so the extension divides by 255: do the same.
    const input = tf.tensor4d(pixels, [files.length, 28, 28, 1]).div(255);
    return (model.predict(input) as tf.Tensor).argMax(-1).dataSync();
  });
  return truth.filter((t, i) => predicted[i] === t).length / files.length;
}

describe('example models', function () {
  this.timeout(180_000);
  let baseline: number;

  before(async () => {
    await tf.ready();
    registerFileSystemRouter(tf);
  });

  beforeEach(() => {
    baseline = tf.memory().numTensors;
  });

  afterEach(() => {
    assert.equal(tf.memory().numTensors, baseline, 'tensor leak');
  });

  describe('lenet.ts', () => {
    const LENET: LayerExpectation[] = [
      { name: 'conv1', outputShape: [28, 28, 6], params: 5 * 5 * 1 * 6 + 6 }, // 156
      { name: 'pool1', outputShape: [14, 14, 6], params: 0 },
      { name: 'conv2', outputShape: [10, 10, 16], params: 5 * 5 * 6 * 16 + 16 }, // 2,416
      { name: 'pool2', outputShape: [5, 5, 16], params: 0 },
      { name: 'flatten', outputShape: [400], params: 0 },
      { name: 'fc1', outputShape: [120], params: 400 * 120 + 120 }, // 48,120
      { name: 'fc2', outputShape: [84], params: 120 * 84 + 84 }, // 10,164
      { name: 'predictions', outputShape: [10], params: 84 * 10 + 10 }, // 850
    ];

    it('builds LeNet-5 with 61,706 parameters', () => {
      const model = lenetUntrained();
      checkLayers(model, LENET);
      assert.equal(model.countParams(), 61_706);
      model.dispose();
    });

    it('exports the ten Fashion-MNIST class names and no preprocess', () => {
      assert.deepEqual(lenetLabels, [
        'T-shirt/top',
        'Trouser',
        'Pullover',
        'Dress',
        'Coat',
        'Sandal',
        'Shirt',
        'Sneaker',
        'Bag',
        'Ankle boot',
      ]);
      assert.equal('preprocess' in lenetModule, false);
    });

    it('loads the trained weights, which classify the first 20 saved test pictures', async () => {
      const model = await inExamplesFolder(() => lenet());
      checkLayers(model, LENET);
      const files = readdirSync(FASHION_IMAGES)
        .filter((f) => f.endsWith('.png'))
        .sort();
      assert.equal(files.length, 300);
      assert.match(files[0], /^000-/);
      const first20 = accuracyOnSavedImages(model, files.slice(0, 20));
      assert.ok(first20 >= 0.8, `accuracy on the first 20 pictures: ${first20}`);
      const all = accuracyOnSavedImages(model, files);
      assert.ok(all >= 0.8, `accuracy on all 300 pictures: ${all}`);
      model.dispose();
    });

    it('has weights that differ from the untrained build', async () => {
      const trained = await inExamplesFolder(() => lenet());
      const untrained = lenetUntrained();
      const differs = tf.tidy(
        () => tf.sub(trained.getWeights()[0], untrained.getWeights()[0]).abs().max().dataSync()[0],
      );
      assert.ok(differs > 0.01, `largest conv1 weight change ${differs}`);
      trained.dispose();
      untrained.dispose();
    });

    it('records a training run that reached at least 85% test accuracy', () => {
      const record = JSON.parse(readFileSync(join(EXAMPLES, 'lenet', 'training.json'), 'utf8'));
      assert.ok(record.testAccuracy >= 0.85, `test accuracy ${record.testAccuracy}`);
      assert.equal(record.testImages, 10_000);
      assert.ok(record.epochs >= 1);
    });
  });

  describe('cifar10net.ts', () => {
    it('builds the network with hand-counted parameters and runs on a 32x32 RGB image', () => {
      const model = cifar10net();
      checkLayers(model, [
        { name: 'conv1', outputShape: [32, 32, 32], params: 3 * 3 * 3 * 32 }, // no bias: 864
        { name: 'bn1', outputShape: [32, 32, 32], params: 4 * 32 }, // gamma, beta, mean, variance
        { name: 'relu1', outputShape: [32, 32, 32], params: 0 },
        { name: 'conv2', outputShape: [32, 32, 32], params: 3 * 3 * 32 * 32 + 32 }, // 9,248
        { name: 'pool1', outputShape: [16, 16, 32], params: 0 },
        { name: 'conv3', outputShape: [16, 16, 64], params: 3 * 3 * 32 * 64 + 64 }, // 18,496
        { name: 'conv4', outputShape: [16, 16, 64], params: 3 * 3 * 64 * 64 + 64 }, // 36,928
        { name: 'pool2', outputShape: [8, 8, 64], params: 0 },
        { name: 'gap', outputShape: [64], params: 0 },
        { name: 'fc1', outputShape: [128], params: 64 * 128 + 128 }, // 8,320
        { name: 'predictions', outputShape: [10], params: 128 * 10 + 10 }, // 1,290
      ]);
      assert.equal(model.countParams(), 75_274);
      const trainable = model.trainableWeights.reduce(
        (n, w) => n + tf.util.sizeFromShape(w.shape as number[]),
        0,
      );
      assert.equal(trainable, 75_274 - 2 * 32); // moving mean and variance are not trained
      const sum = tf.tidy(
        () => (model.predict(tf.ones([1, 32, 32, 3])) as tf.Tensor).sum().dataSync()[0],
      );
      assert.ok(Math.abs(sum - 1) < 1e-5, `softmax sums to ${sum}`);
      model.dispose();
    });

    it('has the same random weights on every build, and CIFAR-10 labels', () => {
      const a = cifar10net();
      const b = cifar10net();
      const largestDifference = tf.tidy(() =>
        Math.max(
          ...a.getWeights().map((w, i) => tf.sub(w, b.getWeights()[i]).abs().max().dataSync()[0]),
        ),
      );
      assert.equal(largestDifference, 0);
      a.dispose();
      b.dispose();
      assert.equal(cifarLabels.length, 10);
      assert.equal(cifarLabels[0], 'airplane');
      assert.equal(cifarLabels[9], 'truck');
    });
  });

  describe('vgg16.ts', () => {
    it('builds Keras VGG-16 with 138,357,544 parameters', () => {
      const model = vgg16();
      const conv = (name: string, size: number, inC: number, outC: number) => ({
        name,
        outputShape: [size, size, outC],
        params: 3 * 3 * inC * outC + outC,
      });
      const pool = (name: string, size: number, channels: number) => ({
        name,
        outputShape: [size, size, channels],
        params: 0,
      });
      checkLayers(model, [
        { name: 'input_1', outputShape: [224, 224, 3], params: 0 }, // as in Keras, an InputLayer
        conv('block1_conv1', 224, 3, 64), // 1,792 (keras.applications.VGG16 summary)
        conv('block1_conv2', 224, 64, 64), // 36,928
        pool('block1_pool', 112, 64),
        conv('block2_conv1', 112, 64, 128), // 73,856
        conv('block2_conv2', 112, 128, 128), // 147,584
        pool('block2_pool', 56, 128),
        conv('block3_conv1', 56, 128, 256), // 295,168
        conv('block3_conv2', 56, 256, 256), // 590,080
        conv('block3_conv3', 56, 256, 256),
        pool('block3_pool', 28, 256),
        conv('block4_conv1', 28, 256, 512), // 1,180,160
        conv('block4_conv2', 28, 512, 512), // 2,359,808
        conv('block4_conv3', 28, 512, 512),
        pool('block4_pool', 14, 512),
        conv('block5_conv1', 14, 512, 512),
        conv('block5_conv2', 14, 512, 512),
        conv('block5_conv3', 14, 512, 512),
        pool('pool5', 7, 512),
        { name: 'flatten', outputShape: [25_088], params: 0 },
        { name: 'fc1', outputShape: [4096], params: 102_764_544 },
        { name: 'fc2', outputShape: [4096], params: 16_781_312 },
        { name: 'predictions', outputShape: [1000], params: 4_097_000 },
      ]);
      assert.equal(model.countParams(), 138_357_544);
      model.dispose();
    });

    it('preprocesses like Keras "caffe": RGB to BGR minus the ImageNet means', () => {
      const image = tf.tensor3d([10, 20, 30, 255, 0, 128], [1, 2, 3]);
      const out = vggPreprocess(image);
      const expected = [
        30 - 103.939,
        20 - 116.779,
        10 - 123.68,
        128 - 103.939,
        0 - 116.779,
        255 - 123.68,
      ];
      assert.deepEqual(out.shape, [1, 2, 3]);
      Array.from(out.dataSync()).forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-4));
      tf.dispose([image, out]);
    });
  });
});

describe('Fashion-MNIST IDX reader', () => {
  const header = (...words: number[]) => {
    const bytes = new Uint8Array(words.length * 4);
    const view = new DataView(bytes.buffer);
    words.forEach((w, i) => view.setUint32(i * 4, w));
    return bytes;
  };
  const join8 = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => Array.from(p)));

  it('parses a hand-made two-image file of 2x3 pixels and its labels', () => {
    const images = parseIdxImages(
      join8(header(0x803, 2, 2, 3), Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])),
      'x',
    );
    assert.deepEqual([images.count, images.rows, images.cols], [2, 2, 3]);
    assert.deepEqual(Array.from(images.pixels), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    assert.deepEqual(
      Array.from(parseIdxLabels(join8(header(0x801, 3), Uint8Array.from([9, 0, 4])), 'y')),
      [9, 0, 4],
    );
  });

  it('rejects wrong magic numbers, short files and sizes that disagree with the header', () => {
    assert.throws(
      () => parseIdxImages(join8(header(0x801, 1, 1, 1), Uint8Array.from([0])), 'img'),
      /img: magic number 0x801 is not 0x803/,
    );
    assert.throws(() => parseIdxImages(header(0x803, 1), 'img'), /img: 8 bytes is too short/);
    assert.throws(
      () => parseIdxImages(join8(header(0x803, 2, 2, 2), new Uint8Array(7)), 'img'),
      /header says 2 images of 2x2 \(24 bytes\) but the file has 23 bytes/,
    );
    assert.throws(
      () => parseIdxLabels(join8(header(0x803, 1), Uint8Array.from([0])), 'lab'),
      /lab: magic number 0x803 is not 0x801/,
    );
    assert.throws(
      () => parseIdxLabels(join8(header(0x801, 3), Uint8Array.from([0, 1])), 'lab'),
      /header says 3 labels \(11 bytes\) but the file has 10 bytes/,
    );
    assert.throws(
      () => parseIdxLabels(join8(header(0x801, 2), Uint8Array.from([3, 10])), 'lab'),
      /label 10 at index 1 is not in 0\.\.9/,
    );
  });

  it('names a missing or non-gzip file', () => {
    assert.throws(
      () => loadFashionMnist('t10k', '/nonexistent'),
      /Cannot read \/nonexistent\/t10k-images-idx3-ubyte\.gz/,
    );
    const dir = mkdtempSync(join(tmpdir(), 'idx-'));
    try {
      writeFileSync(join(dir, 't10k-images-idx3-ubyte.gz'), 'not gzip');
      assert.throws(
        () => loadFashionMnist('t10k', dir),
        /t10k-images-idx3-ubyte\.gz is not valid gzip data/,
      );
      // A valid images file with a labels file of another count.
      const images = join8(header(0x803, 2, 28, 28), new Uint8Array(2 * 784));
      writeFileSync(join(dir, 't10k-images-idx3-ubyte.gz'), gzipSync(images));
      writeFileSync(
        join(dir, 't10k-labels-idx1-ubyte.gz'),
        gzipSync(join8(header(0x801, 1), Uint8Array.from([0]))),
      );
      assert.throws(() => loadFashionMnist('t10k', dir), /has 2 images but .* has 1 labels/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('makes file-name-safe label names', () => {
    assert.equal(labelFileName('T-shirt/top'), 't-shirt-top');
    assert.equal(labelFileName('Ankle boot'), 'ankle-boot');
    assert.equal(new Set(FASHION_MNIST_LABELS.map(labelFileName)).size, 10);
  });

  it('reads the installed test split: 10,000 images, 1,000 per class', function () {
    if (!existsSync(join(FASHION_MNIST_DIR, 't10k-labels-idx1-ubyte.gz'))) this.skip();
    const { images, labels } = loadFashionMnist('t10k');
    assert.deepEqual([images.count, images.rows, images.cols], [10_000, 28, 28]);
    const perClass = new Array(10).fill(0);
    labels.forEach((l) => perClass[l]++);
    assert.deepEqual(perClass, new Array(10).fill(1000));
  });
});
