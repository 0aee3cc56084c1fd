/**
 * Layers that only move or select channels (ShuffleNet's channel split and channel shuffle), in
 * NHWC: every position keeps its place, so the structure analysis reads them as position-wise
 * (receptive fields pass through unchanged) and they hold no weights.
 *
 * - OnnxChannelSlice: channels [begin, begin + size) of its input (ONNX Slice along axis 1,
 *   step 1; PyTorch's `x.chunk(2, dim=1)`).
 * - OnnxChannelShuffle: ShuffleNet's channel shuffle, which PyTorch exports as Reshape to
 *   [N, g, C/g, H, W], Transpose(0, 2, 1, 3, 4), Reshape back to [N, C, H, W] (foldGraph.ts folds
 *   the three nodes into one): output channel j * g + i is input channel i * (C / g) + j.
 */
import type { TfNamespace } from '../runtime';
import { firstShape, firstTensor, type Shape, type Tensor } from './customLayerBasics';

export interface ChannelSliceConfig {
  begin: number;
  size: number;
}

export interface ChannelShuffleConfig {
  groups: number;
}

export function channelLayerClasses(tf: TfNamespace) {
  class OnnxChannelSlice extends tf.layers.Layer {
    static className = 'OnnxChannelSlice';
    readonly channels: ChannelSliceConfig;
    constructor(args: ChannelSliceConfig & { name?: string }) {
      super({ name: args.name });
      this.channels = { begin: args.begin, size: args.size };
    }
    override computeOutputShape(inputShape: Shape | Shape[]): Shape {
      const s = firstShape(inputShape);
      return [...s.slice(0, -1), this.channels.size];
    }
    override call(inputs: Tensor | Tensor[]): Tensor {
      const x = firstTensor(inputs);
      const begin = x.shape.map((_, i) => (i === x.rank - 1 ? this.channels.begin : 0));
      const size = x.shape.map((_, i) => (i === x.rank - 1 ? this.channels.size : -1));
      return tf.slice(x, begin, size);
    }
    override getConfig() {
      return { ...super.getConfig(), ...this.channels };
    }
  }

  class OnnxChannelShuffle extends tf.layers.Layer {
    static className = 'OnnxChannelShuffle';
    readonly shuffle: ChannelShuffleConfig;
    constructor(args: ChannelShuffleConfig & { name?: string }) {
      super({ name: args.name });
      this.shuffle = { groups: args.groups };
    }
    override computeOutputShape(inputShape: Shape | Shape[]): Shape {
      return firstShape(inputShape);
    }
    override call(inputs: Tensor | Tensor[]): Tensor {
      return tf.tidy(() => {
        const x = firstTensor(inputs);
        const [n, h, w, c] = x.shape as number[];
        const g = this.shuffle.groups;
        // Channel i * (C/g) + j sits at [i, j]; transposed it is read back as j * g + i.
        const grouped = tf.reshape(x, [n, h, w, g, c / g]);
        return tf.reshape(tf.transpose(grouped, [0, 1, 2, 4, 3]), [n, h, w, c]);
      });
    }
    override getConfig() {
      return { ...super.getConfig(), ...this.shuffle };
    }
  }

  return { OnnxChannelSlice, OnnxChannelShuffle };
}
