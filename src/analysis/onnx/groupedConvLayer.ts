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
import { firstShape, firstTensor, type Shape, type Tensor } from './customLayerBasics';
import { convLayerBase, groupwise, spreadKernel, type ConvLayerConfig } from './convLayerBase';

type Tensor4D = tfType.Tensor4D;

export interface GroupedConvConfig extends ConvLayerConfig {
  padding: 'valid' | 'same';
}

export function groupedConvClass(tf: TfNamespace) {
  return class OnnxGroupedConv2D extends convLayerBase<GroupedConvConfig>(tf) {
    static className = 'OnnxGroupedConv2D';

    constructor(args: GroupedConvConfig & { name?: string }) {
      const { filters, kernelSize, strides, dilationRate, padding, groups, useBias } = args;
      super(args.name, { filters, kernelSize, strides, dilationRate, padding, groups, useBias });
    }

    override build(inputShape: Shape | Shape[]): void {
      const { kernelSize, groups, filters } = this.conv;
      const inChannels = firstShape(inputShape)[3]!;
      this.addKernelAndBias([...kernelSize, inChannels / groups, filters]);
    }

    protected override outLength(n: number | null, a: 0 | 1): number | null {
      if (n === null) return null;
      const { kernelSize, strides, dilationRate, padding } = this.conv;
      if (padding === 'same') return Math.ceil(n / strides[a]);
      const span = (kernelSize[a] - 1) * dilationRate[a] + 1;
      return Math.floor((n - span) / strides[a]) + 1;
    }

    override call(inputs: Tensor | Tensor[]): Tensor {
      return tf.tidy(() => {
        const x = firstTensor(inputs) as Tensor4D;
        let kernel = this.readKernel();
        let { dilationRate } = this.conv;
        if (this.conv.strides.some((s) => s > 1) && dilationRate.some((d) => d > 1)) {
          // tfjs runs a stride or a dilation, not both: the same sums with zeros between taps.
          kernel = spreadKernel(tf, kernel, dilationRate);
          dilationRate = [1, 1];
        }
        return this.withBias(this.convolve(x, kernel, dilationRate));
      });
    }

    private convolve(x: Tensor4D, kernel: Tensor4D, dilationRate: [number, number]): Tensor {
      const { strides, padding, groups, filters } = this.conv;
      const [kh, kw, perGroup] = kernel.shape;
      if (perGroup === 1 && groups === x.shape[3]) {
        // Depthwise: output channel c*m + j reads input channel c, as tfjs's [kh, kw, c, m].
        const depthwise = kernel.reshape([kh, kw, groups, filters / groups]) as Tensor4D;
        return tf.depthwiseConv2d(x, depthwise, strides, padding, 'NHWC', dilationRate);
      }
      return groupwise(tf, x, kernel, groups, (xg, kg) =>
        tf.conv2d(xg, kg, strides, padding, 'NHWC', dilationRate),
      );
    }
  };
}
