/**
 * What the import's two convolution layers (groupedConvLayer.ts, convTransposeLayer.ts) share: a
 * Keras-style config with channel groups, a kernel and an optional bias made zero when the layer
 * is built (the import then sets the file's values, layerWeights.ts), and the way a grouped
 * convolution runs: one tfjs convolution per group, so no block-diagonal kernel multiplies zeros.
 */
import type { TfNamespace } from '../runtime';
import type * as tfType from '@tensorflow/tfjs';
import { firstShape, type Shape, type Tensor } from './customLayerBasics';

type Tensor4D = tfType.Tensor4D;

/** Keras' convolution config plus Keras 3's `groups`, as the structure analysis reads it. */
export interface ConvLayerConfig {
  filters: number;
  kernelSize: [number, number];
  strides: [number, number];
  dilationRate: [number, number];
  groups: number;
  useBias: boolean;
}

export function convLayerBase<C extends ConvLayerConfig>(tf: TfNamespace) {
  abstract class OnnxConvLayer extends tf.layers.Layer {
    readonly conv: C;
    private kernel?: tfType.LayerVariable;
    private bias?: tfType.LayerVariable;

    constructor(name: string | undefined, conv: C) {
      super({ name });
      this.conv = conv;
    }

    /** Output height (axis 0) or width (axis 1) for an input of length n. */
    protected abstract outLength(n: number | null, axis: 0 | 1): number | null;

    override computeOutputShape(inputShape: Shape | Shape[]): Shape {
      const [n, h, w] = firstShape(inputShape);
      return [n, this.outLength(h, 0), this.outLength(w, 1), this.conv.filters];
    }

    /** Makes the weights (zeros until the import sets the file's values). */
    protected addKernelAndBias(kernelShape: number[]): void {
      this.kernel = this.addWeight('kernel', kernelShape, 'float32', tf.initializers.zeros());
      if (this.conv.useBias) {
        this.bias = this.addWeight('bias', [this.conv.filters], 'float32', tf.initializers.zeros());
      }
      this.built = true;
    }

    protected readKernel(): Tensor4D {
      return this.kernel!.read() as Tensor4D;
    }

    protected withBias(y: Tensor): Tensor {
      return this.bias ? tf.add(y, this.bias.read()) : y;
    }

    override getConfig() {
      return { ...super.getConfig(), ...this.conv };
    }
  }
  return OnnxConvLayer;
}

/**
 * `convolve` run on each group: the input's and the kernel's last axes split into `groups`
 * (group g's input channels meet its slice of the kernel), the outputs' channels concatenated.
 */
export function groupwise(
  tf: TfNamespace,
  x: Tensor4D,
  kernel: Tensor4D,
  groups: number,
  convolve: (x: Tensor4D, kernel: Tensor4D) => Tensor,
): Tensor {
  if (groups === 1) return convolve(x, kernel);
  const xs = tf.split(x, groups, 3);
  const ks = tf.split(kernel, groups, 3);
  return tf.concat(
    xs.map((xg, g) => convolve(xg as Tensor4D, ks[g] as Tensor4D)),
    3,
  );
}

/** A [kh, kw, i, o] kernel with dilation - 1 zeros between its taps: [(kh-1)dh+1, (kw-1)dw+1, i, o]. */
export function spreadKernel(
  tf: TfNamespace,
  kernel: Tensor4D,
  [dh, dw]: [number, number],
): Tensor4D {
  const [kh, kw, i, o] = kernel.shape;
  const gaps = tf.pad(tf.reshape(kernel, [kh, 1, kw, 1, i, o]), [
    [0, 0],
    [0, dh - 1],
    [0, 0],
    [0, dw - 1],
    [0, 0],
    [0, 0],
  ]);
  const spread = tf.reshape(gaps, [kh * dh, kw * dw, i, o]);
  return tf.slice(spread, [0, 0, 0, 0], [(kh - 1) * dh + 1, (kw - 1) * dw + 1, i, o]) as Tensor4D;
}
