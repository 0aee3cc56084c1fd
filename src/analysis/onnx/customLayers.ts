/**
 * The few layers tfjs-layers lacks for exact ONNX semantics. Everything else is composed from
 * standard layers so the analyses understand it; these classes are known to the structure analysis
 * (layerCapabilities.ts) by kind, and the projections say they do not invert the element-wise ones.
 *
 * - OnnxPad2D: padding with a constant other than 0 (max pooling pads with -Infinity), by
 *   reflection or by repeating the edge. Geometrically a ZeroPadding2D (kind `zeroPadding`).
 * - OnnxElementwise: Clip with other bounds than ReLU's, ELU with alpha != 1, HardSigmoid (ONNX alpha/beta),
 *   HardSwish, and arithmetic with a constant (x * c, x - c, c / x...) broadcast in NHWC.
 * - OnnxBroadcast: arithmetic of two computed tensors of different (broadcastable) shapes, and
 *   Div, which tfjs-layers has no merge layer for (kind `merge`).
 * - OnnxGroupedConv2D (groupedConvLayer.ts): grouped and dilated depthwise convolutions (kind
 *   `conv`).
 * - OnnxResize2D: bilinear resizing with ONNX's half_pixel, align_corners or asymmetric
 *   coordinates (tfjs's UpSampling2D and Resizing use only one convention each).
 * - OnnxChannelSlice, OnnxChannelShuffle (channelLayers.ts): ShuffleNet's channel split and
 *   channel shuffle (kind `elementwise`: positions stay where they are).
 * - OnnxMaxPool2D (poolLayers.ts): max pooling with a dilated window (kind `pooling`).
 * - OnnxConvTranspose2D (convTransposeLayer.ts): a grouped or dilated transposed convolution
 *   (kind `transposedConv`).
 * - OnnxCubicResize2D (cubicResize.ts): bicubic resizing.
 */
import type { TfNamespace } from '../runtime';
import type * as tfType from '@tensorflow/tfjs';
import { groupedConvClass, type GroupedConvConfig } from './groupedConvLayer';
import {
  channelLayerClasses,
  type ChannelShuffleConfig,
  type ChannelSliceConfig,
} from './channelLayers';
import { poolLayerClasses, type DilatedPoolConfig } from './poolLayers';
import { convTransposeClass, type ConvTransposeConfig } from './convTransposeLayer';
import { cubicResizeClass, type CubicResizeConfig } from './cubicResize';

type Tensor = tfType.Tensor;
type Shape = (number | null)[];

export type ArithmeticOp = 'add' | 'sub' | 'mul' | 'div';

export interface PadConfig {
  padding: [[number, number], [number, number]];
  mode: 'constant' | 'reflect' | 'edge';
  value: number;
}

export interface ElementwiseConfig {
  op: 'clip' | 'elu' | 'hardSigmoid' | 'hardSwish' | ArithmeticOp;
  min?: number;
  max?: number;
  alpha?: number;
  beta?: number;
  /** NHWC-broadcastable constant (batch axis included, size 1) for the arithmetic ops. */
  constant?: { shape: number[]; values: number[] };
  /** `c - x` / `c / x` rather than `x - c` / `x / c`. */
  constantFirst?: boolean;
}

export interface ResizeConfig {
  size: [number, number];
  alignCorners: boolean;
  halfPixelCenters: boolean;
}

export const CUSTOM_LAYER_CLASSES = [
  'OnnxPad2D',
  'OnnxElementwise',
  'OnnxBroadcast',
  'OnnxGroupedConv2D',
  'OnnxResize2D',
  'OnnxChannelSlice',
  'OnnxChannelShuffle',
  'OnnxMaxPool2D',
  'OnnxConvTranspose2D',
  'OnnxCubicResize2D',
] as const;

