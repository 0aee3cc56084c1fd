// Test helper: the gradient of a unit by tf.grad, to cross-check the receptive-field arithmetic
// against what tfjs computes (cpu backend: tf.grad through fused convolutions also needs
// Conv2DBackpropFilter, which the wasm backend lacks; the product computes the gradient with
// explicit transposed operations in src/analysis/explain instead).
// Effective receptive field (Luo et al., "Understanding the Effective Receptive Field in Deep
// Convolutional Neural Networks", NIPS 2016): how strongly each input pixel moves one unit,
// measured as |d unit / d input| summed over input channels. The tfjs namespace is passed in, so
// the model may live on any tfjs instance.
import type * as tfType from '@tensorflow/tfjs';

export interface EffectiveReceptiveField {
  /** Spatial shape of the heatmap: [height, width] for images, [length] for sequences. */
  shape: number[];
  /** Row-major |gradient| summed over the input's channels (last axis). */
  values: Float32Array;
}

/**
 * Gradient of one unit of `layerName` with respect to `input` (batch of 1, channels last).
 * `unit` indexes the layer's output without the batch dimension, e.g. [y, x, channel] for a 2-D
 * feature map, [channel] for a dense layer. The gradient depends on the input where the network
 * is not linear (ReLU, max pooling), so pass the image being inspected (or a random one).
 */
export function effectiveReceptiveField(
  tf: typeof tfType,
  model: tfType.LayersModel,
  layerName: string,
  unit: number[],
  input: tfType.Tensor,
): EffectiveReceptiveField {
  if (model.inputs.length !== 1)
    throw new Error('effective receptive fields need a single-input model');
  if (input.shape[0] !== 1)
    throw new Error(`input must have a batch of 1, got shape [${input.shape.join(', ')}]`);
  const layer = model.getLayer(layerName);
  const output = layer.output;
  if (Array.isArray(output)) throw new Error(`layer '${layerName}' has several outputs`);
  const outShape = output.shape.slice(1);
  if (
    unit.length !== outShape.length ||
    unit.some(
      (u, i) =>
        !Number.isInteger(u) || u < 0 || (outShape[i] !== null && u >= (outShape[i] as number)),
    )
  ) {
    throw new RangeError(
      `unit [${unit.join(', ')}] is outside layer '${layerName}' of shape [${outShape.join(', ')}]`,
    );
  }
  // A sub-model sharing the layers (and weights) of `model`: it must not be disposed, or it
  // would dispose the weights of `model` too. Building it creates no tensor.
  const sub = tf.model({ inputs: model.inputs, outputs: output });
  const heat = tf.tidy(() => {
    const unitValue = (image: tfType.Tensor) => {
      const out = sub.apply(image) as tfType.Tensor;
      return out.slice([0, ...unit], [1, ...unit.map(() => 1)]).sum();
    };
    const gradient = tf.grad(unitValue)(input);
    return gradient.abs().sum(-1).squeeze([0]);
  });
  try {
    return { shape: heat.shape, values: Float32Array.from(heat.dataSync()) };
  } finally {
    heat.dispose();
  }
}
