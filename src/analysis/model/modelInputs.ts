/**
 * What a loaded model takes as input: its image size (or a clear error for a model that does not
 * take images) and the file's `preprocess`, which turns 0..255 pixels into the model's input.
 */
import type * as tfType from '@tensorflow/tfjs';
import { InspectorError } from '../errors';
import type { ModelImage } from '../image/toModelInput';
import type { ModelSummary } from '../modelSummary';
import { userCodeError, type ModelModule } from './loadModelModule';

export class ModelInputs {
  constructor(
    private readonly tf: typeof tfType,
    private readonly module: ModelModule,
    private readonly summary: ModelSummary,
  ) {}

  /** Height, width and channels of the image input, or a clear error for non-image models. */
  imageSize(): { height: number; width: number; channels: number } {
    const shape = this.summary.inputShape;
    if (shape.length !== 3) {
      throw new InspectorError(
        'not-an-image-model',
        `${this.summary.file}: model '${this.summary.exportName}' takes input of shape [${shape.map((d) => d ?? '?').join(', ')}], not an image (height, width, channels).`,
      );
    }
    const [h, w, c] = shape;
    const height = h ?? this.module.inputSize?.[0];
    const width = w ?? this.module.inputSize?.[1];
    if (!height || !width || !c) {
      throw new InspectorError(
        'not-an-image-model',
        `${this.summary.file}: the input size of '${this.summary.exportName}' is not fixed; export inputSize = [height, width].`,
      );
    }
    return { height, width, channels: c };
  }

  /** [1, h, w, c] model input from 0..255 pixels: the file's `preprocess`, else divide by 255. */
  async preprocess(image: ModelImage): Promise<tfType.Tensor> {
    const { tf } = this;
    const pixels = tf.tensor3d(image.pixels, [image.height, image.width, image.channels]);
    const custom = this.module.preprocess;
    if (!custom) {
      const scaled = tf.tidy(() => pixels.div(255).expandDims(0));
      pixels.dispose();
      return scaled;
    }
    let out: tfType.Tensor;
    try {
      out = await custom(pixels);
    } catch (error) {
      pixels.dispose();
      throw userCodeError(error, this.summary.file, 'in preprocess');
    }
    if (out !== pixels) pixels.dispose();
    if (!out || typeof (out as tfType.Tensor).rank !== 'number') {
      throw new InspectorError(
        'runtime',
        `${this.summary.file}: preprocess must return a tf.Tensor.`,
      );
    }
    if (out.rank === 3) {
      const batched = out.expandDims(0);
      out.dispose();
      return batched;
    }
    return out;
  }

  /** The range of model input values that pixels 0..255 become (black and white through preprocessing). */
  async range(): Promise<[number, number]> {
    const size = this.imageSize();
    const count = size.height * size.width * size.channels;
    let low = Infinity;
    let high = -Infinity;
    for (const value of [0, 255]) {
      const pixels = new Float32Array(count).fill(value);
      const image = { ...size, pixels, display: new Uint8ClampedArray(0) };
      const input = await this.preprocess(image);
      try {
        for (const v of await input.data()) {
          low = Math.min(low, v);
          high = Math.max(high, v);
        }
      } finally {
        input.dispose();
      }
    }
    return [low, high];
  }
}

/** The model's input shape (without batch), free image sizes taken from the file's `inputSize`. */
export function declaredInputShape(
  shape: (number | null)[],
  inputSize: [number, number] | undefined,
): (number | null)[] {
  if (shape.length !== 3 || !inputSize) return shape;
  return [shape[0] ?? inputSize[0], shape[1] ?? inputSize[1], shape[2]];
}
