/**
 * Model files "CNN Inspector: New model file" writes: small, commented networks a user can run at
 * once (seeded initial weights, so every run shows the same maps) and then edit. Each comes with
 * a sample picture of the input it expects, shipped in media/samples/.
 */

export interface ModelTemplate {
  id: string;
  label: string;
  detail: string;
  /** File name proposed for the new model file. */
  fileName: string;
  /** Sample picture in media/samples/, copied beside the model file. */
  sampleImage: string;
  source: string;
}

const HEADER = `// Written by CNN Inspector's "New model file". Run it with the CodeLens above \`export default\`
// or "CNN Inspector: Visualize layer"; save to re-run. CNN Inspector runs '@tensorflow/tfjs' with
// its own TensorFlow.js: \`npm install @tensorflow/tfjs\` only for types and your own scripts.
`;

const LENET = `${HEADER}// LeNet-5 (LeCun et al. 1998) for 28x28 grey pictures, with ReLU and max pooling instead of the
// original tanh and subsampling. Weights are freshly initialised: train it, or load trained
// weights with tf.loadLayersModel('file://./model.json') (relative to this file).
import * as tf from '@tensorflow/tfjs';

/** Class names in output order (Fashion-MNIST's; change them for your data). */
export const labels = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat',
  'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
];

export default function lenet(): tf.LayersModel {
  const seeded = (seed: number) => tf.initializers.glorotUniform({ seed });
  const model = tf.sequential({ name: 'lenet5' });
  model.add(tf.layers.conv2d({ name: 'conv1', inputShape: [28, 28, 1], filters: 6, kernelSize: 5,
    padding: 'same', activation: 'relu', kernelInitializer: seeded(1) }));
  model.add(tf.layers.maxPooling2d({ name: 'pool1', poolSize: 2 }));
  model.add(tf.layers.conv2d({ name: 'conv2', filters: 16, kernelSize: 5, activation: 'relu',
    kernelInitializer: seeded(2) }));
  model.add(tf.layers.maxPooling2d({ name: 'pool2', poolSize: 2 }));
  model.add(tf.layers.flatten({ name: 'flatten' }));
  model.add(tf.layers.dense({ name: 'fc1', units: 120, activation: 'relu', kernelInitializer: seeded(3) }));
  model.add(tf.layers.dense({ name: 'fc2', units: 84, activation: 'relu', kernelInitializer: seeded(4) }));
  model.add(tf.layers.dense({ name: 'predictions', units: 10, activation: 'softmax',
    kernelInitializer: seeded(5) }));
  return model;
}
`;

const CIFAR = `${HEADER}// A small CIFAR-10 network for 32x32 colour pictures: two blocks of two 3x3 convolutions and a
// max pooling, then a dense classifier. Pictures are scaled to -1..1 by \`preprocess\`.
import * as tf from '@tensorflow/tfjs';

export const labels = [
  'airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck',
];

/** [height, width, 3] floats 0..255 -> the network's input. */
export function preprocess(image: tf.Tensor3D): tf.Tensor3D {
  return image.div(127.5).sub(1);
}

export default function smallCifarNet(): tf.LayersModel {
  const he = (seed: number) => tf.initializers.heNormal({ seed });
  const model = tf.sequential({ name: 'small_cifar_net' });
  const conv = (name: string, filters: number, seed: number, inputShape?: number[]) =>
    tf.layers.conv2d({ name, filters, kernelSize: 3, padding: 'same', activation: 'relu',
      kernelInitializer: he(seed), ...(inputShape ? { inputShape } : {}) });
  model.add(conv('block1_conv1', 32, 1, [32, 32, 3]));
  model.add(conv('block1_conv2', 32, 2));
  model.add(tf.layers.maxPooling2d({ name: 'block1_pool', poolSize: 2 }));
  model.add(conv('block2_conv1', 64, 3));
  model.add(conv('block2_conv2', 64, 4));
  model.add(tf.layers.maxPooling2d({ name: 'block2_pool', poolSize: 2 }));
  model.add(tf.layers.flatten({ name: 'flatten' }));
  model.add(tf.layers.dense({ name: 'fc', units: 128, activation: 'relu', kernelInitializer: he(5) }));
  model.add(tf.layers.dense({ name: 'predictions', units: 10, activation: 'softmax',
    kernelInitializer: he(6) }));
  return model;
}
`;

export const MODEL_TEMPLATES: readonly ModelTemplate[] = [
  {
    id: 'lenet',
    label: 'LeNet-5',
    detail: '28x28 grey pictures, 10 classes (Fashion-MNIST labels), 61,706 parameters',
    fileName: 'lenet.ts',
    sampleImage: 'ankle-boot-28.png',
    source: LENET,
  },
  {
    id: 'small-cifar',
    label: 'Small CIFAR-10 network',
    detail: '32x32 colour pictures, 10 classes, four 3x3 convolutions',
    fileName: 'small-cifar-net.ts',
    sampleImage: 'cat-64.png',
    source: CIFAR,
  },
];

/** `lenet.ts`, or `lenet-2.ts`, `lenet-3.ts`... when the name is taken. */
export function freeFileName(fileName: string, taken: (name: string) => boolean): string {
  if (!taken(fileName)) return fileName;
  const dot = fileName.lastIndexOf('.');
  const [stem, extension] = [fileName.slice(0, dot), fileName.slice(dot)];
  for (let i = 2; ; i++) {
    const candidate = `${stem}-${i}${extension}`;
    if (!taken(candidate)) return candidate;
  }
}
