// A small CIFAR-10 style network for 32x32 RGB images: two blocks of 3x3 convolutions, global
// average pooling and two dense layers. It has no trained weights; its initializers are seeded, so
// every build has the same random weights and the feature maps are reproducible.
import * as tf from '@tensorflow/tfjs';

/** CIFAR-10 class names in label order. */
export const labels = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
];

export default function cifar10net(): tf.LayersModel {
  const he = (seed: number) => tf.initializers.heNormal({ seed });
  const model = tf.sequential({ name: 'cifar10net' });
  // No bias before batch norm: its beta does the same job.
  model.add(
    tf.layers.conv2d({
      name: 'conv1',
      inputShape: [32, 32, 3],
      filters: 32,
      kernelSize: 3,
      padding: 'same',
      useBias: false,
      kernelInitializer: he(1),
    }),
  );
  model.add(tf.layers.batchNormalization({ name: 'bn1' }));
  model.add(tf.layers.activation({ name: 'relu1', activation: 'relu' }));
  model.add(
    tf.layers.conv2d({
      name: 'conv2',
      filters: 32,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: he(2),
    }),
  );
  model.add(tf.layers.maxPooling2d({ name: 'pool1', poolSize: 2 }));
  model.add(
    tf.layers.conv2d({
      name: 'conv3',
      filters: 64,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: he(3),
    }),
  );
  model.add(
    tf.layers.conv2d({
      name: 'conv4',
      filters: 64,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: he(4),
    }),
  );
  model.add(tf.layers.maxPooling2d({ name: 'pool2', poolSize: 2 }));
  model.add(tf.layers.globalAveragePooling2d({ name: 'gap' }));
  model.add(
    tf.layers.dense({ name: 'fc1', units: 128, activation: 'relu', kernelInitializer: he(5) }),
  );
  model.add(
    tf.layers.dense({
      name: 'predictions',
      units: 10,
      activation: 'softmax',
      kernelInitializer: tf.initializers.glorotUniform({ seed: 6 }),
    }),
  );
  return model;
}
