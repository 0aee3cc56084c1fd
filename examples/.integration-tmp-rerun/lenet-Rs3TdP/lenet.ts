// LeNet-5 for Fashion-MNIST (28x28 grey clothing pictures, 10 classes), after LeCun et al. 1998,
// with ReLU and max pooling instead of the original tanh and subsampling.
// The default export loads weights trained by `npm run train:lenet` (see lenet/training.json).
// Input: the default preprocessing (pixel / 255), the same scaling the weights were trained with.
import * as tf from '@tensorflow/tfjs';

/** Fashion-MNIST class names in label order (Zalando Research). */
export const labels = [
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
];

/** The architecture with freshly initialised weights (seeded, so every build is the same). */
export function lenetUntrained(): tf.LayersModel {
  const seeded = (seed: number) => tf.initializers.glorotUniform({ seed });
  const model = tf.sequential({ name: 'lenet5' });
  model.add(
    tf.layers.conv2d({
      name: 'conv1',
      inputShape: [28, 28, 1],
      filters: 6,
      kernelSize: 5,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: seeded(1),
    }),
  );
  model.add(tf.layers.maxPooling2d({ name: 'pool1', poolSize: 2, strides: 2 }));
  model.add(
    tf.layers.conv2d({
      name: 'conv2',
      filters: 16,
      kernelSize: 5,
      padding: 'valid',
      activation: 'relu',
      kernelInitializer: seeded(2),
    }),
  );
  model.add(tf.layers.maxPooling2d({ name: 'pool2', poolSize: 2, strides: 2 }));
  model.add(tf.layers.flatten({ name: 'flatten' }));
  model.add(
    tf.layers.dense({ name: 'fc1', units: 120, activation: 'relu', kernelInitializer: seeded(3) }),
  );
  model.add(
    tf.layers.dense({ name: 'fc2', units: 84, activation: 'relu', kernelInitializer: seeded(4) }),
  );
  model.add(
    tf.layers.dense({
      name: 'predictions',
      units: 10,
      activation: 'softmax',
      kernelInitializer: seeded(5),
    }),
  );
  return model;
}

/** LeNet-5 with the trained Fashion-MNIST weights from ./lenet/model.json. */
export default async function lenet(): Promise<tf.LayersModel> {
  const model = lenetUntrained();
  const trained = await tf.loadLayersModel('file://./lenet/model.json');
  try {
    model.setWeights(trained.getWeights());
  } finally {
    trained.dispose();
  }
  return model;
}
