// VGG-16 (Simonyan & Zisserman 2014) with the layer names of keras.applications.VGG16, for
// 224x224 RGB images: 13 3x3 convolutions in five blocks, then three dense layers.
// No pretrained ImageNet weights are available offline, so the weights are random (seeded, so
// every build is the same) and the predictions mean nothing; the structure, receptive fields,
// parameter counts and the first layers' feature maps are still worth looking at. Weights converted
// from Keras (tensorflowjs_converter) load into the same layer names with tf.loadLayersModel.
import * as tf from '@tensorflow/tfjs';

/** The input's channels are blue, green, red (see preprocess): pictures are drawn in RGB. */
export const channelOrder = 'bgr';

/** Keras's "caffe" preprocessing for VGG: RGB to BGR, then subtract the ImageNet channel means. */
export function preprocess(image: tf.Tensor3D): tf.Tensor {
  return tf.tidy(() => tf.reverse(image, -1).sub(tf.tensor1d([103.939, 116.779, 123.68])));
}

export default function vgg16(): tf.LayersModel {
  let seed = 0;
  const init = () => tf.initializers.glorotUniform({ seed: ++seed });
  const conv = (name: string, filters: number) =>
    tf.layers.conv2d({
      name,
      filters,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: init(),
    });
  const pool = (name: string) => tf.layers.maxPooling2d({ name, poolSize: 2, strides: 2 });
  const model = tf.sequential({ name: 'vgg16' });
  model.add(tf.layers.inputLayer({ name: 'input_1', inputShape: [224, 224, 3] }));
  model.add(conv('block1_conv1', 64));
  model.add(conv('block1_conv2', 64));
  model.add(pool('block1_pool'));
  model.add(conv('block2_conv1', 128));
  model.add(conv('block2_conv2', 128));
  model.add(pool('block2_pool'));
  model.add(conv('block3_conv1', 256));
  model.add(conv('block3_conv2', 256));
  model.add(conv('block3_conv3', 256));
  model.add(pool('block3_pool'));
  model.add(conv('block4_conv1', 512));
  model.add(conv('block4_conv2', 512));
  model.add(conv('block4_conv3', 512));
  model.add(pool('block4_pool'));
  model.add(conv('block5_conv1', 512));
  model.add(conv('block5_conv2', 512));
  model.add(conv('block5_conv3', 512));
  model.add(pool('pool5'));
  model.add(tf.layers.flatten({ name: 'flatten' }));
  model.add(
    tf.layers.dense({ name: 'fc1', units: 4096, activation: 'relu', kernelInitializer: init() }),
  );
  model.add(
    tf.layers.dense({ name: 'fc2', units: 4096, activation: 'relu', kernelInitializer: init() }),
  );
  model.add(
    tf.layers.dense({
      name: 'predictions',
      units: 1000,
      activation: 'softmax',
      kernelInitializer: init(),
    }),
  );
  return model;
}
