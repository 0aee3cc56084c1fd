/**
 * OnnxMaxPool2D: max pooling with a dilated window (ONNX MaxPool `dilations`, PyTorch's
 * `nn.MaxPool2d(dilation=2)`), which tfjs's MaxPooling2D lacks. Its config reads like
 * MaxPooling2D's plus `dilationRate`, so the receptive fields, the arithmetic and the projections'
 * switches follow the dilated window (layerCapabilities: a max pooling). The padding is a layer
 * before it (`<node>.pad`, -Infinity), as for every ONNX pooling: this one is always 'valid'.
 */
import type { TfNamespace } from '../runtime';
import type * as tfType from '@tensorflow/tfjs';
import { firstShape, firstTensor, type Shape, type Tensor } from './customLayerBasics';

export interface DilatedPoolConfig {
  poolSize: [number, number];
  strides: [number, number];
  dilationRate: [number, number];
}

export function poolLayerClasses(tf: TfNamespace) {
  class OnnxMaxPool2D extends tf.layers.Layer {
    static className = 'OnnxMaxPool2D';
    readonly pool: DilatedPoolConfig;
    constructor(args: DilatedPoolConfig & { name?: string }) {
      super({ name: args.name });
      this.pool = {
        poolSize: args.poolSize,
        strides: args.strides,
        dilationRate: args.dilationRate,
      };
    }

    /** Per axis: windows of (k - 1) d + 1 input positions, `stride` apart, inside the input. */
    private outLength(length: number | null, axis: number): number | null {
      if (length === null) return null;
      const span = (this.pool.poolSize[axis] - 1) * this.pool.dilationRate[axis] + 1;
      return Math.floor((length - span) / this.pool.strides[axis]) + 1;
    }

    override computeOutputShape(inputShape: Shape | Shape[]): Shape {
      const [n, h, w, c] = firstShape(inputShape);
      return [n, this.outLength(h, 0), this.outLength(w, 1), c];
    }

    override call(inputs: Tensor | Tensor[]): Tensor {
      return tf.tidy(() => {
        const x = firstTensor(inputs) as tfType.Tensor4D;
        // tf.pool takes a dilation or a stride, not both: every stride-1 window, then every
        // stride-th of them (the same windows a strided pooling reads).
        const dense = tf.pool(x, this.pool.poolSize, 'max', 'valid', this.pool.dilationRate, 1);
        const [sh, sw] = this.pool.strides;
        if (sh === 1 && sw === 1) return dense;
        return tf.stridedSlice(dense, [0, 0, 0, 0], dense.shape, [1, sh, sw, 1]);
      });
    }

    override getConfig() {
      return { ...super.getConfig(), ...this.pool, padding: 'valid' };
    }
  }

  return { OnnxMaxPool2D };
}
