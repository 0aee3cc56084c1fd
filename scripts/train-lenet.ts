// Trains the example LeNet-5 (examples/lenet.ts) on Fashion-MNIST and writes its weights, a record
// of the run, and sample test images for the example workspace.
//   npm run train:lenet                       # or: npx tsx scripts/train-lenet.ts
//   options: --budget-minutes 15  --epochs N  --batch-size 64  --out examples  --measure
// Training runs on the plain-JS `cpu` backend: the wasm backend has no Conv2DBackpropFilter.
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PNG } from 'pngjs';
import { lenetUntrained } from '../examples/lenet';
import { fileSystemSaveHandler } from '../src/analysis/model/fileSystemIO';
import { useFastCpuTrainingKernels } from './fast-cpu-kernels';
import {
  FASHION_MNIST_DIR,
  FASHION_MNIST_LABELS,
  labelFileName,
  loadFashionMnist,
  type FashionMnistSplit,
} from './fashion-mnist';

const SAMPLE_IMAGE_COUNT = 300;
const MAX_EPOCHS = 20;
const TIMING_BATCHES = 8;

interface Options {
  budgetMinutes: number;
  epochs?: number;
  batchSize: number;
  outDir: string;
  /** Only time a few batches and print the epoch estimate. */
  measureOnly: boolean;
}

function parseArgs(argv: string[]): Options {
  const options: Options = {
    budgetMinutes: 15,
    batchSize: 64,
    outDir: 'examples',
    measureOnly: false,
  };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--measure') {
      options.measureOnly = true;
      continue;
    }
    const value = argv[i + 1];
    const number = Number(value);
    switch (argv[i]) {
      case '--budget-minutes':
        options.budgetMinutes = number;
        break;
      case '--epochs':
        options.epochs = number;
        break;
      case '--batch-size':
        options.batchSize = number;
        break;
      case '--out':
        options.outDir = value;
        break;
      default:
        throw new Error(`Unknown argument ${argv[i]}`);
    }
    if (argv[i] !== '--out' && !(number > 0)) throw new Error(`${argv[i]} needs a positive number`);
    i++;
  }
  return options;
}

/** Scales to 0..1 exactly as the extension's default preprocessing (divide by 255) does. */
function toTensors(split: FashionMnistSplit, count = split.labels.length) {
  return tf.tidy(() => {
    const pixels = split.images.pixels.subarray(0, count * 28 * 28);
    const xs = tf.tensor4d(Float32Array.from(pixels), [count, 28, 28, 1]).div(255);
    const ys = tf.oneHot(
      tf.tensor1d(Int32Array.from(split.labels.subarray(0, count)), 'int32'),
      10,
    );
    return { xs: xs as tf.Tensor4D, ys: ys as tf.Tensor2D };
  });
}

function compile(model: tf.LayersModel): void {
  model.compile({
    optimizer: tf.train.adam(0.001),
    loss: 'categoricalCrossentropy',
    metrics: ['accuracy'],
  });
}

/** Seconds per batch on this machine, measured on a throwaway model after one warm-up batch. */
async function secondsPerBatch(xs: tf.Tensor4D, ys: tf.Tensor2D, batchSize: number) {
  const model = lenetUntrained();
  compile(model);
  const batch = (i: number) =>
    tf.tidy(() => [xs.slice(i * batchSize, batchSize), ys.slice(i * batchSize, batchSize)]);
  const [wx, wy] = batch(0);
  await model.trainOnBatch(wx, wy);
  tf.dispose([wx, wy]);
  const started = performance.now();
  for (let i = 1; i <= TIMING_BATCHES; i++) {
    const [bx, by] = batch(i);
    await model.trainOnBatch(bx, by);
    tf.dispose([bx, by]);
  }
  const seconds = (performance.now() - started) / 1000 / TIMING_BATCHES;
  model.dispose();
  return seconds;
}

function testAccuracy(model: tf.LayersModel, xs: tf.Tensor4D, labels: Uint8Array): number {
  let correct = 0;
  for (let start = 0; start < labels.length; start += 1000) {
    const size = Math.min(1000, labels.length - start);
    const predicted = tf.tidy(() =>
      (model.predict(xs.slice(start, size)) as tf.Tensor).argMax(-1).dataSync(),
    );
    for (let i = 0; i < size; i++) if (predicted[i] === labels[start + i]) correct++;
  }
  return correct / labels.length;
}

function writeSampleImages(test: FashionMnistSplit, dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < SAMPLE_IMAGE_COUNT; i++) {
    const png = new PNG({
      width: 28,
      height: 28,
      colorType: 0,
      inputColorType: 0,
      inputHasAlpha: false,
    });
    png.data = Buffer.from(test.images.pixels.subarray(i * 784, (i + 1) * 784));
    const name = `${String(i).padStart(3, '0')}-${labelFileName(FASHION_MNIST_LABELS[test.labels[i]])}.png`;
    writeFileSync(
      join(dir, name),
      PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false }),
    );
  }
  writeFileSync(join(dir, 'README.md'), sampleImagesReadme());
}

