// Reference models for the structure tests, built with tf.layers exactly as Keras defines them.
import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { extractLayerGraph } from '../../src/analysis/structure';
import {
  describeStructure,
  type ModelStructure,
} from '../../src/analysis/structure/modelStructure';

/** Structure of a freshly built model, which is disposed again without leaking a tensor. */
export function structureOf(build: () => tf.LayersModel): ModelStructure {
  const before = tf.memory().numTensors;
  const model = build();
  const structure = describeStructure(extractLayerGraph(model));
  model.dispose();
  assert.equal(tf.memory().numTensors, before, 'no tensor may leak');
  return structure;
}

/**
 * keras.applications.VGG16 layout (include_top). Weights start at zero: the tests only need the
 * structure, and zeros allocate much faster than random initialisers on the cpu backend.
 */
export function buildVgg16(height = 224, width = 224, includeTop = true): tf.LayersModel {
  const blocks = [
    [64, 2],
    [128, 2],
    [256, 3],
    [512, 3],
    [512, 3],
  ];
  const input = tf.input({ shape: [height, width, 3], name: 'input_1' });
  let x: tf.SymbolicTensor = input;
  blocks.forEach(([filters, convs], b) => {
    for (let c = 1; c <= convs; c++) {
      x = tf.layers
        .conv2d({
          filters,
          kernelSize: 3,
          padding: 'same',
          activation: 'relu',
          kernelInitializer: 'zeros',
          name: `block${b + 1}_conv${c}`,
        })
        .apply(x) as tf.SymbolicTensor;
    }
    x = tf.layers
      .maxPooling2d({ poolSize: 2, strides: 2, name: `block${b + 1}_pool` })
      .apply(x) as tf.SymbolicTensor;
  });
  if (includeTop) {
    x = tf.layers.flatten({ name: 'flatten' }).apply(x) as tf.SymbolicTensor;
    for (const [units, name] of [
      [4096, 'fc1'],
      [4096, 'fc2'],
    ] as const) {
      x = tf.layers
        .dense({ units, activation: 'relu', kernelInitializer: 'zeros', name })
        .apply(x) as tf.SymbolicTensor;
    }
    x = tf.layers
      .dense({
        units: 1000,
        activation: 'softmax',
        kernelInitializer: 'zeros',
        name: 'predictions',
      })
      .apply(x) as tf.SymbolicTensor;
  }
  return tf.model({ inputs: input, outputs: x, name: 'vgg16' });
}

/** LeNet-5 for 28x28x1 (first convolution 'same', as is usual for MNIST-sized inputs). */
export function buildLenet5(): tf.Sequential {
  return tf.sequential({
    name: 'lenet5',
    layers: [
      tf.layers.conv2d({
        inputShape: [28, 28, 1],
        filters: 6,
        kernelSize: 5,
        padding: 'same',
        activation: 'relu',
        name: 'conv1',
      }),
      tf.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }),
      tf.layers.conv2d({ filters: 16, kernelSize: 5, activation: 'relu', name: 'conv2' }),
      tf.layers.maxPooling2d({ poolSize: 2, name: 'pool2' }),
      tf.layers.flatten({ name: 'flatten' }),
      tf.layers.dense({ units: 120, activation: 'relu', name: 'fc1' }),
      tf.layers.dense({ units: 84, activation: 'relu', name: 'fc2' }),
      tf.layers.dense({ units: 10, activation: 'softmax', name: 'fc3' }),
    ],
  });
}

/** Applies a layer to one symbolic tensor (tf's apply returns a union type). */
export function applyTo(layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]) {
  return layer.apply(x) as tf.SymbolicTensor;
}