export interface CustomLayerFactories {
  pad(args: PadConfig & { name: string }): tfType.layers.Layer;
  elementwise(args: ElementwiseConfig & { name: string }): tfType.layers.Layer;
  broadcast(args: { op: ArithmeticOp; name: string }): tfType.layers.Layer;
  groupedConv(args: GroupedConvConfig & { name: string }): tfType.layers.Layer;
  resize(args: ResizeConfig & { name: string }): tfType.layers.Layer;
  channelSlice(args: ChannelSliceConfig & { name: string }): tfType.layers.Layer;
  channelShuffle(args: ChannelShuffleConfig & { name: string }): tfType.layers.Layer;
  dilatedMaxPool(args: DilatedPoolConfig & { name: string }): tfType.layers.Layer;
  convTranspose(args: ConvTransposeConfig & { name: string }): tfType.layers.Layer;
  cubicResize(args: CubicResizeConfig & { name: string }): tfType.layers.Layer;
}

const cache = new WeakMap<object, CustomLayerFactories>();

function arithmetic(tf: TfNamespace, op: ArithmeticOp, a: Tensor, b: Tensor): Tensor {
  switch (op) {
    case 'add':
      return tf.add(a, b);
    case 'sub':
      return tf.sub(a, b);
    case 'mul':
      return tf.mul(a, b);
    case 'div':
      return tf.div(a, b);
  }
}

/** ONNX Pad mode 'edge' (PyTorch's ReplicationPad2d): the first and last row and column repeated. */
function edgePad(
  tf: TfNamespace,
  x: tfType.Tensor4D,
  padding: [[number, number], [number, number]],
): Tensor {
  let y: Tensor = x;
  padding.forEach(([before, after], i) => {
    const axis = i + 1;
    const size = y.shape[axis]!;
    const edge = (start: number, times: number) => {
      const begin = [0, 0, 0, 0];
      const length = [-1, -1, -1, -1];
      begin[axis] = start;
      length[axis] = 1;
      const reps = [1, 1, 1, 1];
      reps[axis] = times;
      return tf.tile(tf.slice(y, begin, length), reps);
    };
    const parts = [
      ...(before ? [edge(0, before)] : []),
      y,
      ...(after ? [edge(size - 1, after)] : []),
    ];
    y = parts.length > 1 ? tf.concat(parts, axis) : y;
  });
  return y;
}