function sampleImagesReadme(): string {
  return `# Fashion-MNIST test images

The first ${SAMPLE_IMAGE_COUNT} images of the Fashion-MNIST test set (\`t10k-images-idx3-ubyte\`), as
28x28 8-bit greyscale PNGs, written by \`scripts/train-lenet.ts\`. File names are
\`<index>-<label>.png\`: the index in the test set and its true class.

Source: Fashion-MNIST by Zalando Research (Han Xiao, Kashif Rasul, Roland Vollgraf, 2017),
https://github.com/zalandoresearch/fashion-mnist, as packaged by Debian (\`dataset-fashion-mnist\`,
files in \`${FASHION_MNIST_DIR}\`).

Licence: MIT.

    The MIT License (MIT) Copyright © 2017 Zalando SE, https://tech.zalando.com

    Permission is hereby granted, free of charge, to any person obtaining a copy of this software
    and associated documentation files (the "Software"), to deal in the Software without
    restriction, including without limitation the rights to use, copy, modify, merge, publish,
    distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the
    Software is furnished to do so, subject to the following conditions:

    The above copyright notice and this permission notice shall be included in all copies or
    substantial portions of the Software.

    THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING
    BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
    NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM,
    DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
    OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
`;
}

interface EpochEntry {
  epoch: number;
  loss: number;
  accuracy: number;
  seconds: number;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const outDir = resolve(options.outDir);
  await tf.setBackend('cpu');
  useFastCpuTrainingKernels();
  const started = performance.now();

  const trainSplit = loadFashionMnist('train');
  const testSplit = loadFashionMnist('t10k');
  const train = toTensors(trainSplit);
  const epochs = await epochsInBudget(options, train, trainSplit.labels.length);
  if (options.measureOnly) {
    tf.dispose([train.xs, train.ys]);
    return;
  }
  writeSampleImages(testSplit, join(outDir, 'images', 'fashion-mnist'));
  const test = toTensors(testSplit);

  const model = lenetUntrained();
  compile(model);
  const trainStarted = performance.now();
  const history = await fitWithHistory(model, train, epochs, options.batchSize);
  const trainSeconds = (performance.now() - trainStarted) / 1000;

  const accuracy = testAccuracy(model, test.xs, testSplit.labels);
  console.log(`test accuracy ${(accuracy * 100).toFixed(2)}% on ${testSplit.labels.length} images`);

  const modelDir = join(outDir, 'lenet');
  await model.save(fileSystemSaveHandler(modelDir));
  const record = {
    model: 'examples/lenet.ts (lenetUntrained)',
    dataSource: `Fashion-MNIST (Zalando Research, MIT licence) from Debian package dataset-fashion-mnist, ${FASHION_MNIST_DIR}`,
    trainImages: trainSplit.labels.length,
    testImages: testSplit.labels.length,
    preprocessing: 'pixel / 255',
    backend: tf.getBackend(),
    kernels:
      'cpu backend with the typed-array Conv2DBackpropFilter and MaxPoolGrad of scripts/fast-cpu-kernels.ts (checked against the TF.js kernels at start-up)',
    tfjsVersion: tf.version.tfjs,
    optimizer: 'adam, learning rate 0.001',
    epochs,
    batchSize: options.batchSize,
    trainSeconds: Math.round(trainSeconds),
    totalSeconds: Math.round((performance.now() - started) / 1000),
    testAccuracy: Number(accuracy.toFixed(4)),
    history,
    date: new Date().toISOString(),
  };
  writeFileSync(join(modelDir, 'training.json'), `${JSON.stringify(record, null, 2)}\n`);
  console.log(`saved ${modelDir}/model.json, weights.bin and training.json`);
  tf.dispose([train.xs, train.ys, test.xs, test.ys]);
  model.dispose();
}

/** `--epochs`, or as many epochs (1 to MAX_EPOCHS) as the time budget fits at the timed batch rate. */
async function epochsInBudget(
  options: Options,
  train: { xs: tf.Tensor4D; ys: tf.Tensor2D },
  trainImages: number,
): Promise<number> {
  const batchSeconds = await secondsPerBatch(train.xs, train.ys, options.batchSize);
  const batchesPerEpoch = Math.ceil(trainImages / options.batchSize);
  const epochEstimate = batchSeconds * batchesPerEpoch;
  const epochs =
    options.epochs ??
    Math.max(1, Math.min(MAX_EPOCHS, Math.floor((options.budgetMinutes * 60) / epochEstimate)));
  console.log(
    `${batchSeconds.toFixed(3)} s per batch of ${options.batchSize}: ` +
      `about ${epochEstimate.toFixed(0)} s per epoch, ${epochs} epochs fit the budget`,
  );
  return epochs;
}

/** Trains, printing a line per epoch; the epochs' loss, training accuracy and time. */
async function fitWithHistory(
  model: tf.LayersModel,
  train: { xs: tf.Tensor4D; ys: tf.Tensor2D },
  epochs: number,
  batchSize: number,
): Promise<EpochEntry[]> {
  const history: EpochEntry[] = [];
  let epochStarted = performance.now();
  await model.fit(train.xs, train.ys, {
    epochs,
    batchSize,
    shuffle: true,
    verbose: 0,
    callbacks: {
      onEpochEnd: async (epoch, logs) => {
        const now = performance.now();
        const entry = {
          epoch: epoch + 1,
          loss: Number(logs?.loss?.toFixed(4)),
          accuracy: Number(logs?.acc?.toFixed(4)),
          seconds: Math.round((now - epochStarted) / 1000),
        };
        epochStarted = now;
        history.push(entry);
        console.log(
          `epoch ${entry.epoch}/${epochs}: loss ${entry.loss}, train accuracy ${entry.accuracy}, ${entry.seconds} s`,
        );
      },
    },
  });
  return history;
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
