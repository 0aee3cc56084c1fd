/**
 * "New model file" -> "ONNX import wrapper": a model file that loads an ONNX file with
 * `loadOnnxModel` and adds what a bare .onnx file lacks, class names and the preprocessing the
 * network was trained with. Written for torchvision's ImageNet classifiers (their class order and
 * mean/std); the comments say what to change for another network.
 */
import { IMAGENET_CLASSES } from './imagenetClasses';

export const ONNX_WRAPPER_TEMPLATE = {
  id: 'onnx-wrapper',
  label: 'ONNX import wrapper',
  detail: 'Loads a .onnx file (PyTorch, Keras, TensorFlow) with ImageNet labels and mean/std',
  sampleImage: 'cat-64.png',
} as const;

/** `resnet18.onnx` -> `resnet18-model.ts`. */
export function onnxWrapperFileName(onnxFileName: string): string {
  return `${onnxFileName.replace(/\.onnx$/i, '')}-model.ts`;
}

function labelsSource(): string {
  const lines: string[] = [];
  let line = ' ';
  for (const name of IMAGENET_CLASSES) {
    const item = ` ${JSON.stringify(name)},`;
    if (line.length + item.length > 99) {
      lines.push(line);
      line = ' ';
    }
    line += item;
  }
  lines.push(line);
  return lines.join('\n');
}

/** The wrapper's source; `onnxFileName` is beside it (a path relative to the model file). */
export function onnxWrapperSource(onnxFileName: string): string {
  const path = JSON.stringify(`./${onnxFileName}`).replace(/^"|"$/g, "'");
  return `// Written by CNN Inspector's "New model file" (ONNX import wrapper). Run it with the CodeLens
// above \`export default\` or "CNN Inspector: Visualize layer"; save to re-run. See the README's
// "ONNX models" section for what the import supports.
import * as tf from '@tensorflow/tfjs';
import { loadOnnxModel } from 'cnn-inspector'; // resolved by CNN Inspector, like '@tensorflow/tfjs'

/** Class names in output order: ImageNet-1k as torchvision orders them. Replace for your data. */
// prettier-ignore
export const labels = [
${labelsSource()}
];

/**
 * The image as the network was trained to see it. \`image\` is [height, width, 3], RGB floats
 * 0..255, already resized to the model's input; stay channels-last (the import handles NCHW).
 * torchvision's ImageNet models: /255, then ImageNet's mean and standard deviation.
 */
export function preprocess(image: tf.Tensor3D): tf.Tensor3D {
  return tf.tidy(() => {
    const mean = tf.tensor1d([0.485, 0.456, 0.406]);
    const std = tf.tensor1d([0.229, 0.224, 0.225]);
    return image.div(255).sub(mean).div(std) as tf.Tensor3D;
  });
}

// The path is relative to this file. When the ONNX file leaves the image size free, give it:
// loadOnnxModel(${path}, { inputSize: [224, 224] })
export default () => loadOnnxModel(${path});
`;
}