/** The classes are made from the runtime's own Layer class and registered with it once. */
export function customLayers(tf: TfNamespace): CustomLayerFactories {
  const known = cache.get(tf);
  if (known) return known;
  const Layer = tf.layers.Layer;
  const first = (inputs: Tensor | Tensor[]) => (Array.isArray(inputs) ? inputs[0] : inputs);

  class OnnxPad2D extends Layer {
    static className = 'OnnxPad2D';
    readonly pad: PadConfig;
    constructor(args: PadConfig & { name?: string }) {
      super({ name: args.name });
      this.pad = { padding: args.padding, mode: args.mode, value: args.value };
    }
    override computeOutputShape(inputShape: Shape | Shape[]): Shape {
      const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
      const [[t, b], [l, r]] = this.pad.padding;
      return [s[0], s[1] === null ? null : s[1] + t + b, s[2] === null ? null : s[2] + l + r, s[3]];
    }
    override call(inputs: Tensor | Tensor[]): Tensor {
      return tf.tidy(() => {
        const x = first(inputs) as tfType.Tensor4D;
        const pattern: [number, number][] = [[0, 0], ...this.pad.padding, [0, 0]];
        if (this.pad.mode === 'edge') return edgePad(tf, x, this.pad.padding);
        return this.pad.mode === 'reflect'
          ? tf.mirrorPad(x, pattern, 'reflect')
          : tf.pad(x, pattern, this.pad.value);
      });
    }
    override getConfig() {
      return { ...super.getConfig(), ...this.pad };
    }
  }

  class OnnxElementwise extends Layer {
    static className = 'OnnxElementwise';
    readonly spec: ElementwiseConfig;
    constructor(args: ElementwiseConfig & { name?: string }) {
      super({ name: args.name });
      const { op, min, max, alpha, beta, constant, constantFirst } = args;
      this.spec = { op, min, max, alpha, beta, constant, constantFirst };
    }
    override computeOutputShape(inputShape: Shape | Shape[]): Shape {
      return (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    }
    override call(inputs: Tensor | Tensor[]): Tensor {
      return tf.tidy(() => {
        const x = first(inputs);
        const s = this.spec;
        switch (s.op) {
          case 'clip':
            return tf.clipByValue(x, s.min ?? -Infinity, s.max ?? Infinity);
          case 'hardSigmoid':
            return tf.clipByValue(tf.add(tf.mul(x, s.alpha ?? 0.2), s.beta ?? 0.5), 0, 1);
          case 'elu':
            return tf.where(tf.greater(x, 0), x, tf.mul(tf.sub(tf.exp(x), 1), s.alpha ?? 1));
          case 'hardSwish':
            return tf.mul(x, tf.clipByValue(tf.add(tf.div(x, 6), 0.5), 0, 1));
          default: {
            const c = tf.tensor(s.constant!.values, s.constant!.shape);
            return s.constantFirst ? arithmetic(tf, s.op, c, x) : arithmetic(tf, s.op, x, c);
          }
        }
      });
    }
    override getConfig() {
      return { ...super.getConfig(), ...this.spec };
    }
  }

  class OnnxBroadcast extends Layer {
    static className = 'OnnxBroadcast';
    readonly op: ArithmeticOp;
    constructor(args: { op: ArithmeticOp; name?: string }) {
      super({ name: args.name });
      this.op = args.op;
    }
    override computeOutputShape(inputShape: Shape | Shape[]): Shape {
      const [a, b] = inputShape as Shape[];
      return a.map((d, i) => (d === 1 ? b[i] : d));
    }
    override call(inputs: Tensor | Tensor[]): Tensor {
      const [a, b] = inputs as Tensor[];
      return tf.tidy(() => arithmetic(tf, this.op, a, b));
    }
    override getConfig() {
      return { ...super.getConfig(), op: this.op };
    }
  }

  class OnnxResize2D extends Layer {
    static className = 'OnnxResize2D';
    readonly resize: ResizeConfig;
    constructor(args: ResizeConfig & { name?: string }) {
      super({ name: args.name });
      const { size, alignCorners, halfPixelCenters } = args;
      this.resize = { size, alignCorners, halfPixelCenters };
    }
    override computeOutputShape(inputShape: Shape | Shape[]): Shape {
      const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
      return [s[0], ...this.resize.size, s[3]];
    }
    override call(inputs: Tensor | Tensor[]): Tensor {
      const { size, alignCorners, halfPixelCenters } = this.resize;
      return tf.tidy(() =>
        tf.image.resizeBilinear(
          first(inputs) as tfType.Tensor4D,
          size,
          alignCorners,
          halfPixelCenters,
        ),
      );
    }
    override getConfig() {
      return { ...super.getConfig(), ...this.resize };
    }
  }

  const OnnxGroupedConv2D = groupedConvClass(tf);
  const { OnnxChannelSlice, OnnxChannelShuffle } = channelLayerClasses(tf);
  const { OnnxMaxPool2D } = poolLayerClasses(tf);
  const OnnxConvTranspose2D = convTransposeClass(tf);
  const OnnxCubicResize2D = cubicResizeClass(tf);
  for (const cls of [
    OnnxPad2D,
    OnnxElementwise,
    OnnxBroadcast,
    OnnxGroupedConv2D,
    OnnxResize2D,
    OnnxChannelSlice,
    OnnxChannelShuffle,
    OnnxMaxPool2D,
    OnnxConvTranspose2D,
    OnnxCubicResize2D,
  ]) {
    tf.serialization.registerClass(
      cls as unknown as tfType.serialization.SerializableConstructor<tfType.layers.Layer>,
    );
  }
  const factories: CustomLayerFactories = {
    pad: (args) => new OnnxPad2D(args),
    elementwise: (args) => new OnnxElementwise(args),
    broadcast: (args) => new OnnxBroadcast(args),
    groupedConv: (args) => new OnnxGroupedConv2D(args),
    resize: (args) => new OnnxResize2D(args),
    channelSlice: (args) => new OnnxChannelSlice(args),
    channelShuffle: (args) => new OnnxChannelShuffle(args),
    dilatedMaxPool: (args) => new OnnxMaxPool2D(args),
    convTranspose: (args) => new OnnxConvTranspose2D(args),
    cubicResize: (args) => new OnnxCubicResize2D(args),
  };
  cache.set(tf, factories);
  return factories;
}
