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
import { spreadKernel } from './groupedConvLayer';

type Tensor = tfType.Tensor;
type Shape = (number | null)[];

export interface ConvTransposeConfig {
  filters: number;
  kernelSize: [number, number];
  strides: [number, number];
  dilationRate: [number, number];
  /** ONNX output_padding: rows and columns added at the end, before the pads are cropped. */
  outputPadding: [number, number];
  groups: number;
  useBias: boolean;
}

const firstShape = (s: Shape | Shape[]) => (Array.isArray(s[0]) ? s[0] : s) as Shape;

export function convTransposeClass(tf: TfNamespace) {
  return class OnnxConvTranspose2D extends tf.layers.Layer {
    static className = 'OnnxConvTranspose2D';
    readonly conv: ConvTransposeConfig;
    private kernel?: tfType.LayerVariable;
    private bias?: tfType.LayerVariable;

    constructor(args: ConvTransposeConfig & { name?: string }) {
      super({ name: args.name });
      const { filters, kernelSize, strides, dilationRate, outputPadding, groups, useBias } = args;
      this.conv = { filters, kernelSize, strides, dilationRate, outputPadding, groups, useBias };
    }

    override build(inputShape: Shape | Shape[]): void {
      const inChannels = firstShape(inputShape)[3]!;
      const { kernelSize, groups, filters, useBias } = this.conv;
      const shape = [...kernelSize, filters / groups, inChannels];
      this.kernel = this.addWeight('kernel', shape, 'float32', tf.initializers.zeros());
      if (useBias)
        this.bias = this.addWeight('bias', [filters], 'float32', tf.initializers.zeros());
      this.built = true;
    }

    private outLength(n: number | null, a: 0 | 1): number | null {
      if (n === null) return null;
      const { kernelSize, strides, dilationRate, outputPadding } = this.conv;
      return (n - 1) * strides[a] + (kernelSize[a] - 1) * dilationRate[a] + 1 + outputPadding[a];
    }

    override computeOutputShape(inputShape: Shape | Shape[]): Shape {
      const [n, h, w] = firstShape(inputShape);
      return [n, this.outLength(h, 0), this.outLength(w, 1), this.conv.filters];
    }

    override call(inputs: Tensor | Tensor[]): Tensor {
      return tf.tidy(() => {
        const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tfType.Tensor4D;
        const { strides, dilationRate, groups, filters } = this.conv;
        let kernel = this.kernel!.read() as tfType.Tensor4D;
        if (dilationRate.some((d) => d > 1)) kernel = spreadKernel(tf, kernel, dilationRate);
        const [n, h, w] = x.shape;
        const outShape: [number, number, number, number] = [
          n,
          this.outLength(h, 0)!,
          this.outLength(w, 1)!,
          filters / groups,
        ];
        const xs = groups > 1 ? tf.split(x, groups, 3) : [x];
        const ks = groups > 1 ? tf.split(kernel, groups, 3) : [kernel];
        const ys = xs.map((xg, g) =>
          tf.conv2dTranspose(
            xg as tfType.Tensor4D,
            ks[g] as tfType.Tensor4D,
            outShape,
            strides,
            'valid',
          ),
        );
        const y = ys.length > 1 ? tf.concat(ys, 3) : ys[0];
        return this.bias ? tf.add(y, this.bias.read()) : y;
      });
    }

    override getConfig() {
      return { ...super.getConfig(), ...this.conv, padding: 'valid' };
    }
  };
}
