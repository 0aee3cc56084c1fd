/**
 * OnnxConvTranspose2D: a transposed convolution with channel groups or a dilated kernel (ONNX
 * ConvTranspose `group`, `dilations`; PyTorch's ConvTranspose2d(groups=, dilation=)), which
 * tfjs's Conv2DTranspose lacks. Kernel layout as Keras' Conv2DTranspose with Keras 3's `groups`:
 * [kh, kw, filters / groups, inChannels]; group g's input channels [g i, (g + 1) i) make its
 * filters [g f, (g + 1) f). It runs one tf.conv2dTranspose per group, with the kernel spread with
 * zeros when dilated. The output is the full ((in - 1) s + (k - 1) d + 1 + outputPadding) one;
 * ONNX's pads are a cropping layer after it, as for the other transposed convolutions. The
 * structure reads it as a transposed convolution (counts by groups; no receptive field).
 */
import type { TfNamespace } from '../runtime';
import type * as tfType from '@tensorflow/tfjs';
import { firstShape, firstTensor, type Shape, type Tensor } from './customLayerBasics';
import { convLayerBase, groupwise, spreadKernel, type ConvLayerConfig } from './convLayerBase';

type Tensor4D = tfType.Tensor4D;

export interface ConvTransposeConfig extends ConvLayerConfig {
  /** ONNX output_padding: rows and columns added at the end, before the pads are cropped. */
  outputPadding: [number, number];
}

export function convTransposeClass(tf: TfNamespace) {
  return class OnnxConvTranspose2D extends convLayerBase<ConvTransposeConfig>(tf) {
    static className = 'OnnxConvTranspose2D';

    constructor(args: ConvTransposeConfig & { name?: string }) {
      const { filters, kernelSize, strides, dilationRate, outputPadding, groups, useBias } = args;
      super(args.name, {
        filters,
        kernelSize,
        strides,
        dilationRate,
        outputPadding,
        groups,
        useBias,
      });
    }

    override build(inputShape: Shape | Shape[]): void {
      const inChannels = firstShape(inputShape)[3]!;
      const { kernelSize, groups, filters } = this.conv;
      this.addKernelAndBias([...kernelSize, filters / groups, inChannels]);
    }

    protected override outLength(n: number | null, a: 0 | 1): number | null {
      if (n === null) return null;
      const { kernelSize, strides, dilationRate, outputPadding } = this.conv;
      return (n - 1) * strides[a] + (kernelSize[a] - 1) * dilationRate[a] + 1 + outputPadding[a];
    }

    override call(inputs: Tensor | Tensor[]): Tensor {
      return tf.tidy(() => {
        const x = firstTensor(inputs) as Tensor4D;
        const { strides, dilationRate, groups, filters } = this.conv;
        let kernel = this.readKernel();
        if (dilationRate.some((d) => d > 1)) kernel = spreadKernel(tf, kernel, dilationRate);
        const [n, h, w] = x.shape;
        const groupShape: [number, number, number, number] = [
          n,
          this.outLength(h, 0)!,
          this.outLength(w, 1)!,
          filters / groups,
        ];
        const y = groupwise(tf, x, kernel, groups, (xg, kg) =>
          tf.conv2dTranspose(xg, kg, groupShape, strides, 'valid'),
        );
        return this.withBias(y);
      });
    }

    override getConfig() {
      return { ...super.getConfig(), padding: 'valid' };
    }
  };
}
