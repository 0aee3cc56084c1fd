/**
 * Resizing layers for ONNX Resize modes tfjs's UpSampling2D and Resizing do not cover (each uses
 * one coordinate convention only):
 * - OnnxResize2D: bilinear resizing with ONNX's half_pixel, align_corners or asymmetric
 *   coordinates (tf.image.resizeBilinear takes the convention as flags).
 * - OnnxCubicResize2D: ONNX Resize with mode 'cubic' (PyTorch's `mode='bicubic'`), which tfjs has
 *   no op for. Cubic interpolation is separable: each output row is a fixed weighted sum of 4
 *   input rows (indices clamped to the edge, ONNX's exclude_outside=0 and PyTorch's behaviour), and
 *   the same for columns, so the layer multiplies by a constant [out, in] matrix per axis (two
 *   matMuls; differentiable, so Grad-CAM and gradients pass through it).
 */
import type { TfNamespace } from '../runtime';
import type * as tfType from '@tensorflow/tfjs';
import { firstTensor, resizedShape, type Shape, type Tensor } from './customLayerBasics';

export interface ResizeConfig {
  size: [number, number];
  alignCorners: boolean;
  halfPixelCenters: boolean;
}

export type CoordinateMode = 'half_pixel' | 'pytorch_half_pixel' | 'align_corners' | 'asymmetric';

export interface CubicResizeConfig {
  size: [number, number];
  coordinates: CoordinateMode;
  /** ONNX cubic_coeff_a (PyTorch: -0.75). */
  cubicA: number;
}

/** The cubic convolution kernel of Keys (1981) with parameter a, at distance d. */
function cubicWeight(d: number, a: number): number {
  const x = Math.abs(d);
  if (x <= 1) return (a + 2) * x ** 3 - (a + 3) * x ** 2 + 1;
  if (x < 2) return a * x ** 3 - 5 * a * x ** 2 + 8 * a * x - 4 * a;
  return 0;
}

/** Input coordinate of output index o, as ONNX's coordinate_transformation_mode defines it. */
function sourceCoordinate(o: number, inLength: number, outLength: number, mode: CoordinateMode) {
  const scale = outLength / inLength;
  switch (mode) {
    case 'align_corners':
      return outLength === 1 ? 0 : (o * (inLength - 1)) / (outLength - 1);
    case 'asymmetric':
      return o / scale;
    case 'pytorch_half_pixel':
      return outLength > 1 ? (o + 0.5) / scale - 0.5 : 0;
    default:
      return (o + 0.5) / scale - 0.5;
  }
}

/** [inLength, outLength] matrix (row-major) whose column o holds output o's weights. */
export function cubicMatrix(
  inLength: number,
  outLength: number,
  mode: CoordinateMode,
  a: number,
): Float32Array {
  const m = new Float32Array(inLength * outLength);
  for (let o = 0; o < outLength; o++) {
    const x = sourceCoordinate(o, inLength, outLength, mode);
    const base = Math.floor(x);
    const t = x - base;
    for (let k = -1; k <= 2; k++) {
      const i = Math.min(Math.max(base + k, 0), inLength - 1);
      m[i * outLength + o] += cubicWeight(k - t, a);
    }
  }
  return m;
}

/** Bicubic resizing of an NHWC image: one matMul by a constant matrix per axis. */
function cubicResize(tf: TfNamespace, x: tfType.Tensor4D, config: CubicResizeConfig): Tensor {
  const [n, h, w, c] = x.shape;
  const [outH, outW] = config.size;
  const { coordinates, cubicA } = config;
  const rows = tf.tensor2d(cubicMatrix(h, outH, coordinates, cubicA), [h, outH]);
  const cols = tf.tensor2d(cubicMatrix(w, outW, coordinates, cubicA), [w, outW]);
  // [n, c, h, w] -> columns resized -> [n, c, outW, h] -> rows resized -> [n, outH, outW, c].
  const byColumn = tf.reshape(tf.transpose(x, [0, 3, 1, 2]), [n * c * h, w]);
  const wide = tf.reshape(tf.matMul(byColumn, cols), [n * c, h, outW]);
  const byRow = tf.reshape(tf.transpose(wide, [0, 2, 1]), [n * c * outW, h]);
  const tall = tf.reshape(tf.matMul(byRow, rows), [n, c, outW, outH]);
  return tf.transpose(tall, [0, 3, 2, 1]);
}

export function resizeLayerClasses(tf: TfNamespace) {
  class OnnxResize2D extends tf.layers.Layer {
    static className = 'OnnxResize2D';
    readonly resize: ResizeConfig;
    constructor(args: ResizeConfig & { name?: string }) {
      super({ name: args.name });
      const { size, alignCorners, halfPixelCenters } = args;
      this.resize = { size, alignCorners, halfPixelCenters };
    }
    override computeOutputShape(inputShape: Shape | Shape[]): Shape {
      return resizedShape(inputShape, this.resize.size);
    }
    override call(inputs: Tensor | Tensor[]): Tensor {
      const { size, alignCorners, halfPixelCenters } = this.resize;
      const x = firstTensor(inputs) as tfType.Tensor4D;
      return tf.tidy(() => tf.image.resizeBilinear(x, size, alignCorners, halfPixelCenters));
    }
    override getConfig() {
      return { ...super.getConfig(), ...this.resize };
    }
  }

  class OnnxCubicResize2D extends tf.layers.Layer {
    static className = 'OnnxCubicResize2D';
    readonly resize: CubicResizeConfig;
    constructor(args: CubicResizeConfig & { name?: string }) {
      super({ name: args.name });
      this.resize = { size: args.size, coordinates: args.coordinates, cubicA: args.cubicA };
    }
    override computeOutputShape(inputShape: Shape | Shape[]): Shape {
      return resizedShape(inputShape, this.resize.size);
    }
    override call(inputs: Tensor | Tensor[]): Tensor {
      const x = firstTensor(inputs) as tfType.Tensor4D;
      return tf.tidy(() => cubicResize(tf, x, this.resize));
    }
    override getConfig() {
      return { ...super.getConfig(), ...this.resize };
    }
  }

  return { OnnxResize2D, OnnxCubicResize2D };
}
