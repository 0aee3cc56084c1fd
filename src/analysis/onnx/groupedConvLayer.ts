/**
 * OnnxGroupedConv2D: a convolution whose channels are split into groups (ResNeXt, RegNet,
 * ShuffleNet v1), a dilated depthwise convolution (tfjs 4.22's DepthwiseConv2D layer drops
 * its dilation), and a convolution both strided and dilated (tfjs's conv2d runs one or the other;
 * here the kernel is spread with zeros when it runs, while the layer keeps the real kernel,
 * stride and dilation, so counts and receptive fields are the file's). tfjs-layers has neither, so this is one layer with Keras 3's `groups` config and
 * kernel layout [kh, kw, inChannels / groups, filters]: the structure analysis reads it as a
 * convolution (kind `conv`), so counts divide by the groups and receptive fields follow its
 * kernel, stride, dilation and padding. It runs one tf.conv2d per group (or one dilated
 * tf.depthwiseConv2d when each group has one input channel), so the numbers are exact and no
 * block-diagonal kernel multiplies zeros.
 */
import type { TfNamespace } from '../runtime';
import type * as tfType from '@tensorflow/tfjs';

type Tensor = tfType.Tensor;
type Shape = (number | null)[];

export interface GroupedConvConfig {
  filters: number;
  kernelSize: [number, number];
  strides: [number, number];
  dilationRate: [number, number];
  padding: 'valid' | 'same';
  groups: number;
  useBias: boolean;
}

export function groupedConvClass(tf: TfNamespace) {
  return class OnnxGroupedConv2D extends tf.layers.Layer {
    static className = 'OnnxGroupedConv2D';
    readonly conv: GroupedConvConfig;
    private kernel?: tfType.LayerVariable;
    private bias?: tfType.LayerVariable;

    constructor(args: GroupedConvConfig & { name?: string }) {
      super({ name: args.name });
      const { filters, kernelSize, strides, dilationRate, padding, groups, useBias } = args;
      this.conv = { filters, kernelSize, strides, dilationRate, padding, groups, useBias };
    }

    override build(inputShape: Shape | Shape[]): void {
      const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
      const { kernelSize, groups, filters, useBias } = this.conv;
      const inChannels = s[3]!;
      this.kernel = this.addWeight(
        'kernel',
        [...kernelSize, inChannels / groups, filters],
        'float32',
        tf.initializers.zeros(),
      );
      if (useBias)
        this.bias = this.addWeight('bias', [filters], 'float32', tf.initializers.zeros());
      this.built = true;
    }

    override computeOutputShape(inputShape: Shape | Shape[]): Shape {
      const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
      const { kernelSize, strides, dilationRate, padding, filters } = this.conv;
      const size = (n: number | null, a: 0 | 1) => {
        if (n === null) return null;
        if (padding === 'same') return Math.ceil(n / strides[a]);
        const span = (kernelSize[a] - 1) * dilationRate[a] + 1;
        return Math.floor((n - span) / strides[a]) + 1;
      };
      return [s[0], size(s[1], 0), size(s[2], 1), filters];
    }

    override call(inputs: Tensor | Tensor[]): Tensor {
      return tf.tidy(() => {
        const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tfType.Tensor4D;
        const { strides, padding, groups, filters } = this.conv;
        let { dilationRate } = this.conv;
        let kernel = this.kernel!.read() as tfType.Tensor4D;
        if (strides.some((s) => s > 1) && dilationRate.some((d) => d > 1)) {
          // tfjs runs a stride or a dilation, not both: the same sums with zeros between taps.
          kernel = spreadKernel(tf, kernel, dilationRate);
          dilationRate = [1, 1];
        }
        const [kh, kw, perGroup] = kernel.shape;
        let y: Tensor;
        if (perGroup === 1 && groups === x.shape[3]) {
          // Depthwise: output channel c*m + j reads input channel c, as tfjs's [kh, kw, c, m].
          const depthwise = kernel.reshape([kh, kw, groups, filters / groups]) as tfType.Tensor4D;
          y = tf.depthwiseConv2d(x, depthwise, strides, padding, 'NHWC', dilationRate);
        } else {
          const xs = tf.split(x, groups, 3);
          const ks = tf.split(kernel, groups, 3);
          const ys = xs.map((xg, g) =>
            tf.conv2d(
              xg as tfType.Tensor4D,
              ks[g] as tfType.Tensor4D,
              strides,
              padding,
              'NHWC',
              dilationRate,
            ),
          );
          y = tf.concat(ys, 3);
        }
        return this.bias ? tf.add(y, this.bias.read()) : y;
      });
    }

    override getConfig() {
      return { ...super.getConfig(), ...this.conv };
    }
  };
}

/** A [kh, kw, i, o] kernel with dilation - 1 zeros between its taps: [(kh-1)dh+1, (kw-1)dw+1, i, o]. */
export function spreadKernel(
  tf: TfNamespace,
  kernel: tfType.Tensor4D,
  [dh, dw]: [number, number],
): tfType.Tensor4D {
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
  return tf.slice(
    spread,
    [0, 0, 0, 0],
    [(kh - 1) * dh + 1, (kw - 1) * dw + 1, i, o],
  ) as tfType.Tensor4D;
}
